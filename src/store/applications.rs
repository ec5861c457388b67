//! Applications, their event history, the offer positions they take, and the
//! idempotency keys that make applying safe to retry.
//!
//! SQLite runs `BEGIN` deferred: a transaction that reads first and writes
//! later can fail to upgrade its lock when another writer got in between. So
//! every write transaction here starts with its write (a conditional UPDATE or
//! an INSERT), which waits on the busy timeout like any writer would.
//!
//! The statements of applying run on the backend's own connection
//! ([`crate::per_backend`]): through the multi-backend connection, every
//! execution writes its SQL out again and walks the query twice more to bind
//! it, even when the statement is prepared already; that was a quarter of the
//! instructions of an application.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::auth::policy::PipelineScope;
use crate::db::calendar::Instant;
use crate::db::schema::{application_events, applications, idempotency_keys, offers, students};
use crate::db::DbConnection;
use crate::domain::OfferStatus;
use crate::store::change_feed;
use crate::store::offers::OfferRow;
use crate::store::students::StudentRow;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: i64,
    pub offer_id: i64,
    pub student_id: i64,
    pub organisation_id: i64,
    pub status: String,
    pub cover_letter: String,
    pub source: String,
    pub score: f64,
    pub explanation: String,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Instant)]
    pub updated_at: NaiveDateTime,
}

/// An application with what its visibility depends on: the student's account
/// and school.
#[derive(Debug, Clone)]
pub struct ApplicationRecord {
    pub row: ApplicationRow,
    pub student_account: Option<i64>,
    pub school_id: i64,
}

type RecordTuple = (ApplicationRow, Option<i64>, i64);

fn record((row, student_account, school_id): RecordTuple) -> ApplicationRecord {
    ApplicationRecord { row, student_account, school_id }
}

/// One application by id. Not `first`: its `LIMIT ?` makes SQLite prepare
/// the statement again at every execution (a bound LIMIT counts as a value
/// the plan depends on, and every binding expires the plan), and the id is
/// unique already.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ApplicationRecord>> {
    applications::table
        .inner_join(students::table)
        .filter(applications::id.eq(id))
        .select((ApplicationRow::as_select(), students::account_id, students::school_id))
        .get_result::<RecordTuple>(conn)
        .optional()
        .map(|found| found.map(record))
}

/// Whether the student already applied to the offer.
pub fn exists(conn: &mut DbConnection, offer_id: i64, student_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        applications::table.filter(applications::offer_id.eq(offer_id)).filter(applications::student_id.eq(student_id)),
    ))
    .get_result(conn)
}

/// Filters of the application list.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub status: Option<String>,
    pub offer_id: Option<i64>,
    pub student_id: Option<i64>,
    /// Only those changed strictly after this instant.
    pub updated_since: Option<NaiveDateTime>,
}

/// A page of applications in `scope`, by id, after `after`; one extra row tells
/// that another page exists.
pub fn list(
    conn: &mut DbConnection,
    scope: PipelineScope,
    filter: &ApplicationFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ApplicationRecord>> {
    let mut query = applications::table
        .inner_join(students::table)
        .select((ApplicationRow::as_select(), students::account_id, students::school_id))
        .order(applications::id.asc())
        .limit(limit + 1)
        .into_boxed();
    query = match scope {
        PipelineScope::All => query,
        PipelineScope::StudentAccount(account) => query.filter(students::account_id.eq(account)),
        PipelineScope::Organisation(organisation) => query.filter(applications::organisation_id.eq(organisation)),
        PipelineScope::School(school) => query.filter(students::school_id.eq(school)),
    };
    if let Some(status) = &filter.status {
        query = query.filter(applications::status.eq(status.clone()));
    }
    if let Some(offer_id) = filter.offer_id {
        query = query.filter(applications::offer_id.eq(offer_id));
    }
    if let Some(student_id) = filter.student_id {
        query = query.filter(applications::student_id.eq(student_id));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(applications::updated_at.gt(since));
    }
    if let Some(after) = after {
        query = query.filter(applications::id.gt(after));
    }
    Ok(query.load::<RecordTuple>(conn)?.into_iter().map(record).collect())
}

/// A new application, scored at the time of applying.
pub struct NewApplication<'a> {
    pub offer_id: i64,
    pub student_id: i64,
    pub organisation_id: i64,
    pub status: &'a str,
    pub cover_letter: &'a str,
    pub source: &'a str,
    pub score: f64,
    pub explanation: &'a str,
}

/// Inserts the application with its first event and tells the change feed, in
/// the caller's transaction. `None` when the student already applied.
pub fn insert(conn: &mut DbConnection, new: &NewApplication, actor: i64) -> QueryResult<Option<i64>> {
    Ok(insert_returning(conn, new, actor)?.map(|row| row.id))
}

/// [`insert`], returning the row as stored, so that the answer needs no read back.
pub fn insert_returning(
    conn: &mut DbConnection,
    new: &NewApplication,
    actor: i64,
) -> QueryResult<Option<ApplicationRow>> {
    let now = Utc::now().naive_utc();
    let sqlite = match conn {
        DbConnection::Postgresql(pg) => {
            // Round trips to the server are most of what applying costs
            // there: the three writes go as one statement.
            return FirstApplicationWrites { new, actor, now }.get_result(pg).optional();
        }
        DbConnection::Sqlite(sqlite) => sqlite,
    };
    let insert = diesel::insert_into(applications::table).values((
        applications::offer_id.eq(new.offer_id),
        applications::student_id.eq(new.student_id),
        applications::organisation_id.eq(new.organisation_id),
        applications::status.eq(new.status),
        applications::cover_letter.eq(new.cover_letter),
        applications::source.eq(new.source),
        applications::score.eq(new.score),
        applications::explanation.eq(new.explanation),
        applications::created_at.eq(now),
        applications::updated_at.eq(now),
    ));
    let row: ApplicationRow = match insert.returning(ApplicationRow::as_returning()).get_result(sqlite) {
        Ok(row) => row,
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => return Ok(None),
        Err(other) => return Err(other),
    };
    record_event(conn, row.id, actor, None, new.status, "")?;
    change_feed::recorded(conn, change_feed::APPLICATION, row.id)?;
    Ok(Some(row))
}

/// On PostgreSQL, the application, its first event and its change-feed row
/// in one statement, answering the stored row; no row when the student
/// applied already, without aborting the transaction. The same writes as the
/// three statements on SQLite, which has no writing `WITH`.
struct FirstApplicationWrites<'a> {
    new: &'a NewApplication<'a>,
    actor: i64,
    now: NaiveDateTime,
}

impl diesel::query_builder::Query for FirstApplicationWrites<'_> {
    type SqlType = (
        diesel::sql_types::BigInt,
        diesel::sql_types::BigInt,
        diesel::sql_types::BigInt,
        diesel::sql_types::BigInt,
        diesel::sql_types::Text,
        diesel::sql_types::Text,
        diesel::sql_types::Text,
        diesel::sql_types::Double,
        diesel::sql_types::Text,
        diesel::sql_types::Timestamp,
        diesel::sql_types::Timestamp,
    );
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for FirstApplicationWrites<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Double, Text, Timestamp};
        let new = self.new;
        out.push_sql(
            "WITH application AS (INSERT INTO applications (offer_id, student_id, organisation_id, status, \
             cover_letter, source, score, explanation, created_at, updated_at) VALUES (",
        );
        out.push_bind_param::<BigInt, _>(&new.offer_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&new.student_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&new.organisation_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&new.status)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&new.cover_letter)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&new.source)?;
        out.push_sql(", ");
        out.push_bind_param::<Double, _>(&new.score)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&new.explanation)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(
            ") ON CONFLICT (offer_id, student_id) DO NOTHING RETURNING *), \
             event AS (INSERT INTO application_events (application_id, actor_account_id, from_status, to_status, \
             note, at) SELECT id, ",
        );
        out.push_bind_param::<BigInt, _>(&self.actor)?;
        out.push_sql(
            ", NULL, status, '', created_at FROM application), \
             feed AS (INSERT INTO change_feed (entity, entity_id, at) SELECT ",
        );
        out.push_bind_param::<Text, _>(&change_feed::APPLICATION)?;
        out.push_sql(
            ", id, created_at FROM application) \
             SELECT id, offer_id, student_id, organisation_id, status, cover_letter, source, score, explanation, \
             created_at, updated_at FROM application",
        );
        Ok(())
    }
}

impl diesel::query_builder::QueryId for FirstApplicationWrites<'_> {
    type QueryId = FirstApplicationWrites<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C: Connection> diesel::query_dsl::RunQueryDsl<C> for FirstApplicationWrites<'_> {}

/// The applying student (not erased) and the offer, read in one statement:
/// `None` without such a student, and the offer `None` when there is none.
pub fn applicant_and_offer(
    conn: &mut DbConnection,
    account_id: i64,
    offer_id: i64,
) -> QueryResult<Option<(StudentRow, Option<OfferRow>)>> {
    let query = students::table
        .left_join(offers::table.on(offers::id.eq(offer_id)))
        .filter(students::account_id.eq(account_id))
        .filter(students::erased_at.is_null());
    crate::per_backend!(conn, |c| query.select((StudentRow::as_select(), Option::<OfferRow>::as_select())).first(c))
        .optional()
}

/// Moves the application from `from` to `to` if it is still in `from`; false
/// when someone else moved it first.
pub fn move_status(conn: &mut DbConnection, id: i64, from: &str, to: &str) -> QueryResult<bool> {
    Ok(move_status_returning(conn, id, from, to)?.is_some())
}

/// [`move_status`], returning the row as it now stands, so that the answer
/// needs no read back.
pub fn move_status_returning(
    conn: &mut DbConnection,
    id: i64,
    from: &str,
    to: &str,
) -> QueryResult<Option<ApplicationRow>> {
    let update = diesel::update(applications::table.find(id).filter(applications::status.eq(from)))
        .set((applications::status.eq(to), applications::updated_at.eq(Utc::now().naive_utc())));
    crate::per_backend!(conn, |c| update.returning(ApplicationRow::as_returning()).get_result(c)).optional()
}

pub fn record_event(
    conn: &mut DbConnection,
    application_id: i64,
    actor: i64,
    from: Option<&str>,
    to: &str,
    note: &str,
) -> QueryResult<()> {
    let insert = diesel::insert_into(application_events::table).values((
        application_events::application_id.eq(application_id),
        application_events::actor_account_id.eq(actor),
        application_events::from_status.eq(from),
        application_events::to_status.eq(to),
        application_events::note.eq(note),
        application_events::at.eq(Utc::now().naive_utc()),
    ));
    crate::per_backend!(conn, |c| insert.execute(c))?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = application_events)]
pub struct EventRow {
    pub id: i64,
    pub actor_account_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    #[diesel(deserialize_as = Instant)]
    pub at: NaiveDateTime,
}

/// The history of an application, oldest first.
pub fn events(conn: &mut DbConnection, application_id: i64) -> QueryResult<Vec<EventRow>> {
    application_events::table
        .filter(application_events::application_id.eq(application_id))
        .order(application_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// Takes one position of the offer if one is left, in the caller's
/// transaction. The condition sits in the UPDATE itself, so two acceptances
/// can never both take the last position: PostgreSQL re-checks it on the row
/// the first one committed, SQLite runs one writer at a time. When the last
/// position goes, the offer becomes filled. Returns whether a position was
/// taken.
pub fn take_position(conn: &mut DbConnection, offer_id: i64) -> QueryResult<bool> {
    Ok(take_position_recorded(conn, offer_id)?.is_some())
}

/// [`take_position`], returning the change feed id of the offer's change
/// when a position was taken.
pub fn take_position_recorded(conn: &mut DbConnection, offer_id: i64) -> QueryResult<Option<i64>> {
    let now = Utc::now().naive_utc();
    let taken = diesel::update(offers::table.find(offer_id).filter(offers::positions_taken.lt(offers::positions)))
        .set((
            offers::positions_taken.eq(offers::positions_taken + 1),
            offers::version.eq(offers::version + 1),
            offers::updated_at.eq(now),
        ))
        .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    diesel::update(
        offers::table
            .find(offer_id)
            .filter(offers::positions_taken.ge(offers::positions))
            .filter(offers::status.eq(OfferStatus::Open.as_str())),
    )
    .set(offers::status.eq(OfferStatus::Filled.as_str()))
    .execute(conn)?;
    change_feed::recorded(conn, change_feed::OFFER, offer_id).map(Some)
}

/// What became of an attempt to claim an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new and now held by this request.
    Claimed,
    /// The same request was answered before: answer the same.
    Replay { status: u16, body: String },
    /// The same request is being processed right now.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

pub const KEY_IN_PROGRESS: &str = "in_progress";
/// A claim older than this was left by a request that died (a crashed
/// process): the next request with the same key takes it over.
pub const ABANDONED_CLAIM: chrono::Duration = chrono::Duration::minutes(2);
pub const KEY_DONE: &str = "done";

/// Claims `key` for a request hashing to `hash`. The claim commits on its own,
/// before the work, so that a concurrent replay sees it and is told to wait.
pub fn claim_key(conn: &mut DbConnection, account_id: i64, key: &str, hash: &str) -> QueryResult<Claim> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::account_id.eq(account_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(hash),
            idempotency_keys::state.eq(KEY_IN_PROGRESS),
            idempotency_keys::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => return Ok(Claim::Claimed),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(other) => return Err(other),
    }
    type Stored = (String, String, Option<i32>, Option<String>, chrono::NaiveDateTime);
    let (stored_hash, state, status, body, claimed_at): Stored = idempotency_keys::table
        .find((account_id, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::state,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
            idempotency_keys::created_at,
        ))
        .get_result(conn)?;
    let now = Utc::now().naive_utc();
    if stored_hash == hash && state == KEY_IN_PROGRESS && now - claimed_at > ABANDONED_CLAIM {
        // Only one of several concurrent takers matches the old claim time.
        let taken = diesel::update(
            idempotency_keys::table
                .find((account_id, key))
                .filter(idempotency_keys::state.eq(KEY_IN_PROGRESS))
                .filter(idempotency_keys::created_at.eq(claimed_at)),
        )
        .set(idempotency_keys::created_at.eq(now))
        .execute(conn)?;
        if taken == 1 {
            return Ok(Claim::Claimed);
        }
    }
    Ok(if stored_hash != hash {
        Claim::Mismatch
    } else if state == KEY_DONE {
        Claim::Replay {
            status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
            body: body.unwrap_or_default(),
        }
    } else {
        Claim::InProgress
    })
}

/// Claims `key` inside the transaction of the work, the first write of it:
/// the claim and the answer then commit together or not at all, with one
/// commit for both, and a concurrent request with the same key waits for the
/// first to end (PostgreSQL holds its insert on the unique index; SQLite runs
/// one writer at a time), then finds it answered. False when the key is
/// already stored: on PostgreSQL the transaction is then aborted, and the
/// caller rolls it back and asks [`claim_key`] what the stored key means.
pub fn claim_key_in_transaction(conn: &mut DbConnection, account_id: i64, key: &str, hash: &str) -> QueryResult<bool> {
    let insert = diesel::insert_into(idempotency_keys::table).values((
        idempotency_keys::account_id.eq(account_id),
        idempotency_keys::key.eq(key),
        idempotency_keys::request_hash.eq(hash),
        idempotency_keys::state.eq(KEY_IN_PROGRESS),
        idempotency_keys::created_at.eq(Utc::now().naive_utc()),
    ));
    match crate::per_backend!(conn, |c| insert.execute(c)) {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Stores the answer of a claimed key, in the transaction of the work itself,
/// so that the answer is kept exactly when the work is.
pub fn complete_key(conn: &mut DbConnection, account_id: i64, key: &str, status: u16, body: &str) -> QueryResult<()> {
    let update = CompleteKey { account_id, key, status: i32::from(status), body };
    crate::per_backend!(conn, |c| update.execute(c))?;
    Ok(())
}

/// The update of [`complete_key`], written out so that it stays prepared:
/// diesel prepares none of its `UPDATE`s again, as a changeset may skip
/// fields, and every application runs this one.
struct CompleteKey<'a> {
    account_id: i64,
    key: &'a str,
    status: i32,
    body: &'a str,
}

impl<DB> diesel::query_builder::QueryFragment<DB> for CompleteKey<'_>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Integer>
        + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
    i32: diesel::serialize::ToSql<diesel::sql_types::Integer, DB>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, DB>) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Integer, Text};
        out.push_sql("UPDATE idempotency_keys SET state = ");
        out.push_bind_param::<Text, str>(KEY_DONE)?;
        out.push_sql(", response_status = ");
        out.push_bind_param::<Integer, _>(&self.status)?;
        out.push_sql(", response_body = ");
        out.push_bind_param::<Text, str>(self.body)?;
        out.push_sql(" WHERE account_id = ");
        out.push_bind_param::<BigInt, _>(&self.account_id)?;
        out.push_sql(" AND key = ");
        out.push_bind_param::<Text, str>(self.key)?;
        Ok(())
    }
}

impl diesel::query_builder::QueryId for CompleteKey<'_> {
    type QueryId = CompleteKey<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C: Connection> diesel::query_dsl::RunQueryDsl<C> for CompleteKey<'_> {}

/// Gives a claimed key up after the work failed, so that the client may retry
/// once the cause is fixed.
pub fn release_key(conn: &mut DbConnection, account_id: i64, key: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((account_id, key)).filter(idempotency_keys::state.eq(KEY_IN_PROGRESS)))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget};
    use diesel::connection::SimpleConnection;

    #[test]
    fn the_applicant_and_the_offer_come_in_one_read_without_an_erased_student() {
        let mut conn = DatabaseTarget::Sqlite(":memory:".into()).connect().expect("a connection");
        run_migrations(&mut conn).expect("migrations");
        // Only the two rows read are looked at: no school, account or organisation behind them.
        conn.batch_execute(
            "PRAGMA foreign_keys = OFF; \
             INSERT INTO students (id, account_id, school_id, student_number, first_name, last_name, email, \
                                   programme, degree_level, graduation_year, created_at, updated_at, erased_at) VALUES \
             (5, 7, 1, 'N5', 'Salma', 'Bennani', 'n5@example.org', 'Data', 'bac+5', 2027, '2026-01-01 00:00:00', '2026-01-01 00:00:00', NULL), \
             (6, 8, 1, 'N6', 'Amina', 'Tazi', 'n6@example.org', 'Data', 'bac+5', 2027, '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-02-01 00:00:00'); \
             INSERT INTO offers (id, organisation_id, created_by, kind, title, description, city, work_mode, positions, \
                                 status, created_at, updated_at) VALUES \
             (3, 2, 1, 'internship', 'Data', '', 'Rabat', 'on_site', 1, 'open', '2026-01-01 00:00:00', '2026-01-01 00:00:00');",
        )
        .expect("a student, an erased one and an offer");
        let read = |conn: &mut DbConnection, account: i64, offer: i64| {
            applicant_and_offer(conn, account, offer).expect("a read").map(|(s, o)| (s.id, o.map(|o| o.id)))
        };
        let table = [((7, 3), Some((5, Some(3)))), ((7, 99), Some((5, None))), ((8, 3), None), ((42, 3), None)];
        for ((account, offer), expected) in table {
            assert_eq!(read(&mut conn, account, offer), expected, "account {account}, offer {offer}");
        }
    }
}
