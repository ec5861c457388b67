//! The webhook outbox: events are recorded inside the caller's transaction,
//! with one delivery per matching subscription created at the same time
//! (fan-out at record time), so a rolled-back change leaves neither and a
//! committed one always has its deliveries waiting for a worker.

use chrono::Utc;
use diesel::prelude::*;

use crate::db::schema::{webhook_deliveries, webhook_events, webhook_subscriptions};
use crate::db::DbConnection;
use crate::domain::webhook::{
    message_id, self_link, DeliveryStatus, EventData, EventIds, EventLinks, EventPayload, EventType, OwnerKind,
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
/// transaction; returns its `webhook-id`.
pub fn record_event(conn: &mut DbConnection, event_type: EventType, event: NewEvent) -> QueryResult<String> {
    let now = Utc::now();
    let id = message_id(uuid::Uuid::now_v7());
    let payload = EventPayload {
        id: id.clone(),
        event_type,
        timestamp: now,
        data: EventData { links: EventLinks { self_link: self_link(event_type, &event.ids) }, ids: event.ids.clone() },
    };
    let body = serde_json::to_string(&payload).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::id.eq(&id),
            webhook_events::event_type.eq(event_type.as_str()),
            webhook_events::occurred_at.eq(now.naive_utc()),
            webhook_events::payload.eq(body),
            webhook_events::organisation_id.eq(event.organisation_id),
            webhook_events::school_id.eq(event.school_id),
            webhook_events::public_offer.eq(event.public_offer),
        ))
        .execute(conn)?;
    let receivers = receivers(conn, event_type, &event)?;
    // One statement per delivery: the multi-backend connection has no batch insert.
    for subscription_id in receivers {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::event_id.eq(&id),
                webhook_deliveries::subscription_id.eq(subscription_id),
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(now.naive_utc()),
                webhook_deliveries::created_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// Enabled subscriptions whose owner scope covers the event and whose filter
/// lets its type through.
fn receivers(conn: &mut DbConnection, event_type: EventType, event: &NewEvent) -> QueryResult<Vec<i64>> {
    let mut scope = webhook_subscriptions::table.filter(webhook_subscriptions::owner_kind.eq("-")).into_boxed();
    if let Some(organisation) = event.organisation_id {
        scope = scope.or_filter(
            webhook_subscriptions::owner_kind
                .eq(OwnerKind::Organisation.as_str())
                .and(webhook_subscriptions::owner_id.eq(organisation)),
        );
    }
    if let Some(school) = event.school_id {
        scope = scope.or_filter(
            webhook_subscriptions::owner_kind
                .eq(OwnerKind::School.as_str())
                .and(webhook_subscriptions::owner_id.eq(school)),
        );
    }
    if event.public_offer {
        scope = scope.or_filter(webhook_subscriptions::owner_kind.eq(OwnerKind::PartnerPortal.as_str()));
    } else if let Some(source) = event.source.as_deref().filter(|s| !s.is_empty()) {
        scope = scope.or_filter(
            webhook_subscriptions::owner_kind
                .eq(OwnerKind::PartnerPortal.as_str())
                .and(webhook_subscriptions::name.eq(source.to_owned())),
        );
    }
    let candidates: Vec<(i64, String, String, bool)> = scope
        .select((
            webhook_subscriptions::id,
            webhook_subscriptions::owner_kind,
            webhook_subscriptions::events,
            webhook_subscriptions::enabled,
        ))
        .load(conn)?;
    Ok(candidates
        .into_iter()
        .filter(|(_, owner_kind, events, enabled)| {
            let receives = owner_kind.parse::<OwnerKind>().is_ok_and(|kind| kind.may_receive(event_type));
            let wanted = events.is_empty() || events.split(',').any(|e| e == event_type.as_str());
            *enabled && receives && wanted
        })
        .map(|(id, ..)| id)
        .collect())
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
