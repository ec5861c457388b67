//! Webhook subscriptions: partner portals (admins), organisations
//! (recruiters) and schools (school staff) register where events are POSTed,
//! read their delivery log and redeliver.

use actix_web::http::header::{CACHE_CONTROL, LOCATION};
use actix_web::{delete, get, patch, post, web, HttpResponse};

use crate::app::webhooks::{self as app, DeliveryQuery, Webhook, WebhookDelivery, WebhookWithSecret};
use crate::app::AppState;
use crate::auth::Caller;
use crate::domain::webhook::{WebhookDraft, WebhookPatch};
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageQuery};
use crate::routes::body;
use crate::routes::extract::{Json, Query};

/// An answer carrying a signing secret: never kept by a cache.
fn secret_answer(status: actix_web::http::StatusCode, body: &WebhookWithSecret) -> HttpResponse {
    let mut answer = HttpResponse::build(status);
    answer.insert_header((CACHE_CONTROL, "no-store"));
    crate::routes::body::json(answer, body)
}

/// Register a webhook subscription.
///
/// The owner is the caller: an admin registers a partner portal (public offer
/// events, and events about applications whose `source` is the portal's
/// `name`, and the offer alerts of the students who chose it), a recruiter
/// their organisation (its offers, their applications and placements), school
/// staff their school (its students' applications and placements). Students
/// and the committee: 403. `events` narrows what it receives (empty: every
/// type its owner may receive); naming a type the owner does not receive is a
/// 422 on that entry. The URL takes `https://` (and `http://` outside
/// production); addresses that are private, loopback, link-local (the cloud
/// metadata service among them) or otherwise not public are refused here when
/// the URL names one, and at each delivery on the addresses the host resolves
/// to. At most 25 subscriptions per owner (409 past it).
///
/// The answer carries the signing secret (`whsec_…`), shown this once. Every
/// delivery is signed by the Standard Webhooks scheme: `webhook-signature` is
/// `v1,` and the base64 HMAC-SHA256, keyed by the base64-decoded part of the
/// secret, of `{webhook-id}.{webhook-timestamp}.{body}`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = WebhookDraft,
    responses(
        (status = 201, description = "The subscription and its secret", body = WebhookWithSecret, headers(("Location" = String, description = "The subscription's URL"), ("Cache-Control" = String, description = "`no-store`: the answer carries a secret"))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The owner has 25 subscriptions already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<WebhookDraft>,
) -> Result<HttpResponse, ApiError> {
    let created = app::create_webhook(&state, caller, body.into_inner()).await?;
    let mut answer = secret_answer(actix_web::http::StatusCode::CREATED, &created);
    let location = format!("/api/v1/webhooks/{}", created.webhook.id);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&location) {
        answer.headers_mut().insert(LOCATION, value);
    }
    Ok(answer)
}

/// List the caller's webhook subscriptions, by id.
///
/// Admins see the partner portals', recruiters their organisation's, school
/// staff their school's; never the secrets.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = Page<Webhook>),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PageQuery>,
) -> Result<body::Json<Page<Webhook>>, ApiError> {
    Ok(body::Json(app::list_webhooks(&state, caller, query.into_inner()).await?))
}

/// One of the caller's webhook subscriptions.
///
/// Another owner's subscription is a 404, as is one that does not exist.
/// `disabled_reason` says why the server stopped it (every delivery failing
/// for three days); `failing_since` when the current run of failures began.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription", body = Webhook),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<body::Json<Webhook>, ApiError> {
    Ok(body::Json(app::get_webhook(&state, caller, id.into_inner()).await?))
}

/// Change one of the caller's webhook subscriptions.
///
/// Absent fields are kept; the rules of registration apply. `enabled: false`
/// pauses deliveries (they wait, and are sent once it is enabled again);
/// `enabled: true` also clears the reason a disabled subscription was stopped
/// for and its run of failures.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id")),
    request_body = WebhookPatch,
    responses(
        (status = 200, description = "The subscription", body = Webhook),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("")]
pub async fn patch_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<WebhookPatch>,
) -> Result<body::Json<Webhook>, ApiError> {
    Ok(body::Json(app::patch_webhook(&state, caller, id.into_inner(), body.into_inner()).await?))
}

/// Delete one of the caller's webhook subscriptions and its delivery log.
///
/// Deliveries still waiting are not sent.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    app::delete_webhook(&state, caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issue a new signing secret.
///
/// For 24 hours (`previous_secret_expires_at`) every delivery carries two
/// signatures in `webhook-signature`, space-separated, one by each secret, so
/// that receivers can switch without losing a delivery. Rotating again within
/// that time drops the oldest secret.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription and its new secret", body = WebhookWithSecret, headers(("Cache-Control" = String, description = "`no-store`: the answer carries a secret"))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let rotated = app::rotate_secret(&state, caller, id.into_inner()).await?;
    Ok(secret_answer(actix_web::http::StatusCode::OK, &rotated))
}

/// Send a test event.
///
/// Queues a `webhook.ping` for this subscription alone, whatever its
/// `events`; the answer is its delivery, to follow in the log.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id")),
    responses(
        (status = 202, description = "The ping's delivery, pending", body = WebhookDelivery),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The subscription is disabled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let delivery = app::ping(&state, caller, id.into_inner()).await?;
    Ok(body::json(HttpResponse::Accepted(), &delivery))
}

/// The delivery log of a subscription, newest first.
///
/// Each delivery of each event: its state, attempts, the receiver's last
/// status code, the last error and how long the last attempt took. A delivery
/// is retried with exponential backoff (10 s doubling up to 6 h, ±20 %) for
/// about a day, 15 attempts, then `failed`; it stays in the log.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Subscription id"), DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<WebhookDelivery>),
        (status = 400, description = "Invalid parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: Query<DeliveryQuery>,
) -> Result<body::Json<Page<WebhookDelivery>>, ApiError> {
    Ok(body::Json(app::list_deliveries(&state, caller, id.into_inner(), query.into_inner()).await?))
}

/// Send a delivery again.
///
/// A delivery that succeeded (the receiver lost it) or failed (the receiver
/// is back) is queued again, due now, with a fresh schedule of attempts and
/// the same `webhook-id` and body. A pending one: 409.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Subscription id"),
        ("delivery_id" = i64, Path, description = "Delivery id"),
    ),
    responses(
        (status = 202, description = "The delivery, pending again", body = WebhookDelivery),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A student or the committee", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of the caller's, or no such delivery of it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The delivery is already pending", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let delivery = app::redeliver(&state, caller, id, delivery_id).await?;
    Ok(body::json(HttpResponse::Accepted(), &delivery))
}
