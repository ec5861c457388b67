//! The webhook outbox: events are recorded inside the caller's transaction,
//! with one delivery per matching subscription created at the same time
//! (fan-out at record time), so a rolled-back change leaves neither and a
//! committed one always has its deliveries waiting for a worker.

use chrono::Utc;
use diesel::prelude::*;

use crate::db::schema::{webhook_deliveries, webhook_events, webhook_subscriptions};
use crate::db::DbConnection;
use crate::domain::webhook::{
    message_id, self_link, DeliveryStatus, DisabledReason, EventData, EventIds, EventLinks, EventPayload, EventType,
    OwnerKind,
};

/// What a change tells receivers, and the scope that finds them.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub ids: EventIds,
    /// The organisation of the offer involved.
    pub organisation_id: Option<i64>,
    /// The school of the student involved.
    pub school_id: Option<i64>,
    /// The partner portal an application came from (its `source`): matched
    /// against portal subscriptions' names, not stored with the event.
    pub source: Option<String>,
    /// Whether the event is about an offer anyone may read (partner portals
    /// receive those).
    pub public_offer: bool,
}

/// A subscription to insert.
#[derive(Debug, Clone)]
pub struct NewSubscription<'a> {
    pub owner_kind: OwnerKind,
    pub owner_id: Option<i64>,
    pub name: &'a str,
    pub url: &'a str,
    pub events: &'a [EventType],
    pub secret: &'a str,
    pub created_by: i64,
}

/// Inserts a subscription, returning its id.
pub fn insert_subscription(conn: &mut DbConnection, new: &NewSubscription<'_>) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let events = new.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",");
    diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::owner_kind.eq(new.owner_kind.as_str()),
            webhook_subscriptions::owner_id.eq(new.owner_id),
            webhook_subscriptions::name.eq(new.name),
            webhook_subscriptions::url.eq(new.url),
            webhook_subscriptions::events.eq(events),
            webhook_subscriptions::secret.eq(new.secret),
            webhook_subscriptions::enabled.eq(true),
            webhook_subscriptions::created_by.eq(new.created_by),
            webhook_subscriptions::created_at.eq(now),
            webhook_subscriptions::updated_at.eq(now),
        ))
        .returning(webhook_subscriptions::id)
        .get_result(conn)
}

/// Records an event of `event_type` and its deliveries, inside the caller's
/// transaction; returns its `webhook-id`. Most writes record one: on
/// PostgreSQL the event and its deliveries are one statement, on SQLite two,
/// each of a fixed shape that stays prepared, whatever the scope.
pub fn record_event(conn: &mut DbConnection, event_type: EventType, event: NewEvent) -> QueryResult<String> {
    let now = Utc::now();
    let row = EventRow::of(event_type, &event, now)?;
    let at = now.naive_utc();
    let pattern = listed_pattern(event_type);
    // Every enabled subscription whose owner's scope covers the event, whose
    // owner's kind may receive its type and whose filter lets it through. The
    // absent parts of the scope bind NULL and match nothing; a portal names
    // the source of an application, and every portal receives a public
    // offer's event.
    let deliveries = || {
        use diesel::sql_types::{Bool, Integer, Text, Timestamp};
        use webhook_subscriptions as s;
        let may = |kind: OwnerKind| kind.may_receive(event_type).into_sql::<Bool>();
        let source = event.source.as_deref().filter(|s| !event.public_offer && !s.is_empty());
        let scope = s::owner_kind
            .eq(OwnerKind::Organisation.as_str())
            .and(may(OwnerKind::Organisation))
            .and(s::owner_id.eq(event.organisation_id))
            .or(s::owner_kind
                .eq(OwnerKind::School.as_str())
                .and(may(OwnerKind::School))
                .and(s::owner_id.eq(event.school_id)))
            .or(s::owner_kind
                .eq(OwnerKind::PartnerPortal.as_str())
                .and(may(OwnerKind::PartnerPortal))
                .and(event.public_offer.into_sql::<Bool>().or(s::name.nullable().eq(source))));
        let wanted =
            s::events.eq("").or(",".into_sql::<Text>().concat(s::events).concat(",").like(&pattern).escape('\\'));
        let receivers = s::table.filter(s::enabled.and(scope).and(wanted)).select((
            row.id.as_str().into_sql::<Text>(),
            s::id,
            DeliveryStatus::Pending.as_str().into_sql::<Text>(),
            0.into_sql::<Integer>(),
            at.into_sql::<Timestamp>(),
            at.into_sql::<Timestamp>(),
        ));
        diesel::insert_into(webhook_deliveries::table).values(receivers).into_columns((
            webhook_deliveries::event_id,
            webhook_deliveries::subscription_id,
            webhook_deliveries::status,
            webhook_deliveries::attempts,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::created_at,
        ))
    };
    if let DbConnection::Postgresql(pg) = conn {
        // A round trip saved on every write that records an event.
        WithEvent { row: &row, then: deliveries() }.execute(pg)?;
        return Ok(row.id);
    }
    row.insert(conn)?;
    if let DbConnection::Sqlite(sqlite) = conn {
        deliveries().execute(sqlite)?;
    }
    Ok(row.id)
}

/// A `LIKE` pattern that finds the event type in a subscription's
/// comma-separated filter; `_` is a wildcard of its own in `LIKE`, and the
/// types hold some.
fn listed_pattern(event_type: EventType) -> String {
    let escaped = event_type.as_str().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%,{escaped},%")
}

fn insert_delivery(
    conn: &mut DbConnection,
    event_id: &str,
    subscription_id: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<i64> {
    let insert = diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::event_id.eq(event_id),
            webhook_deliveries::subscription_id.eq(subscription_id),
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::created_at.eq(now),
        ))
        .returning(webhook_deliveries::id);
    crate::per_backend!(conn, |c| insert.get_result(c))
}

/// The outbox row of an event: its `webhook-id`, its scope and the body
/// every attempt sends.
struct EventRow {
    id: String,
    event_type: EventType,
    occurred_at: chrono::NaiveDateTime,
    payload: String,
    organisation_id: Option<i64>,
    school_id: Option<i64>,
    public_offer: bool,
}

impl EventRow {
    fn of(event_type: EventType, event: &NewEvent, now: chrono::DateTime<Utc>) -> QueryResult<Self> {
        let id = message_id(uuid::Uuid::now_v7());
        let payload = EventPayload {
            id: id.clone(),
            event_type,
            timestamp: now,
            data: EventData {
                links: EventLinks { self_link: self_link(event_type, &event.ids) },
                ids: event.ids.clone(),
            },
        };
        let payload =
            serde_json::to_string(&payload).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        Ok(Self {
            id,
            event_type,
            occurred_at: now.naive_utc(),
            payload,
            organisation_id: event.organisation_id,
            school_id: event.school_id,
            public_offer: event.public_offer,
        })
    }

    fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        let insert = diesel::insert_into(webhook_events::table).values((
            webhook_events::id.eq(self.id.as_str()),
            webhook_events::event_type.eq(self.event_type.as_str()),
            webhook_events::occurred_at.eq(self.occurred_at),
            webhook_events::payload.eq(self.payload.as_str()),
            webhook_events::organisation_id.eq(self.organisation_id),
            webhook_events::school_id.eq(self.school_id),
            webhook_events::public_offer.eq(self.public_offer),
        ));
        crate::per_backend!(conn, |c| insert.execute(c))?;
        Ok(())
    }
}

/// On PostgreSQL, the event's row written by the same statement as its
/// deliveries `then`, as a `WITH` before it: the deliveries' reference to
/// the event is checked at the end of the statement, when the row is there.
struct WithEvent<'a, Q> {
    row: &'a EventRow,
    then: Q,
}

impl<Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>> diesel::query_builder::QueryFragment<diesel::pg::Pg>
    for WithEvent<'_, Q>
{
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamp};
        let row = self.row;
        out.push_sql(
            "WITH event AS (INSERT INTO webhook_events (id, event_type, occurred_at, payload, organisation_id, \
             school_id, public_offer) VALUES (",
        );
        out.push_bind_param::<Text, _>(&row.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, str>(row.event_type.as_str())?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&row.occurred_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.payload)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&row.organisation_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&row.school_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Bool, _>(&row.public_offer)?;
        out.push_sql(")) ");
        self.then.walk_ast(out.reborrow())
    }
}

impl<Q> diesel::query_builder::QueryId for WithEvent<'_, Q> {
    type QueryId = ();
    // Kept prepared by its SQL, which is the same for every event.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, C: Connection> diesel::query_dsl::RunQueryDsl<C> for WithEvent<'_, Q> {}

/// Records a `webhook.ping` for one subscription and its one delivery,
/// returning the delivery's id.
pub fn record_ping(conn: &mut DbConnection, subscription_id: i64) -> QueryResult<i64> {
    let now = Utc::now();
    let event = NewEvent {
        ids: EventIds { subscription_id: Some(subscription_id), ..EventIds::default() },
        ..NewEvent::default()
    };
    let row = EventRow::of(EventType::Ping, &event, now)?;
    row.insert(conn)?;
    insert_delivery(conn, &row.id, subscription_id, now.naive_utc())
}

/// The deliveries of a subscription, oldest first: event type, `webhook-id`
/// and status.
pub fn deliveries_of(conn: &mut DbConnection, subscription_id: i64) -> QueryResult<Vec<(String, String, String)>> {
    webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .order(webhook_deliveries::id.asc())
        .select((webhook_events::event_type, webhook_events::id, webhook_deliveries::status))
        .load(conn)
}

/// The stored body of an event.
pub fn payload_of(conn: &mut DbConnection, event_id: &str) -> QueryResult<String> {
    webhook_events::table.find(event_id).select(webhook_events::payload).first(conn)
}

/// A stored subscription.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    pub id: i64,
    pub owner_kind: String,
    pub owner_id: Option<i64>,
    pub name: String,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<chrono::NaiveDateTime>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<chrono::NaiveDateTime>,
    pub created_by: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// One subscription.
pub fn find_subscription(conn: &mut DbConnection, id: i64) -> QueryResult<Option<SubscriptionRow>> {
    webhook_subscriptions::table.find(id).select(SubscriptionRow::as_select()).first(conn).optional()
}

/// An owner's subscriptions after `after`, by id, up to `limit` + 1 (one more
/// tells whether a next page exists).
pub fn subscriptions_of(
    conn: &mut DbConnection,
    owner_kind: OwnerKind,
    owner_id: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<SubscriptionRow>> {
    let mut query = webhook_subscriptions::table
        .filter(webhook_subscriptions::owner_kind.eq(owner_kind.as_str()))
        .filter(webhook_subscriptions::id.gt(after.unwrap_or(0)))
        .into_boxed();
    query = match owner_id {
        Some(owner) => query.filter(webhook_subscriptions::owner_id.eq(owner)),
        None => query.filter(webhook_subscriptions::owner_id.is_null()),
    };
    query.order(webhook_subscriptions::id.asc()).limit(limit + 1).select(SubscriptionRow::as_select()).load(conn)
}

/// How many subscriptions an owner has.
pub fn count_subscriptions(conn: &mut DbConnection, owner_kind: OwnerKind, owner_id: Option<i64>) -> QueryResult<i64> {
    let query = webhook_subscriptions::table.filter(webhook_subscriptions::owner_kind.eq(owner_kind.as_str()));
    match owner_id {
        Some(owner) => query.filter(webhook_subscriptions::owner_id.eq(owner)).count().get_result(conn),
        None => query.filter(webhook_subscriptions::owner_id.is_null()).count().get_result(conn),
    }
}

/// The stored form of an event filter: comma-separated, empty for every type.
pub fn encode_events(events: &[EventType]) -> String {
    events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")
}

/// New name, URL, filter and state of a subscription. Enabling clears why it
/// was disabled and its run of failures.
pub fn update_subscription(
    conn: &mut DbConnection,
    id: i64,
    name: &str,
    url: &str,
    events: &[EventType],
    enabled: bool,
) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    let target = webhook_subscriptions::table.find(id);
    if enabled {
        diesel::update(target.filter(webhook_subscriptions::enabled.eq(false)))
            .set((
                webhook_subscriptions::disabled_reason.eq(None::<String>),
                webhook_subscriptions::failing_since.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    diesel::update(target)
        .set((
            webhook_subscriptions::name.eq(name),
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::events.eq(encode_events(events)),
            webhook_subscriptions::enabled.eq(enabled),
            webhook_subscriptions::updated_at.eq(now),
        ))
        .execute(conn)
}

/// A new signing secret; the current one becomes the former, signing beside
/// it until `previous_expires_at`.
pub fn rotate_secret(
    conn: &mut DbConnection,
    id: i64,
    secret: &str,
    previous_expires_at: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    diesel::update(webhook_subscriptions::table.find(id))
        .set((
            webhook_subscriptions::previous_secret.eq(webhook_subscriptions::secret.nullable()),
            webhook_subscriptions::previous_secret_expires_at.eq(previous_expires_at),
            webhook_subscriptions::secret.eq(secret),
            webhook_subscriptions::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Deletes a subscription and its delivery log.
pub fn delete_subscription(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(id))).execute(conn)?;
    diesel::delete(webhook_subscriptions::table.find(id)).execute(conn)
}

/// A delivery as its subscription's owner reads it in the log, with its
/// event's id and type.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription_id: i64,
    #[diesel(select_expression = webhook_events::id)]
    pub event_id: String,
    #[diesel(select_expression = webhook_events::event_type)]
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: chrono::NaiveDateTime,
    pub last_response_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_duration_ms: Option<i32>,
    pub created_at: chrono::NaiveDateTime,
    pub last_attempt_at: Option<chrono::NaiveDateTime>,
    pub delivered_at: Option<chrono::NaiveDateTime>,
}

/// The delivery log of a subscription, newest first, before `before`, up to
/// `limit` + 1; `status` narrows it.
pub fn delivery_log(
    conn: &mut DbConnection,
    subscription_id: i64,
    status: Option<DeliveryStatus>,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query =
        deliveries_with_events().filter(webhook_deliveries::subscription_id.eq(subscription_id)).into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status.as_str()));
    }
    if let Some(before) = before {
        query = query.filter(webhook_deliveries::id.lt(before));
    }
    query.order(webhook_deliveries::id.desc()).limit(limit + 1).select(DeliveryRow::as_select()).load(conn)
}

/// One delivery of a subscription.
pub fn find_delivery(conn: &mut DbConnection, subscription_id: i64, id: i64) -> QueryResult<Option<DeliveryRow>> {
    deliveries_with_events()
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

type DeliveriesWithEvents = diesel::dsl::InnerJoin<webhook_deliveries::table, webhook_events::table>;

fn deliveries_with_events() -> DeliveriesWithEvents {
    webhook_deliveries::table.inner_join(webhook_events::table)
}

/// Puts a delivery that is not waiting back in line, due now, with a fresh
/// schedule of attempts; returns the rows changed (0: it was already pending).
pub fn redeliver(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    diesel::update(
        webhook_deliveries::table.find(id).filter(webhook_deliveries::status.ne(DeliveryStatus::Pending.as_str())),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
        webhook_deliveries::attempts.eq(0),
        webhook_deliveries::next_attempt_at.eq(now),
        webhook_deliveries::claimed_until.eq(None::<chrono::NaiveDateTime>),
    ))
    .execute(conn)
}

/// A delivery a worker holds until its lease ends, with what it needs to send.
#[derive(Debug, Clone, Queryable)]
pub struct DueDelivery {
    pub id: i64,
    pub subscription_id: i64,
    pub attempts: i32,
    pub event_id: String,
    pub payload: String,
    pub url: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<chrono::NaiveDateTime>,
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Claims up to `limit` due deliveries until `lease_until`: pending, due, and
/// not held by another worker (or held by one whose lease ran out, after a
/// crash), of a subscription that is enabled: a disabled one's deliveries
/// wait, and go out if it is enabled again. On PostgreSQL the rows are locked
/// `FOR UPDATE SKIP LOCKED`, so workers of several processes never take the
/// same delivery; SQLite has one writer at a time, and the UPDATE itself is
/// the claim.
pub fn claim_due(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
    lease_until: chrono::NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<DueDelivery>> {
    use diesel::sql_types::{BigInt, Timestamp};
    const CLAIM: &str = "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id IN (\
        SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
        AND (claimed_until IS NULL OR claimed_until < $2) \
        AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE enabled) \
        ORDER BY next_attempt_at, id LIMIT $3{lock}) RETURNING id";
    let ids: Vec<ClaimedId> = crate::db::write_transaction(conn, |conn| match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(CLAIM.replace("{lock}", " FOR UPDATE SKIP LOCKED"))
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c),
        DbConnection::Sqlite(c) => diesel::sql_query(CLAIM.replace("{lock}", "").replace('$', "?"))
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c),
    })?;
    let ids: Vec<i64> = ids.into_iter().map(|row| row.id).collect();
    webhook_deliveries::table
        .inner_join(webhook_events::table)
        .inner_join(webhook_subscriptions::table)
        .filter(webhook_deliveries::id.eq_any(ids))
        .order(webhook_deliveries::id.asc())
        .select((
            webhook_deliveries::id,
            webhook_deliveries::subscription_id,
            webhook_deliveries::attempts,
            webhook_events::id,
            webhook_events::payload,
            webhook_subscriptions::url,
            webhook_subscriptions::secret,
            webhook_subscriptions::previous_secret,
            webhook_subscriptions::previous_secret_expires_at,
        ))
        .load(conn)
}

/// What one attempt gave.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub at: chrono::NaiveDateTime,
    pub response_code: Option<i32>,
    pub error: Option<&'a str>,
    pub duration_ms: i32,
    /// The new status: succeeded, or pending again (with `next_attempt_at`),
    /// or failed once the attempts are used up.
    pub status: DeliveryStatus,
    pub next_attempt_at: chrono::NaiveDateTime,
}

/// Records an attempt and releases the claim; a success ends the
/// subscription's run of failures, a failure starts one if none is running.
/// Returns when that run started (`None` after a success).
pub fn record_attempt(
    conn: &mut DbConnection,
    delivery: &DueDelivery,
    attempt: &Attempt<'_>,
) -> QueryResult<Option<chrono::NaiveDateTime>> {
    crate::db::write_transaction(conn, |conn| {
        diesel::update(webhook_deliveries::table.find(delivery.id))
            .set((
                webhook_deliveries::status.eq(attempt.status.as_str()),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::next_attempt_at.eq(attempt.next_attempt_at),
                webhook_deliveries::claimed_until.eq(None::<chrono::NaiveDateTime>),
                webhook_deliveries::last_response_code.eq(attempt.response_code),
                webhook_deliveries::last_error.eq(attempt.error),
                webhook_deliveries::last_duration_ms.eq(attempt.duration_ms),
                webhook_deliveries::last_attempt_at.eq(attempt.at),
                webhook_deliveries::delivered_at
                    .eq((attempt.status == DeliveryStatus::Succeeded).then_some(attempt.at)),
            ))
            .execute(conn)?;
        let subscription = webhook_subscriptions::table.find(delivery.subscription_id);
        if attempt.status == DeliveryStatus::Succeeded {
            diesel::update(subscription)
                .set(webhook_subscriptions::failing_since.eq(None::<chrono::NaiveDateTime>))
                .execute(conn)?;
            return Ok(None);
        }
        diesel::update(subscription.filter(webhook_subscriptions::failing_since.is_null()))
            .set(webhook_subscriptions::failing_since.eq(attempt.at))
            .execute(conn)?;
        subscription.select(webhook_subscriptions::failing_since).first(conn)
    })
}

/// Disables a subscription with the reason its owner reads (its run of
/// failures is kept: it says since when), and ends its waiting deliveries as
/// `failed`: they stay in the log, redeliverable once the owner has mended
/// the receiver, instead of hammering it meanwhile.
pub fn disable_subscription(conn: &mut DbConnection, subscription_id: i64, reason: DisabledReason) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::update(webhook_subscriptions::table.find(subscription_id))
            .set((
                webhook_subscriptions::enabled.eq(false),
                webhook_subscriptions::disabled_reason.eq(reason.as_str()),
                webhook_subscriptions::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::subscription_id.eq(subscription_id))
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Failed.as_str()),
            webhook_deliveries::claimed_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget};
    use diesel::connection::SimpleConnection;

    #[test]
    fn an_event_is_delivered_to_the_enabled_subscriptions_of_its_scope_whose_filter_lets_it_through() {
        let mut conn = DatabaseTarget::Sqlite(":memory:".into()).connect().expect("a connection");
        run_migrations(&mut conn).expect("migrations");
        // The subscriptions alone are looked at: no owner or account behind them.
        conn.batch_execute(
            "PRAGMA foreign_keys = OFF; \
             INSERT INTO webhook_subscriptions (id, owner_kind, owner_id, name, url, events, secret, enabled, \
                                                created_by, created_at, updated_at) VALUES \
             (1, 'organisation', 2, 'hr', 'https://h.example.org', '', 's', 1, 1, '2026-01-01', '2026-01-01'), \
             (2, 'organisation', 3, 'other-hr', 'https://h.example.org', '', 's', 1, 1, '2026-01-01', '2026-01-01'), \
             (3, 'school', 5, 'careers', 'https://h.example.org', 'application.submitted,placement.created', 's', \
              1, 1, '2026-01-01', '2026-01-01'), \
             (4, 'school', 5, 'careers-paused', 'https://h.example.org', '', 's', 0, 1, '2026-01-01', '2026-01-01'), \
             (5, 'school', 5, 'careers-offers', 'https://h.example.org', 'offer.published', 's', 1, 1, \
              '2026-01-01', '2026-01-01'), \
             (6, 'partner_portal', NULL, 'jobs-portal', 'https://h.example.org', '', 's', 1, 1, '2026-01-01', \
              '2026-01-01'), \
             (7, 'partner_portal', NULL, 'other-portal', 'https://h.example.org', '', 's', 1, 1, '2026-01-01', \
              '2026-01-01'), \
             (8, 'organisation', 2, 'look-alike', 'https://h.example.org', 'application.statusXchanged', 's', 1, 1, \
              '2026-01-01', '2026-01-01');",
        )
        .expect("subscriptions");
        let application = |source: Option<&str>| NewEvent {
            organisation_id: Some(2),
            school_id: Some(5),
            source: source.map(str::to_owned),
            ..NewEvent::default()
        };
        let public_offer = NewEvent { organisation_id: Some(2), public_offer: true, ..NewEvent::default() };
        let table: [(EventType, NewEvent, &[i64]); 5] = [
            // The organisation, the school filtering it in, the portal it came from.
            (EventType::ApplicationSubmitted, application(Some("jobs-portal")), &[1, 3, 6]),
            // Not in the school's filter, and `_` is no wildcard in a filter.
            (EventType::ApplicationStatusChanged, application(None), &[1]),
            // Schools receive no offer events, whatever their filter; every portal does.
            (EventType::OfferPublished, public_offer.clone(), &[1, 6, 7]),
            // Alerts never reach an organisation.
            (EventType::AlertMatchingOffer, public_offer, &[6, 7]),
            // No scope at all: nobody.
            (EventType::PlacementCreated, NewEvent::default(), &[]),
        ];
        for (event_type, event, expected) in table {
            let id = record_event(&mut conn, event_type, event).expect("an event");
            let mut received: Vec<i64> = webhook_deliveries::table
                .filter(webhook_deliveries::event_id.eq(&id))
                .select(webhook_deliveries::subscription_id)
                .load(&mut conn)
                .expect("its deliveries");
            received.sort_unstable();
            assert_eq!(received, expected, "{event_type:?}");
        }
    }
}
