//! Offer alerts: each student's preferences, and the alerts already sent
//! (one per student and offer, whatever edits follow).

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::calendar::Instant;
use crate::db::schema::{offer_alerts_sent, student_alerts, webhook_subscriptions};
use crate::db::DbConnection;
use crate::domain::webhook::OwnerKind;

/// A student's stored alert preferences.
#[derive(Debug, Clone, Queryable)]
pub struct AlertRow {
    pub student_id: i64,
    pub enabled: bool,
    pub min_score: f64,
    /// Comma-separated offer kinds; empty for every kind.
    pub kinds: String,
    pub portal: Option<String>,
    #[diesel(deserialize_as = Instant)]
    pub updated_at: NaiveDateTime,
}

/// Preferences to store.
#[derive(Debug, Clone)]
pub struct AlertChanges<'a> {
    pub enabled: bool,
    pub min_score: f64,
    pub kinds: &'a str,
    pub portal: Option<&'a str>,
}

const COLUMNS: (
    student_alerts::student_id,
    student_alerts::enabled,
    student_alerts::min_score,
    student_alerts::kinds,
    student_alerts::portal,
    student_alerts::updated_at,
) = (
    student_alerts::student_id,
    student_alerts::enabled,
    student_alerts::min_score,
    student_alerts::kinds,
    student_alerts::portal,
    student_alerts::updated_at,
);

/// The student's preferences; `None` when never set.
pub fn find(conn: &mut DbConnection, student_id: i64) -> QueryResult<Option<AlertRow>> {
    student_alerts::table.find(student_id).select(COLUMNS).first(conn).optional()
}

/// Stores the student's preferences, replacing any before, and returns them.
pub fn replace(conn: &mut DbConnection, student_id: i64, changes: &AlertChanges<'_>) -> QueryResult<AlertRow> {
    let values = (
        student_alerts::enabled.eq(changes.enabled),
        student_alerts::min_score.eq(changes.min_score),
        student_alerts::kinds.eq(changes.kinds),
        student_alerts::portal.eq(changes.portal),
        student_alerts::updated_at.eq(Utc::now().naive_utc()),
    );
    // An upsert, so two first settings at once cannot collide on the key.
    let upsert = diesel::insert_into(student_alerts::table)
        .values((student_alerts::student_id.eq(student_id), values))
        .on_conflict(student_alerts::student_id)
        .do_update()
        .set(values);
    match conn {
        DbConnection::Postgresql(c) => upsert.execute(c)?,
        DbConnection::Sqlite(c) => upsert.execute(c)?,
    };
    student_alerts::table.find(student_id).select(COLUMNS).first(conn)
}

/// Whether a partner portal's subscription bears this name.
pub fn portal_exists(conn: &mut DbConnection, name: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        webhook_subscriptions::table
            .filter(webhook_subscriptions::owner_kind.eq(OwnerKind::PartnerPortal.as_str()))
            .filter(webhook_subscriptions::name.eq(name)),
    ))
    .get_result(conn)
}

/// Whether any student has alerts on: the one lookup an offer's publication
/// pays when nobody does.
pub fn any_enabled(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(student_alerts::table.filter(student_alerts::enabled.eq(true)))).get_result(conn)
}

/// The enabled preferences of the students not yet alerted of `offer_id`.
pub fn pending_for_offer(conn: &mut DbConnection, offer_id: i64) -> QueryResult<Vec<AlertRow>> {
    let alerted = offer_alerts_sent::table
        .filter(offer_alerts_sent::offer_id.eq(offer_id))
        .filter(offer_alerts_sent::student_id.eq(student_alerts::student_id));
    student_alerts::table
        .filter(student_alerts::enabled.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(alerted)))
        .select(COLUMNS)
        .load(conn)
}

/// Records that the student was alerted of the offer; `false` when someone
/// did already (another request, meanwhile), so only one alert is sent.
pub fn mark_sent(conn: &mut DbConnection, student_id: i64, offer_id: i64) -> QueryResult<bool> {
    let row = (
        offer_alerts_sent::student_id.eq(student_id),
        offer_alerts_sent::offer_id.eq(offer_id),
        offer_alerts_sent::sent_at.eq(Utc::now().naive_utc()),
    );
    // A unique violation would abort a PostgreSQL transaction: the insert skips the row instead.
    let inserted = match conn {
        DbConnection::Postgresql(c) => {
            diesel::insert_into(offer_alerts_sent::table).values(row).on_conflict_do_nothing().execute(c)?
        }
        DbConnection::Sqlite(c) => {
            diesel::insert_into(offer_alerts_sent::table).values(row).on_conflict_do_nothing().execute(c)?
        }
    };
    Ok(inserted == 1)
}

/// The offers the student was alerted of, with when, oldest first.
pub fn sent_to(conn: &mut DbConnection, student_id: i64) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    offer_alerts_sent::table
        .filter(offer_alerts_sent::student_id.eq(student_id))
        .order((offer_alerts_sent::sent_at.asc(), offer_alerts_sent::offer_id.asc()))
        .select((offer_alerts_sent::offer_id, offer_alerts_sent::sent_at))
        .load(conn)
}

/// Deletes the student's preferences and the record of the alerts sent, in
/// the caller's transaction (erasure).
pub fn erase(conn: &mut DbConnection, student_id: i64) -> QueryResult<()> {
    diesel::delete(student_alerts::table.filter(student_alerts::student_id.eq(student_id))).execute(conn)?;
    diesel::delete(offer_alerts_sent::table.filter(offer_alerts_sent::student_id.eq(student_id))).execute(conn)?;
    Ok(())
}
