//! The database layer: one connection type over SQLite and PostgreSQL, the
//! pool, the embedded migrations, and the one way handlers reach the database.

pub mod calendar;
pub mod conflict;
mod failure;
pub mod group_commit;
pub mod schema;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// One connection to whichever backend the URL names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which database engine a connection talks to, for the few places that must
/// fork (locking, upserts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgresql(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Runs one diesel statement on the concrete connection inside a
/// [`DbConnection`], for what `MultiBackend` cannot express (batch inserts).
/// The body is compiled once per backend.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A database URL, parsed far enough to pick the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// A SQLite file path.
    Sqlite(String),
    /// A PostgreSQL connection URL, passed to libpq as given.
    Postgres(String),
}

/// Why the service could not reach its database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot prepare the database connection: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("cannot create the SQLite directory {path}: {source}")]
    Directory { path: String, source: std::io::Error },
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
}

impl DatabaseTarget {
    /// Picks the backend from the URL scheme.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::UnsupportedUrl(url.to_owned()));
            }
            Ok(Self::Sqlite(path.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            Err(DbError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Another connection to the database of this target, or none when it
    /// cannot have two: an in-memory SQLite database is its connection's alone.
    pub fn connect_again(&self) -> Option<Result<DbConnection, DbError>> {
        match self {
            Self::Sqlite(path) if path == ":memory:" || path.starts_with("file:") => None,
            _ => Some(self.connect()),
        }
    }

    /// Opens one connection, with the SQLite pragmas every connection needs.
    pub fn connect(&self) -> Result<DbConnection, DbError> {
        match self {
            Self::Sqlite(path) => {
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)
                            .map_err(|source| DbError::Directory { path: dir.display().to_string(), source })?;
                    }
                }
                let mut conn = diesel::SqliteConnection::establish(path)?;
                // WAL lets readers proceed during a write; the busy timeout makes
                // concurrent writers wait for the lock instead of failing at once
                // (between processes; within one, writers queue on the gate).
                // synchronous = NORMAL: in WAL a commit appends to the log without
                // waiting for the disk, which is synced at each checkpoint. The
                // database stays consistent through any crash, and a crash of the
                // process loses nothing; a power cut or an OS crash may lose the
                // last transactions committed before it. FULL would sync every
                // commit, one disk flush per request on the single writer.
                // Secure delete overwrites deleted content with zeros, so that an
                // erased student's e-mail and password hash do not linger in free
                // space of the file (law 09-08).
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;",
                )?;
                if let Some(gate) = Attached::for_file(path) {
                    conn.set_instrumentation(gate);
                }
                Ok(DbConnection::Sqlite(conn))
            }
            Self::Postgres(url) => {
                let mut conn = diesel::PgConnection::establish(url)?;
                conn.set_instrumentation(Attached::for_server(url));
                Ok(DbConnection::Postgresql(conn))
            }
        }
    }
}

/// What this process attaches to each connection to a database file or
/// server, as the connection's instrumentation: the gate the connections of
/// this process to that database share, and when this one last answered.
pub struct Attached {
    gate: Arc<Gate>,
    /// When the connection's last statement succeeded; none after a failure.
    answered_at: Option<Instant>,
}

/// What the connections of this process to one database share.
#[derive(Default)]
struct Gate {
    /// The queue of the write transactions of this process on a SQLite
    /// file. SQLite admits one writer at a time, and a writer that finds the
    /// lock taken polls for it, sleeping 1, 2, 5, 10 and up to 100 ms between
    /// tries: under load most writers slept past the moment the lock was
    /// freed, and applying answered at p99 in 175 to 600 ms. Waiting on a
    /// mutex of the process instead wakes the next writer as the last one
    /// commits. Other processes on the same file still meet the busy timeout.
    turn: Mutex<()>,
    /// The small writes committed together (see [`write_grouped`]).
    grouped: group_commit::GroupCommit,
}

impl Attached {
    /// The gate of the file at `path`, shared by every connection of this
    /// process to it; none for an in-memory database, which is its
    /// connection's alone.
    fn for_file(path: &str) -> Option<Self> {
        if path == ":memory:" || path.starts_with("file:") {
            return None;
        }
        // Connecting created the file, so it has a canonical name: two
        // spellings of one path share a gate.
        let file = std::fs::canonicalize(path).unwrap_or_else(|_| path.into());
        Some(Self::shared(format!("sqlite:{}", file.display())))
    }

    /// The gate of the PostgreSQL database at `url`, for its grouped writes
    /// (the server orders its own writers).
    fn for_server(url: &str) -> Self {
        Self::shared(format!("postgres:{url}"))
    }

    fn shared(key: String) -> Self {
        static GATES: Mutex<Option<HashMap<String, Weak<Gate>>>> = Mutex::new(None);
        let mut gates = GATES.lock().unwrap_or_else(PoisonError::into_inner);
        let gates = gates.get_or_insert_with(HashMap::new);
        gates.retain(|_, gate| gate.strong_count() > 0);
        let gate = match gates.get(&key).and_then(Weak::upgrade) {
            Some(gate) => gate,
            None => {
                let gate = Arc::new(Gate::default());
                gates.insert(key, Arc::downgrade(&gate));
                gate
            }
        };
        Self { gate, answered_at: None }
    }
}

impl Instrumentation for Attached {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = event {
            self.answered_at = error.is_none().then(Instant::now);
        }
    }
}

/// What this process attached to the connection; none for an in-memory
/// SQLite database, or where a test replaced it.
fn attached(conn: &mut DbConnection) -> Option<&mut Attached> {
    match conn {
        DbConnection::Sqlite(c) => c.instrumentation().downcast_mut::<Attached>(),
        DbConnection::Postgresql(c) => c.instrumentation().downcast_mut::<Attached>(),
    }
}

/// The gate the connection shares with the others of this process to its
/// database.
fn gate_of(conn: &mut DbConnection) -> Option<Arc<Gate>> {
    attached(conn).map(|attached| Arc::clone(&attached.gate))
}

/// Whether a transaction is open on the connection.
fn in_transaction(conn: &mut DbConnection) -> QueryResult<bool> {
    use diesel::connection::TransactionManager;
    type Manager = <DbConnection as Connection>::TransactionManager;
    Ok(Manager::transaction_manager_status_mut(conn).transaction_depth()?.is_some())
}

/// How long after a PostgreSQL connection last answered it is handed out
/// unchecked; the default of HikariCP, the JDBC pool, which skips its own
/// check as long. Most requests came back within it for a connection that
/// had just served another, and each paid a round trip for `SELECT 1`.
const ANSWERED_RECENTLY: Duration = Duration::from_millis(500);

/// r2d2 manager that connects by URL scheme (the derived `establish` would try
/// every backend in turn and hide the real error).
#[derive(Debug)]
pub struct Manager {
    target: DatabaseTarget,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        self.target.connect()
    }

    /// Run at every checkout. A SQLite connection is a file opened by this
    /// process, which nothing outside it can close: checking it cost every
    /// request a statement (about 7,000 instructions) and found nothing. A
    /// PostgreSQL connection may have been closed by the server meanwhile,
    /// and is checked unless it answered within [`ANSWERED_RECENTLY`]: one
    /// closed since then fails its request's statement, which answers 503
    /// as any lost connection does, and is checked at its next checkout.
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        match conn {
            DbConnection::Sqlite(_) => Ok(()),
            DbConnection::Postgresql(_) => {
                let answered = attached(conn).and_then(|attached| attached.answered_at);
                if answered.is_some_and(|at| at.elapsed() < ANSWERED_RECENTLY) {
                    return Ok(());
                }
                conn.batch_execute("SELECT 1").map_err(DbError::Setup)
            }
        }
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// The shared connection pool, and the queue of requests waiting for one of
/// its connections.
#[derive(Debug, Clone)]
pub struct Pool {
    connections: r2d2::Pool<Manager>,
    /// One permit per connection, handed out in the order requests asked
    /// (tokio's semaphore is fair). r2d2 alone is not: a returned connection
    /// goes to whichever thread locks the pool first, often one that has
    /// just arrived, so under more requests than connections some waited
    /// through many turns; PostgreSQL's own-profile row answered at p99 in
    /// 0.4 to 1.2 s with 16 clients on 10 connections.
    turns: Arc<tokio::sync::Semaphore>,
}

/// A connection checked out of the pool.
pub type PooledConnection = r2d2::PooledConnection<Manager>;

impl Pool {
    /// Checks a connection out directly, for work outside requests (start-up,
    /// the delivery worker), waiting up to the pool's timeout.
    pub fn get(&self) -> Result<PooledConnection, r2d2::Error> {
        self.connections.get()
    }

    /// Connections open and idle.
    pub fn state(&self) -> r2d2::State {
        self.connections.state()
    }
}

/// Builds the pool. It fails fast with the real cause when the database cannot
/// be reached at start.
pub fn build_pool(url: &str, size: u32, connect_timeout: Duration) -> Result<Pool, DbError> {
    let target = DatabaseTarget::parse(url)?;
    // Connect once outside r2d2 so a refused connection or failed login is
    // reported as itself rather than as a pool time-out.
    drop(target.connect()?);
    let connections = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(connect_timeout)
        .test_on_check_out(true)
        .build_unchecked(Manager { target });
    let turns = Arc::new(tokio::sync::Semaphore::new(usize::try_from(size).unwrap_or(usize::MAX)));
    Ok(Pool { connections, turns })
}

/// Applies every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, DbError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// Gives SQLite's planner the statistics of the offer table. Without them it
/// reads the offer list through the status index and sorts every public offer
/// to return a page: 14 ms a page at 10,000 offers against 37 µs when it walks
/// the table newest first, which it does once it knows most offers are public.
/// Only `offers` is analysed: this SQLite keeps sample rows of each index
/// (STAT4), and samples of tables holding personal data would outlive an
/// erasure.
///
/// PostgreSQL's autovacuum keeps statistics of its own, but only once a table
/// has changed enough, and not at all where it is off: a database filled in
/// one go (an import, a restore, `seed`) is planned blind until then. A
/// profile's skills were then read by hashing the whole skill table, 1 ms a
/// read against 0.06 ms analysed. So the tables of the hot reads are analysed
/// here too; none holds text about a person (`student_skills` holds ids and
/// levels).
pub fn refresh_planner_statistics(conn: &mut DbConnection) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("ANALYZE offers"),
        DbConnection::Postgresql(c) => c.batch_execute(POSTGRES_ANALYSED),
    }
    .map_err(DbError::Setup)
}

/// The tables [`refresh_planner_statistics`] analyses on PostgreSQL.
const POSTGRES_ANALYSED: &str = "ANALYZE offers, offer_requirements, skills, student_skills";

/// How a write transaction's work ends early, rolled back either way: with
/// a value of the caller's (`Stop`), or with its error (`Fail`).
pub enum Rollback<S, E> {
    Stop(S),
    Fail(E),
}

impl<S, E: From<diesel::result::Error>> From<diesel::result::Error> for Rollback<S, E> {
    fn from(error: diesel::result::Error) -> Self {
        Self::Fail(error.into())
    }
}

/// Runs `work` in a transaction that writes. On SQLite it begins with
/// `BEGIN IMMEDIATE`, which takes the write lock first: in WAL mode a
/// transaction that has read and then wants to write while another writer
/// holds the lock fails at once with "database is locked" (waiting could not
/// make its snapshot current), whereas one that asks for the lock before
/// reading waits for it up to the busy timeout. Concurrent roster imports
/// answered 500 without it. PostgreSQL needs nothing. Inside a transaction
/// already begun this way, `work` runs in a savepoint of it.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <DbConnection as Connection>::TransactionManager;
    if in_transaction(conn)? {
        return conn.transaction(work);
    }
    let gate = gate_of(conn);
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    // Held until the commit or the rollback has returned, so that the next
    // writer of this process finds the lock free.
    let _turn = gate.as_ref().map(|gate| gate.turn.lock().unwrap_or_else(PoisonError::into_inner));
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    // The rest is what `Connection::transaction` does after its own BEGIN.
    match work(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Commits `write`, which needs no transaction of its own, in one it may
/// share with the small writes other requests of this process make
/// meanwhile ([`group_commit`]); returns once it is committed. Inside a
/// transaction already begun, it is part of that one.
pub fn write_grouped(conn: &mut DbConnection, write: group_commit::GroupedWrite) -> QueryResult<()> {
    if in_transaction(conn)? {
        return write(conn);
    }
    match gate_of(conn) {
        Some(gate) => gate.grouped.write(conn, write),
        None => write_transaction(conn, |conn| write(conn)),
    }
}

/// Runs `work` in a write transaction which, on a SQLite file, it may share
/// with the write transactions of other requests queued meanwhile
/// ([`group_commit`]): each runs in a savepoint of its own, so that one
/// that fails or stops leaves the others whole, and the one commit writes
/// the pages they share once. SQLite has one writer, and each transaction
/// of its own wrote the log pages of every table and index it touched;
/// PostgreSQL runs writers side by side, so there `work` has a transaction
/// of its own, as with [`write_transaction`]. `work` may run twice: a second
/// time alone when the transaction it shared failed to commit.
pub fn write_transaction_grouped<T, E, W>(conn: &mut DbConnection, work: W) -> Result<T, E>
where
    T: Send + 'static,
    E: From<diesel::result::Error> + Send + 'static,
    W: Fn(&mut DbConnection) -> Result<T, E> + Send + Sync + 'static,
{
    use diesel::connection::TransactionManager;
    type Manager = <DbConnection as Connection>::TransactionManager;
    if !matches!(conn, DbConnection::Sqlite(_)) || in_transaction(conn)? {
        return write_transaction(conn, work);
    }
    let Some(gate) = gate_of(conn) else {
        return write_transaction(conn, work);
    };
    let outcome: Arc<Mutex<Option<Result<T, E>>>> = Arc::default();
    let kept = Arc::clone(&outcome);
    gate.grouped.write(
        conn,
        Arc::new(move |conn: &mut DbConnection| {
            // A savepoint of the shared transaction; its own failure is
            // kept for its request, and only the savepoint's failing
            // fails the transaction.
            Manager::begin_transaction(conn)?;
            let done = work(conn);
            match &done {
                Ok(_) => Manager::commit_transaction(conn)?,
                Err(_) => Manager::rollback_transaction(conn)?,
            }
            *kept.lock().unwrap_or_else(PoisonError::into_inner) = Some(done);
            Ok(())
        }),
    )?;
    let done = outcome.lock().unwrap_or_else(PoisonError::into_inner).take();
    done.unwrap_or_else(|| Err(E::from(diesel::result::Error::BrokenTransactionManager)))
}

/// Runs `work` on a pooled connection on the blocking thread pool, so that the
/// async workers never wait on the database. Requests get connections in the
/// order they asked, and wait for their turn without holding a thread; past
/// the pool's timeout they answer 503.
pub async fn run<T, F>(pool: &Pool, work: F) -> Result<T, crate::error::ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, crate::error::ApiError> + Send + 'static,
    T: Send + 'static,
{
    let timeout = pool.connections.connection_timeout();
    let asked = std::time::Instant::now();
    // A free permit means nobody is queued (a released permit goes to the
    // first waiter), so taking it jumps no queue and needs no timer.
    let turn = match Arc::clone(&pool.turns).try_acquire_owned() {
        Ok(turn) => turn,
        Err(_) => match tokio::time::timeout(timeout, Arc::clone(&pool.turns).acquire_owned()).await {
            Ok(Ok(turn)) => turn,
            // The semaphore is never closed; either way no connection is coming.
            Ok(Err(_)) | Err(_) => {
                tracing::warn!("no database connection available in time");
                return Err(crate::error::ApiError::Unavailable("the database is unreachable; retry shortly".into()));
            }
        },
    };
    let connections = pool.connections.clone();
    let left = timeout.saturating_sub(asked.elapsed());
    actix_web::web::block(move || {
        let mut conn = connections.get_timeout(left)?;
        let done = work(&mut conn);
        // The connection goes back before the turn passes on, so that the
        // next in line finds it idle.
        drop(conn);
        drop(turn);
        done
    })
    .await?
}

/// A list of ids bound as one value, so that a statement over any number of
/// them has fixed SQL and stays prepared: a JSON array on SQLite (read with
/// `json_each`), an array on PostgreSQL (`= ANY`, `unnest`).
pub struct BoundIds<'a> {
    ids: &'a [i64],
    /// The same list as a JSON array, for SQLite.
    json: String,
}

impl<'a> BoundIds<'a> {
    pub fn new(ids: &'a [i64]) -> QueryResult<Self> {
        let json = serde_json::to_string(ids).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        Ok(Self { ids, json })
    }
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for BoundIds<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        out.push_bind_param::<diesel::sql_types::Text, _>(&self.json)
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for BoundIds<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        out.push_bind_param::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(&self.ids)
    }
}

/// The statements a connection prepared to keep, for tests that a
/// statement stays prepared whatever it is bound to.
#[cfg(test)]
#[derive(Clone, Default)]
pub(crate) struct Prepared(pub Arc<Mutex<Vec<String>>>);

#[cfg(test)]
impl Instrumentation for Prepared {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).push(sql.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_statistics_sqlite_pages_the_public_offers_newest_first_without_sorting_them() {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let path = dir.path().join("plan.db");
        let mut conn = DatabaseTarget::Sqlite(path.display().to_string()).connect().expect("a connection");
        run_migrations(&mut conn).expect("migrations");
        conn.batch_execute(
            "PRAGMA foreign_keys = OFF; \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO offers (organisation_id, created_by, kind, title, description, city, work_mode, \
                                 positions, status, created_at, updated_at) \
             SELECT 1 + i % 5, 1, 'internship', 'offer ' || i, '', 'Rabat', 'on_site', 1, \
                    CASE WHEN i % 10 = 0 THEN 'draft' ELSE 'open' END, '2026-01-01', '2026-01-01' FROM n;",
        )
        .expect("offers");
        let plan = |conn: &mut DbConnection| -> String {
            #[derive(diesel::QueryableByName)]
            struct Step {
                #[diesel(sql_type = diesel::sql_types::Text)]
                detail: String,
            }
            use diesel::sql_types::{BigInt, Text};
            // Bound as the offer list binds them: the planner does not see the values.
            diesel::sql_query(
                "EXPLAIN QUERY PLAN SELECT * FROM offers WHERE (status = ? OR status = ?) ORDER BY id DESC LIMIT ?",
            )
            .bind::<Text, _>("open")
            .bind::<Text, _>("filled")
            .bind::<BigInt, _>(21)
            .load::<Step>(conn)
            .expect("a plan")
            .into_iter()
            .map(|step| step.detail)
            .collect::<Vec<_>>()
            .join("; ")
        };
        assert!(plan(&mut conn).contains("TEMP B-TREE"), "without statistics: {}", plan(&mut conn));
        refresh_planner_statistics(&mut conn).expect("analysed");
        let planned = plan(&mut conn);
        assert!(!planned.contains("TEMP B-TREE") && planned.contains("SCAN offers"), "{planned}");
        #[derive(diesel::QueryableByName)]
        struct Table {
            #[diesel(sql_type = diesel::sql_types::Text)]
            tbl: String,
        }
        let analysed: Vec<String> =
            diesel::sql_query("SELECT DISTINCT tbl FROM sqlite_stat1 UNION SELECT DISTINCT tbl FROM sqlite_stat4")
                .load::<Table>(&mut conn)
                .expect("statistics")
                .into_iter()
                .map(|t| t.tbl)
                .collect();
        assert_eq!(analysed, ["offers"], "no table holding personal data is sampled");
    }

    fn sqlite_compile_options() -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct CompileOption {
            #[diesel(sql_type = diesel::sql_types::Text)]
            compile_options: String,
        }
        let mut conn = DatabaseTarget::Sqlite(":memory:".into()).connect().expect("a connection");
        diesel::sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut conn)
            .expect("compile options")
            .into_iter()
            .map(|o| o.compile_options)
            .collect()
    }

    #[test]
    fn the_bundled_sqlite_plans_without_looking_at_bound_values() {
        // Otherwise each execution of a cached statement with `LIMIT ?`
        // prepares it again (see .cargo/config.toml).
        let options = sqlite_compile_options();
        assert!(options.iter().any(|o| o == "ENABLE_QPSG"), "{options:?}");
    }

    #[test]
    fn the_bundled_sqlite_takes_no_mutex_around_each_call_of_a_connection() {
        // Multi-thread mode: serialized mode's mutex guards nothing for
        // connections each held by one thread (see .cargo/config.toml).
        let options = sqlite_compile_options();
        assert!(options.iter().any(|o| o == "THREADSAFE=2"), "{options:?}");
    }

    #[test]
    fn an_in_memory_database_has_no_second_connection_and_a_file_has() {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let file = DatabaseTarget::Sqlite(dir.path().join("two.db").display().to_string());
        assert!(file.connect_again().is_some_and(|c| c.is_ok()));
        assert!(DatabaseTarget::Sqlite(":memory:".into()).connect_again().is_none());
    }

    #[test]
    fn connections_to_one_file_share_a_gate_and_other_files_do_not() {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let path = |name: &str| dir.path().join(name).display().to_string();
        let gate = |conn: &mut DbConnection| gate_of(conn).expect("a gate");
        let mut first = DatabaseTarget::Sqlite(path("one.db")).connect().expect("a connection");
        let mut second = DatabaseTarget::Sqlite(path("one.db")).connect().expect("a connection");
        let mut respelled =
            DatabaseTarget::Sqlite(format!("{}/./one.db", dir.path().display())).connect().expect("a connection");
        let mut other = DatabaseTarget::Sqlite(path("two.db")).connect().expect("a connection");
        assert!(Arc::ptr_eq(&gate(&mut first), &gate(&mut second)));
        assert!(Arc::ptr_eq(&gate(&mut first), &gate(&mut respelled)));
        assert!(!Arc::ptr_eq(&gate(&mut first), &gate(&mut other)));
    }

    /// A scratch SQLite file holding `t (n)`, and a connection to it.
    fn file_with_a_table() -> (tempfile::TempDir, DatabaseTarget, DbConnection) {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let target = DatabaseTarget::Sqlite(dir.path().join("scratch.db").display().to_string());
        let mut conn = target.connect().expect("a connection");
        conn.batch_execute("CREATE TABLE t (n INTEGER NOT NULL)").expect("a table");
        (dir, target, conn)
    }

    #[test]
    fn write_transactions_queued_behind_one_share_its_successor_each_in_a_savepoint_of_its_own() {
        let (_dir, target, mut conn) = file_with_a_table();
        let gate = gate_of(&mut conn).expect("a gate");
        let ran_on = Arc::new(Mutex::new(Vec::new()));
        // Inserts n; a negative one stops after its insert, which its
        // savepoint must undo alone.
        let spawn = |n: i64, hold: Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>| {
            let (target, ran_on) = (target.clone(), Arc::clone(&ran_on));
            let hold = hold.map(Mutex::new);
            std::thread::spawn(move || {
                let mut conn = target.connect().expect("a connection");
                write_transaction_grouped(&mut conn, move |conn| -> Result<i64, diesel::result::Error> {
                    ran_on.lock().expect("not poisoned").push((n, std::thread::current().id()));
                    conn.batch_execute(&format!("INSERT INTO t (n) VALUES ({n})"))?;
                    if let Some(hold) = &hold {
                        let hold = hold.lock().expect("not poisoned");
                        hold.0.send(()).expect("the test listens");
                        hold.1.recv().expect("the test releases");
                    }
                    if n < 0 {
                        return Err(diesel::result::Error::RollbackTransaction);
                    }
                    Ok(n * 10)
                })
            })
        };
        let (holding, held) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel();
        let first = spawn(100, Some((holding, released)));
        held.recv().expect("the first transaction is being written");
        let others: Vec<_> = [1, -2, 3].into_iter().map(|n| spawn(n, None)).collect();
        while gate.grouped.waiting() < 3 {
            std::thread::sleep(Duration::from_millis(5));
        }
        release.send(()).expect("the first transaction waits");
        assert_eq!(first.join().expect("the first writer").expect("committed"), 1000);
        let outcomes: Vec<_> = others.into_iter().map(|other| other.join().expect("a writer")).collect();
        assert!(
            matches!(outcomes[..], [Ok(10), Err(diesel::result::Error::RollbackTransaction), Ok(30)]),
            "{outcomes:?}"
        );
        let kept: Vec<i64> = diesel::sql_query("SELECT n FROM t ORDER BY n")
            .load::<N>(&mut conn)
            .expect("rows")
            .into_iter()
            .map(|r| r.n)
            .collect();
        assert_eq!(kept, vec![1, 3, 100], "the stopped one's insert is undone, the others' kept");
        let ran_on = ran_on.lock().expect("not poisoned");
        let threads: std::collections::HashSet<_> = ran_on.iter().filter(|(n, _)| *n != 100).map(|(_, t)| *t).collect();
        assert_eq!(ran_on.len(), 4, "each ran once: {ran_on:?}");
        assert_eq!(threads.len(), 1, "the three queued ones ran in one transaction");
    }

    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    #[test]
    fn a_writer_of_this_process_waits_for_another_instead_of_finding_the_database_locked() {
        let (_dir, target, mut holder) = file_with_a_table();
        let mut waiter = target.connect().expect("a connection");
        // Without waiting for the lock, SQLite refuses a writer that finds it
        // taken at once: only the gate can make this one wait.
        waiter.batch_execute("PRAGMA busy_timeout = 0").expect("no busy wait");
        let (holding, held) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let first = std::thread::spawn(move || {
            write_transaction(&mut holder, |conn| -> Result<(), diesel::result::Error> {
                conn.batch_execute("INSERT INTO t (n) VALUES (1)")?;
                holding.send(()).expect("the test listens");
                released.recv().expect("the test releases");
                Ok(())
            })
        });
        held.recv().expect("the first writer holds the lock");
        let second = std::thread::spawn(move || {
            write_transaction(&mut waiter, |conn| conn.batch_execute("INSERT INTO t (n) VALUES (2)"))
        });
        // Give the second writer time to reach the lock while it is held.
        std::thread::sleep(Duration::from_millis(100));
        release.send(()).expect("the first writer waits");
        first.join().expect("the first writer").expect("the first write");
        second.join().expect("the second writer").expect("the second write waited and succeeded");
    }

    /// Every statement a connection starts.
    struct Started(Arc<Mutex<Vec<String>>>);

    impl Instrumentation for Started {
        fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                self.0.lock().unwrap_or_else(PoisonError::into_inner).push(query.to_string());
            }
        }
    }

    #[test]
    fn a_sqlite_connection_is_handed_out_without_a_statement() {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let url = format!("sqlite://{}", dir.path().join("checkout.db").display());
        let pool = build_pool(&url, 1, Duration::from_secs(30)).expect("a pool");
        let started = Arc::new(Mutex::new(Vec::new()));
        {
            let mut conn = pool.get().expect("a connection");
            let DbConnection::Sqlite(sqlite) = &mut *conn else { panic!("a SQLite connection") };
            sqlite.set_instrumentation(Started(Arc::clone(&started)));
        }
        drop(pool.get().expect("the same connection again"));
        assert_eq!(*started.lock().expect("not poisoned"), Vec::<String>::new());
    }

    /// Runs on PostgreSQL when `TEST_DATABASE_URL` names a server.
    #[test]
    fn a_postgresql_connection_is_checked_at_checkout_unless_it_answered_just_before() {
        let Ok(url) = std::env::var("TEST_DATABASE_URL") else { return };
        let pool = build_pool(&url, 1, Duration::from_secs(30)).expect("a pool");
        // A check is a statement, and a statement that succeeds moves the
        // connection's answered_at: an unchanged one means nothing ran.
        let answered_at = |conn: &mut PooledConnection| attached(conn).expect("attached").answered_at;
        let age = |conn: &mut PooledConnection, by: Duration| {
            let attached = attached(conn).expect("attached");
            attached.answered_at = attached.answered_at.map(|at| at - by);
        };
        let mut conn = pool.get().expect("a connection");
        conn.batch_execute("SELECT 2").expect("an answer");
        let answered = answered_at(&mut conn);
        assert!(answered.is_some());
        drop(conn);
        let mut conn = pool.get().expect("the same connection, just used");
        assert_eq!(answered_at(&mut conn), answered, "handed out unchecked");
        age(&mut conn, ANSWERED_RECENTLY);
        let aged = answered_at(&mut conn);
        drop(conn);
        let mut conn = pool.get().expect("the same connection, idle for long");
        assert!(answered_at(&mut conn) > aged, "checked with a statement");
        assert!(conn.batch_execute("SELECT * FROM no_such_table").is_err());
        assert_eq!(answered_at(&mut conn), None, "a failed statement leaves the connection to be checked");
        drop(conn);
        let mut conn = pool.get().expect("the same connection, after a failure");
        assert!(answered_at(&mut conn).is_some(), "checked with a statement");
    }

    #[tokio::test]
    async fn requests_waiting_for_a_connection_get_one_in_the_order_they_asked() {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let url = format!("sqlite://{}", dir.path().join("turns.db").display());
        let pool = build_pool(&url, 1, Duration::from_secs(30)).expect("a pool");
        let (holding, held) = tokio::sync::oneshot::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = tokio::spawn({
            let pool = pool.clone();
            async move {
                run(&pool, move |_| {
                    holding.send(()).expect("the test listens");
                    released.recv().expect("the test releases");
                    Ok(())
                })
                .await
            }
        });
        held.await.expect("the first request holds the only connection");
        let served = Arc::new(Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..16 {
            let (pool, served) = (pool.clone(), Arc::clone(&served));
            waiting.push(tokio::spawn(async move {
                run(&pool, move |_| {
                    served.lock().expect("not poisoned").push(n);
                    Ok(())
                })
                .await
            }));
            // Each asks before the next one is started.
            tokio::task::yield_now().await;
        }
        release.send(()).expect("the first request waits");
        holder.await.expect("the first request ended").expect("the first request was served");
        for request in waiting {
            request.await.expect("a waiting request ended").expect("a waiting request was served");
        }
        assert_eq!(*served.lock().expect("not poisoned"), (0..16).collect::<Vec<_>>());
    }

    #[test]
    fn the_backend_comes_from_the_url_scheme() {
        let cases = [
            ("sqlite://data/p.db", Some(DatabaseTarget::Sqlite("data/p.db".into()))),
            ("postgres://u@h/db", Some(DatabaseTarget::Postgres("postgres://u@h/db".into()))),
            ("postgresql://u@h/db", Some(DatabaseTarget::Postgres("postgresql://u@h/db".into()))),
            ("mysql://u@h/db", None),
            ("sqlite://", None),
            ("data/p.db", None),
        ];
        for (url, expected) in cases {
            assert_eq!(DatabaseTarget::parse(url).ok(), expected, "{url}");
        }
    }
}
