//! Writes of many requests committed in one transaction.
//!
//! Every reading of a student's data by staff or a recruiter writes a record
//! of it before the answer goes out, and every application and status move
//! is a write transaction. On SQLite each was a transaction of its own,
//! queued on the one writer: a recruiter's ranked candidates answered at
//! about 5 % of the bare framework's rate, and applying at about 2,400/s,
//! the writer busy committing transactions of a few rows each. Here the
//! request that finds nobody writing becomes the writer: it commits its own
//! write and every one queued meanwhile in one transaction, while the others
//! wait for that commit. Each request still returns only once its write is
//! committed, so nothing is answered that is not stored; without concurrent
//! writes it is the one transaction it was before.

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use diesel::QueryResult;

use super::{write_transaction, DbConnection};

/// One write, run again alone if the transaction it shared failed (a batch
/// fails whole, and each request must learn its own outcome).
pub type GroupedWrite = Arc<dyn Fn(&mut DbConnection) -> QueryResult<()> + Send + Sync>;

/// The writes of this process queued for one database.
#[derive(Default)]
pub struct GroupCommit {
    queue: Mutex<Queue>,
    committed: Condvar,
}

#[derive(Default)]
struct Queue {
    /// Writes not yet taken by a writer, in the order they came.
    waiting: Vec<(u64, GroupedWrite)>,
    /// The number the next write gets; numbers start at 1.
    next: u64,
    /// Every write numbered up to here has been taken and its batch ended.
    ended_through: u64,
    /// Writes whose batch failed, until their request has seen it.
    failed: HashSet<u64>,
    /// A request is writing a batch.
    writing: bool,
}

impl GroupCommit {
    /// Commits `write` on `conn`, in one transaction with the writes other
    /// requests queue meanwhile; returns once it is committed.
    pub fn write(&self, conn: &mut DbConnection, write: GroupedWrite) -> QueryResult<()> {
        let mut queue = self.lock();
        queue.next += 1;
        let number = queue.next;
        queue.waiting.push((number, Arc::clone(&write)));
        while queue.writing && number > queue.ended_through {
            queue = self.committed.wait(queue).unwrap_or_else(PoisonError::into_inner);
        }
        if number <= queue.ended_through {
            let failed = queue.failed.remove(&number);
            drop(queue);
            return if failed { write_transaction(conn, |conn| write(conn)) } else { Ok(()) };
        }
        queue.writing = true;
        let batch = std::mem::take(&mut queue.waiting);
        drop(queue);
        let mut leading = Leading { group: self, batch, mine: number, committed: false };
        let outcome = write_transaction(conn, |conn| leading.batch.iter().try_for_each(|(_, write)| write(conn)));
        leading.committed = outcome.is_ok();
        let shared = leading.batch.len() > 1;
        drop(leading);
        match outcome {
            // Another request's write may be what failed: ours alone says.
            Err(_) if shared => write_transaction(conn, |conn| write(conn)),
            outcome => outcome,
        }
    }

    /// How many writes wait for a writer to take them.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.lock().waiting.len()
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The batch a request is writing. Ending it, even by a panic, frees the
/// writer's place and wakes the waiting requests, which write alone if it
/// was not committed.
struct Leading<'a> {
    group: &'a GroupCommit,
    batch: Vec<(u64, GroupedWrite)>,
    mine: u64,
    committed: bool,
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let mut queue = self.group.lock();
        queue.writing = false;
        if let Some((last, _)) = self.batch.last() {
            queue.ended_through = *last;
        }
        if !self.committed {
            let others = self.batch.iter().map(|(number, _)| *number).filter(|number| *number != self.mine);
            queue.failed.extend(others);
        }
        drop(queue);
        self.group.committed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DatabaseTarget;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use std::thread::{JoinHandle, ThreadId};

    fn count(conn: &mut DbConnection, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(sql).get_result::<Count>(conn).expect("a count").n
    }

    /// Inserts `n` (0 breaks the table's CHECK), noting the thread it ran on.
    fn insert(n: i64, ran_on: &Arc<Mutex<Vec<(i64, ThreadId)>>>) -> GroupedWrite {
        let ran_on = Arc::clone(ran_on);
        Arc::new(move |conn: &mut DbConnection| {
            ran_on.lock().expect("not poisoned").push((n, std::thread::current().id()));
            conn.batch_execute(&format!("INSERT INTO t (n) VALUES ({n})"))
        })
    }

    struct Scratch {
        _dir: tempfile::TempDir,
        target: DatabaseTarget,
        group: Arc<GroupCommit>,
        ran_on: Arc<Mutex<Vec<(i64, ThreadId)>>>,
    }

    impl Scratch {
        fn new() -> Self {
            let dir = tempfile::tempdir().expect("a scratch directory");
            let target = DatabaseTarget::Sqlite(dir.path().join("group.db").display().to_string());
            let mut conn = target.connect().expect("a connection");
            conn.batch_execute("CREATE TABLE t (n INTEGER NOT NULL CHECK (n > 0))").expect("a table");
            Self { _dir: dir, target, group: Arc::default(), ran_on: Arc::default() }
        }

        fn spawn(&self, write: GroupedWrite) -> JoinHandle<QueryResult<()>> {
            let (group, target) = (Arc::clone(&self.group), self.target.clone());
            std::thread::spawn(move || group.write(&mut target.connect().expect("a connection"), write))
        }

        /// Writes `others` from threads of their own while a first write's
        /// batch is held open, so that they all queue behind it; then lets it
        /// commit and gives each one's outcome.
        fn behind_a_held_batch(&self, others: &[i64]) -> Vec<QueryResult<()>> {
            let (holding, held) = std::sync::mpsc::channel::<()>();
            let (release, released) = std::sync::mpsc::channel::<()>();
            let (holding, released) = (Mutex::new(holding), Mutex::new(released));
            let first = insert(100, &self.ran_on);
            let leader = self.spawn(Arc::new(move |conn: &mut DbConnection| {
                first(conn)?;
                holding.lock().expect("not poisoned").send(()).expect("the test listens");
                released.lock().expect("not poisoned").recv().expect("the test releases");
                Ok(())
            }));
            held.recv().expect("the first write is being written");
            let writers: Vec<_> = others.iter().map(|n| self.spawn(insert(*n, &self.ran_on))).collect();
            while self.group.lock().waiting.len() < others.len() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            release.send(()).expect("the first write waits");
            leader.join().expect("the first writer").expect("the first write");
            writers.into_iter().map(|writer| writer.join().expect("a writer")).collect()
        }

        fn ran(&self, n: i64) -> Vec<ThreadId> {
            let ran_on = self.ran_on.lock().expect("not poisoned");
            ran_on.iter().filter(|(m, _)| *m == n).map(|(_, thread)| *thread).collect()
        }
    }

    #[test]
    fn a_write_alone_is_committed_when_it_returns() {
        let scratch = Scratch::new();
        let mut conn = scratch.target.connect().expect("a connection");
        scratch.group.write(&mut conn, insert(1, &scratch.ran_on)).expect("written");
        let mut other = scratch.target.connect().expect("a connection");
        assert_eq!(count(&mut other, "SELECT COUNT(*) AS n FROM t"), 1);
    }

    #[test]
    fn writes_queued_while_one_is_written_are_committed_in_one_batch_each_once() {
        let scratch = Scratch::new();
        let outcomes = scratch.behind_a_held_batch(&[1, 2, 3, 4, 5]);
        assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
        let mut conn = scratch.target.connect().expect("a connection");
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM t"), 6, "each write once");
        assert_eq!(count(&mut conn, "SELECT SUM(n) AS n FROM t"), 115);
        // A request that writes a batch runs every write of it on its thread.
        let threads: HashSet<ThreadId> = (1..=5).flat_map(|n| scratch.ran(n)).collect();
        assert_eq!(threads.len(), 1, "the five queued writes were one batch");
        assert_eq!(scratch.ran(100).len(), 1, "the first write ran once");
        let queue = scratch.group.lock();
        assert!(!queue.writing && queue.waiting.is_empty() && queue.failed.is_empty());
    }

    #[test]
    fn a_failing_write_fails_alone_and_those_it_shared_a_batch_with_are_committed() {
        let scratch = Scratch::new();
        let outcomes = scratch.behind_a_held_batch(&[1, 0, 3]);
        assert!(outcomes[0].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
        assert!(outcomes[1].is_err(), "the failing write reports its own error");
        let mut conn = scratch.target.connect().expect("a connection");
        assert_eq!(count(&mut conn, "SELECT SUM(n) AS n FROM t"), 104, "the good ones once each");
        assert_eq!(scratch.ran(0).len(), 2, "tried in the shared batch, then alone");
        assert!(scratch.group.lock().failed.is_empty(), "every request saw its outcome");
    }
}
