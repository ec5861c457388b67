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
    Ok(insert_returning(conn, new, actor)?.map(|inserted| inserted.row.id))
}

/// What inserting an application wrote: the row as stored, so that the
/// answer needs no read back, and its change feed id.
pub struct Inserted {
    pub row: ApplicationRow,
    pub feed_id: i64,
}

/// [`insert`], returning the stored row and the change feed id. On
/// PostgreSQL the transaction is aborted after a `None` (the unique
/// violation): the caller must roll it back.
pub fn insert_returning(conn: &mut DbConnection, new: &NewApplication, actor: i64) -> QueryResult<Option<Inserted>> {
    let now = Utc::now().naive_utc();
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
    // The returned row is selected for each backend: its columns' types are.
    let inserted = crate::per_backend!(conn, |c| insert.returning(ApplicationRow::as_returning()).get_result(c));
    let row: ApplicationRow = match inserted {
        Ok(row) => row,
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => return Ok(None),
        Err(other) => return Err(other),
    };
    record_event(conn, row.id, actor, None, new.status, "")?;
    let feed_id = change_feed::recorded(conn, change_feed::APPLICATION, row.id)?;
    Ok(Some(Inserted { row, feed_id }))
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
    let update = diesel::update(idempotency_keys::table.find((account_id, key))).set((
        idempotency_keys::state.eq(KEY_DONE),
        idempotency_keys::response_status.eq(i32::from(status)),
        idempotency_keys::response_body.eq(body),
    ));
    crate::per_backend!(conn, |c| update.execute(c))?;
    Ok(())
}

/// Gives a claimed key up after the work failed, so that the client may retry
/// once the cause is fixed.
pub fn release_key(conn: &mut DbConnection, account_id: i64, key: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((account_id, key)).filter(idempotency_keys::state.eq(KEY_IN_PROGRESS)))
        .execute(conn)?;
    Ok(())
}
