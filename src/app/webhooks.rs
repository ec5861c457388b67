//! Webhook subscriptions and their delivery logs. Each subscription belongs to
//! the caller who registers it (a partner portal for admins, the
//! organisation for recruiters, the school for school staff); nobody reads or
//! changes another owner's. The deliveries themselves are sent by the
//! delivery worker from the outbox that the writes fill.

use chrono::{DateTime, Utc};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::policy;
use crate::auth::Caller;
use crate::config::Environment;
use crate::db::DbConnection;
use crate::domain::webhook::{
    secret_from_bytes, validate_webhook, DeliveryStatus, DisabledReason, EventType, OwnerKind, UrlRules, WebhookDraft,
    WebhookPatch, ROTATION_OVERLAP,
};
use crate::domain::Message;
use crate::error::ApiError;
use crate::pagination::{Page, PageQuery};
use crate::store::webhooks::{self as store, DeliveryRow, NewSubscription, SubscriptionRow};

/// Subscriptions one owner may hold: enough for a test and a live endpoint
/// per system, few enough that a fan-out stays a handful of inserts.
pub const MAX_SUBSCRIPTIONS_PER_OWNER: i64 = 25;

/// Random bytes of a signing secret.
const SECRET_BYTES: usize = 24;

/// A webhook subscription as its owner reads it. The signing secret is shown
/// only when it is issued.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    #[schema(example = 4)]
    pub id: i64,
    pub owner_kind: OwnerKind,
    /// The organisation's or the school's id; null for a partner portal.
    #[schema(example = 3)]
    pub owner_id: Option<i64>,
    #[schema(example = "jobs-portal")]
    pub name: String,
    #[schema(example = "https://hooks.example.org/passerelle")]
    pub url: String,
    /// The event types it receives; empty: every type its owner may receive.
    pub events: Vec<EventType>,
    /// Whether deliveries are sent; while false they wait.
    pub enabled: bool,
    /// Why the server disabled it; null when enabled or paused by its owner.
    pub disabled_reason: Option<DisabledReason>,
    /// Start of the current run of failed attempts; null after a success.
    pub failing_since: Option<DateTime<Utc>>,
    /// After a rotation: until when the former secret also signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A subscription with its signing secret, answered once at creation and at
/// each rotation: keep it, it is never shown again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks secret: `whsec_` and the base64 of the HMAC key.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// One delivery of one event to one subscription.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDelivery {
    #[schema(example = 81)]
    pub id: i64,
    /// The `webhook-id` header and the payload's `id`.
    #[schema(example = "msg_0193a8f2c4b07d2e9c1f5a6b3d4e8f01")]
    pub event_id: String,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    #[schema(example = 2)]
    pub attempts: u32,
    /// When the next attempt is due; null unless pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's status code at the last attempt; null when it did not answer.
    #[schema(example = 503, minimum = 100, maximum = 599)]
    pub last_response_code: Option<u16>,
    /// Why the last attempt failed, when it did not get an answer or got a non-2xx one.
    #[schema(example = "the receiver answered 503")]
    pub last_error: Option<String>,
    /// How long the last attempt took, in milliseconds.
    #[schema(example = 120)]
    pub last_duration_ms: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// Filters of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn corrupt(what: &str, id: i64) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("webhook {id}: stored {what} unreadable"))
}

fn stored_events(text: &str, id: i64) -> Result<Vec<EventType>, ApiError> {
    text.split(',').filter(|e| !e.is_empty()).map(|e| e.parse().map_err(|_| corrupt("events", id))).collect()
}

fn view(row: &SubscriptionRow) -> Result<Webhook, ApiError> {
    Ok(Webhook {
        id: row.id,
        owner_kind: row.owner_kind.parse().map_err(|_| corrupt("owner kind", row.id))?,
        owner_id: row.owner_id,
        name: row.name.clone(),
        url: row.url.clone(),
        events: stored_events(&row.events, row.id)?,
        enabled: row.enabled,
        // A reason this version does not know still says the server stopped it.
        disabled_reason: row.disabled_reason.as_deref().map(|r| r.parse().unwrap_or(DisabledReason::Failing)),
        failing_since: row.failing_since.map(|t| t.and_utc()),
        previous_secret_expires_at: row
            .previous_secret_expires_at
            .filter(|expires| *expires > Utc::now().naive_utc())
            .map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

fn delivery_view(row: DeliveryRow) -> Result<WebhookDelivery, ApiError> {
    let status: DeliveryStatus = row.status.parse().map_err(|_| corrupt("delivery status", row.subscription_id))?;
    Ok(WebhookDelivery {
        id: row.id,
        event_type: row.event_type.parse().map_err(|_| corrupt("event type", row.subscription_id))?,
        event_id: row.event_id,
        status,
        attempts: u32::try_from(row.attempts).unwrap_or(0),
        next_attempt_at: (status == DeliveryStatus::Pending).then(|| row.next_attempt_at.and_utc()),
        last_attempt_at: row.last_attempt_at.map(|t| t.and_utc()),
        last_response_code: row.last_response_code.and_then(|c| u16::try_from(c).ok()),
        last_error: row.last_error,
        last_duration_ms: row.last_duration_ms.and_then(|d| u32::try_from(d).ok()),
        created_at: row.created_at.and_utc(),
        delivered_at: row.delivered_at.map(|t| t.and_utc()),
    })
}

fn url_rules(state: &AppState) -> UrlRules {
    UrlRules {
        https_only: state.settings.environment == Environment::Production,
        allow_loopback: state.settings.webhooks.allow_loopback,
    }
}

fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    secret_from_bytes(&bytes)
}

/// The caller's subscription `id`, or 404 when it is not theirs.
fn owned(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<SubscriptionRow, ApiError> {
    let row = store::find_subscription(conn, id)?.ok_or_else(|| ApiError::not_found("webhook"))?;
    let kind = row.owner_kind.parse::<OwnerKind>().map_err(|_| corrupt("owner kind", id))?;
    if policy::owns_webhook(caller, kind, row.owner_id) {
        Ok(row)
    } else {
        Err(ApiError::not_found("webhook"))
    }
}

fn with_secret(conn: &mut DbConnection, id: i64) -> Result<WebhookWithSecret, ApiError> {
    let row = store::find_subscription(conn, id)?.ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(WebhookWithSecret { webhook: view(&row)?, secret: row.secret })
}

/// Registers a subscription for the caller's owner scope and issues its secret.
pub async fn create_webhook(
    state: &AppState,
    caller: Caller,
    draft: WebhookDraft,
) -> Result<WebhookWithSecret, ApiError> {
    let (owner_kind, owner_id) = policy::webhook_owner(&caller)?;
    ApiError::check(validate_webhook(&draft, owner_kind, url_rules(state)))?;
    crate::db::run(&state.pool, move |conn| {
        let id = crate::db::write_transaction(conn, |conn| {
            if store::count_subscriptions(conn, owner_kind, owner_id)? >= MAX_SUBSCRIPTIONS_PER_OWNER {
                return Err(ApiError::conflict(
                    Message::new("webhook-limit-reached").arg("max", MAX_SUBSCRIPTIONS_PER_OWNER),
                ));
            }
            let secret = new_secret();
            let new = NewSubscription {
                owner_kind,
                owner_id,
                name: draft.name.trim(),
                url: draft.url.trim(),
                events: &draft.events,
                secret: &secret,
                created_by: caller.account_id,
            };
            Ok(store::insert_subscription(conn, &new)?)
        })?;
        with_secret(conn, id)
    })
    .await
}

/// The caller's subscriptions, by id.
pub async fn list_webhooks(state: &AppState, caller: Caller, page: PageQuery) -> Result<Page<Webhook>, ApiError> {
    let (owner_kind, owner_id) = policy::webhook_owner(&caller)?;
    let list = format!("webhooks {owner_kind} {owner_id:?}");
    let (limit, after) = (page.limit()?, page.after::<i64>(&state.cursors, &list)?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        let rows = store::subscriptions_of(conn, owner_kind, owner_id, after, limit)?;
        let (rows, next_cursor) = crate::pagination::paginate(rows, limit, &cursors, &list, |r| r.id);
        Ok(Page { items: rows.iter().map(view).collect::<Result<_, _>>()?, next_cursor })
    })
    .await
}

/// One of the caller's subscriptions.
pub async fn get_webhook(state: &AppState, caller: Caller, id: i64) -> Result<Webhook, ApiError> {
    policy::webhook_owner(&caller)?;
    crate::db::run(&state.pool, move |conn| view(&owned(conn, &caller, id)?)).await
}

/// Changes the name, URL, filter or state of one of the caller's subscriptions.
pub async fn patch_webhook(
    state: &AppState,
    caller: Caller,
    id: i64,
    patch: WebhookPatch,
) -> Result<Webhook, ApiError> {
    let (owner_kind, _) = policy::webhook_owner(&caller)?;
    let rules = url_rules(state);
    crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            let row = owned(conn, &caller, id)?;
            let current =
                WebhookDraft { name: row.name.clone(), url: row.url.clone(), events: stored_events(&row.events, id)? };
            let draft = current.patched(&patch);
            ApiError::check(validate_webhook(&draft, owner_kind, rules))?;
            let enabled = patch.enabled.unwrap_or(row.enabled);
            store::update_subscription(conn, id, draft.name.trim(), draft.url.trim(), &draft.events, enabled)?;
            Ok::<_, ApiError>(())
        })?;
        view(&owned(conn, &caller, id)?)
    })
    .await
}

/// Deletes one of the caller's subscriptions and its delivery log.
pub async fn delete_webhook(state: &AppState, caller: Caller, id: i64) -> Result<(), ApiError> {
    policy::webhook_owner(&caller)?;
    crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            owned(conn, &caller, id)?;
            store::delete_subscription(conn, id)?;
            Ok(())
        })
    })
    .await
}

/// Issues a new secret; the former one keeps signing beside it for 24 hours.
pub async fn rotate_secret(state: &AppState, caller: Caller, id: i64) -> Result<WebhookWithSecret, ApiError> {
    policy::webhook_owner(&caller)?;
    crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            owned(conn, &caller, id)?;
            store::rotate_secret(conn, id, &new_secret(), (Utc::now() + ROTATION_OVERLAP).naive_utc())?;
            Ok::<_, ApiError>(())
        })?;
        with_secret(conn, id)
    })
    .await
}

/// Queues a `webhook.ping` for one of the caller's enabled subscriptions.
pub async fn ping(state: &AppState, caller: Caller, id: i64) -> Result<WebhookDelivery, ApiError> {
    policy::webhook_owner(&caller)?;
    crate::db::run(&state.pool, move |conn| {
        let delivery = crate::db::write_transaction(conn, |conn| {
            if !owned(conn, &caller, id)?.enabled {
                return Err(ApiError::conflict(Message::new("webhook-disabled-enable-it-first")));
            }
            Ok(store::record_ping(conn, id)?)
        })?;
        delivery_view(store::find_delivery(conn, id, delivery)?.ok_or_else(|| ApiError::not_found("delivery"))?)
    })
    .await
}

/// The delivery log of one of the caller's subscriptions, newest first.
pub async fn list_deliveries(
    state: &AppState,
    caller: Caller,
    id: i64,
    query: DeliveryQuery,
) -> Result<Page<WebhookDelivery>, ApiError> {
    policy::webhook_owner(&caller)?;
    let page = PageQuery { limit: query.limit, cursor: query.cursor.clone() };
    let list = format!("webhook {id} deliveries {:?}", query.status);
    let (limit, before) = (page.limit()?, page.after::<i64>(&state.cursors, &list)?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        owned(conn, &caller, id)?;
        let rows = store::delivery_log(conn, id, query.status, before, limit)?;
        let (rows, next_cursor) = crate::pagination::paginate(rows, limit, &cursors, &list, |r| r.id);
        Ok(Page { items: rows.into_iter().map(delivery_view).collect::<Result<_, _>>()?, next_cursor })
    })
    .await
}

/// Sends a delivery again from a fresh schedule: one that succeeded (the
/// receiver lost it) or failed (the receiver is back).
pub async fn redeliver(
    state: &AppState,
    caller: Caller,
    id: i64,
    delivery_id: i64,
) -> Result<WebhookDelivery, ApiError> {
    policy::webhook_owner(&caller)?;
    crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            owned(conn, &caller, id)?;
            store::find_delivery(conn, id, delivery_id)?.ok_or_else(|| ApiError::not_found("delivery"))?;
            if store::redeliver(conn, delivery_id)? == 0 {
                return Err(ApiError::conflict(Message::new("webhook-delivery-already-pending")));
            }
            Ok(())
        })?;
        delivery_view(store::find_delivery(conn, id, delivery_id)?.ok_or_else(|| ApiError::not_found("delivery"))?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_secrets_are_standard_webhooks_secrets_of_24_random_bytes() {
        use base64::Engine as _;
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        let key = a.strip_prefix("whsec_").map(|k| base64::engine::general_purpose::STANDARD.decode(k));
        assert_eq!(key.and_then(Result::ok).map(|k| k.len()), Some(SECRET_BYTES));
    }
}
