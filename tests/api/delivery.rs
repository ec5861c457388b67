//! Webhook delivery against a real receiver: a local HTTP server started by
//! each test, recording what it receives and answering as it is told. The
//! signatures are checked with an HMAC computed here from the `whsec_`
//! secret, not with the service's own signing code.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use passerelle::config::Settings;
use passerelle::db::schema::{webhook_deliveries, webhook_subscriptions};
use passerelle::domain::webhook::{secret_from_bytes, DisabledReason, EventIds, EventType, OwnerKind, MAX_ATTEMPTS};
use passerelle::store::webhooks::{insert_subscription, payload_of, record_event, NewEvent, NewSubscription};

use crate::applications::open_offer;
use crate::helpers::{spawn_app_with, TestApp};
use crate::offers::recruiters;

/// What the receiver saw of one request.
#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// The receiver's state: what it saw, and how it answers the next requests.
#[derive(Default)]
struct Script {
    seen: Vec<Received>,
    /// Status and delay of the next answers, in order.
    answers: VecDeque<(u16, Duration)>,
    /// The status once the scripted answers are used up.
    otherwise: u16,
}

struct Receiver {
    url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    fn seen(&self) -> Vec<Received> {
        self.script.lock().expect("receiver state").seen.clone()
    }
}

async fn hook(request: HttpRequest, body: web::Bytes, script: web::Data<Mutex<Script>>) -> HttpResponse {
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    let (status, delay) = {
        let mut script = script.lock().expect("receiver state");
        script.seen.push(Received { headers, body: body.to_vec() });
        let otherwise = script.otherwise;
        script.answers.pop_front().unwrap_or((otherwise, Duration::ZERO))
    };
    if !delay.is_zero() {
        actix_web::rt::time::sleep(delay).await;
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("valid status")).finish()
}

/// Starts a receiver on 127.0.0.1 answering `answers` in turn, then `otherwise`.
fn receiver(answers: &[(u16, Duration)], otherwise: u16) -> Receiver {
    let script =
        Arc::new(Mutex::new(Script { answers: answers.iter().copied().collect(), otherwise, ..Script::default() }));
    let data = web::Data::from(script.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("receiver port");
    let port = listener.local_addr().expect("receiver address").port();
    let server = HttpServer::new(move || App::new().app_data(data.clone()).route("/hook", web::post().to(hook)))
        .workers(1)
        .listen(listener)
        .expect("receiver listens")
        .run();
    tokio::spawn(server);
    Receiver { url: format!("http://127.0.0.1:{port}/hook"), script }
}

/// An address where nothing listens: a port bound then released.
fn nobody_listening() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/hook")
}

/// A service whose worker delivers at once, retries on a shrunk schedule and
/// reaches loopback receivers unless `adjust` says otherwise.
async fn delivering(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|settings| {
        settings.webhooks.deliver = true;
        settings.webhooks.allow_loopback = true;
        settings.webhooks.poll_interval_ms = 10;
        settings.webhooks.retry_scale = 0.000_01;
        settings.auth.login_attempts_per_minute = 1_000;
        adjust(settings);
    })
    .await
}

/// A subscription of organisation 1 to `url`, with its secret.
async fn subscribe(app: &TestApp, url: &str, secret_byte: u8) -> (i64, String) {
    let admin = app.admin().await;
    let secret = secret_from_bytes(&[secret_byte; 24]);
    let new = NewSubscription {
        owner_kind: OwnerKind::Organisation,
        owner_id: Some(1),
        name: "HR",
        url,
        events: &[],
        secret: &secret,
        created_by: admin.account_id,
    };
    (insert_subscription(&mut app.connection(), &new).expect("subscription inserted"), secret)
}

/// Records a ping for the subscription, as a committed change would; returns its `webhook-id`.
fn ping(app: &TestApp, subscription: i64) -> String {
    let event = NewEvent {
        ids: EventIds { subscription_id: Some(subscription), ..EventIds::default() },
        organisation_id: Some(1),
        ..NewEvent::default()
    };
    record_event(&mut app.connection(), EventType::Ping, event).expect("event recorded")
}

/// A delivery as the log keeps it.
#[derive(Debug, Clone, PartialEq, Queryable)]
struct Logged {
    event_id: String,
    status: String,
    attempts: i32,
    code: Option<i32>,
    error: Option<String>,
    duration_ms: Option<i32>,
}

fn logged(app: &TestApp, subscription: i64) -> Vec<Logged> {
    webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription))
        .order(webhook_deliveries::id.asc())
        .select((
            webhook_deliveries::event_id,
            webhook_deliveries::status,
            webhook_deliveries::attempts,
            webhook_deliveries::last_response_code,
            webhook_deliveries::last_error,
            webhook_deliveries::last_duration_ms,
        ))
        .load(&mut app.connection())
        .expect("deliveries read")
}

/// Polls the log until `done` holds for the subscription's only delivery,
/// within a bound that only a broken worker reaches.
async fn until(app: &TestApp, subscription: i64, done: impl Fn(&Logged) -> bool) -> Logged {
    let mut last = None;
    for _ in 0..1_200 {
        let rows = logged(app, subscription);
        if let [only] = rows.as_slice() {
            if done(only) {
                return only.clone();
            }
        }
        last = Some(rows);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the delivery never reached the expected state: {last:?}");
}

/// The signatures of `header` that an HMAC-SHA256 with `secret` confirms,
/// computed here from the Standard Webhooks rule: `v1,` and the base64 HMAC
/// of `{id}.{timestamp}.{body}` keyed with the base64 after `whsec_`.
fn confirmed_by(secret: &str, received: &Received) -> usize {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).expect("secret is base64");
    let signed = format!(
        "{}.{}.{}",
        received.headers["webhook-id"],
        received.headers["webhook-timestamp"],
        String::from_utf8_lossy(&received.body)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("hmac key");
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    received.headers["webhook-signature"].split(' ').filter(|signature| *signature == expected).count()
}

#[tokio::test]
async fn a_committed_change_reaches_its_receiver_signed_with_the_stored_payload_byte_for_byte() {
    let app = delivering(|_| {}).await;
    let receiver = receiver(&[], 204);
    let r = recruiters(&app).await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let secret = secret_from_bytes(&[5; 24]);
    let new = NewSubscription {
        owner_kind: OwnerKind::Organisation,
        owner_id: Some(axa_go),
        name: "HR",
        url: &receiver.url,
        events: &[EventType::OfferPublished],
        secret: &secret,
        created_by: r.admin.account_id,
    };
    let subscription = insert_subscription(&mut app.connection(), &new).expect("subscription inserted");
    let before = chrono::Utc::now().timestamp();
    open_offer(&app, &r.own, 1).await;

    let delivered = until(&app, subscription, |d| d.status == "succeeded").await;
    assert_eq!((delivered.attempts, delivered.code, delivered.error.as_deref()), (1, Some(204), None));
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let request = &seen[0];
    let stored = payload_of(&mut app.connection(), &delivered.event_id).expect("payload read");
    assert_eq!(request.body, stored.as_bytes());
    assert_eq!(request.headers["webhook-id"], delivered.event_id);
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["user-agent"], format!("Passerelle-Webhooks/{}", env!("CARGO_PKG_VERSION")));
    let timestamp: i64 = request.headers["webhook-timestamp"].parse().expect("unix seconds");
    assert!((before..=chrono::Utc::now().timestamp()).contains(&timestamp), "{timestamp}");
    assert_eq!(confirmed_by(&secret, request), 1, "{:?}", request.headers);
    assert_eq!(confirmed_by(&secret_from_bytes(&[6; 24]), request), 0, "another secret does not verify");
}

#[tokio::test]
async fn a_receiver_answering_500_is_retried_with_the_same_id_until_it_answers_200() {
    let app = delivering(|_| {}).await;
    let receiver = receiver(&[(500, Duration::ZERO), (503, Duration::ZERO)], 200);
    let (subscription, secret) = subscribe(&app, &receiver.url, 7).await;
    let id = ping(&app, subscription);

    let delivered = until(&app, subscription, |d| d.status == "succeeded").await;
    assert_eq!((delivered.attempts, delivered.code, delivered.error), (3, Some(200), None));
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    for request in &seen {
        assert_eq!(request.headers["webhook-id"], id);
        assert_eq!(request.body, seen[0].body);
        assert_eq!(confirmed_by(&secret, request), 1);
    }
}

#[tokio::test]
async fn a_receiver_that_is_down_leaves_the_delivery_failed_after_the_last_attempt() {
    let app = delivering(|_| {}).await;
    let (subscription, _) = subscribe(&app, &nobody_listening(), 8).await;
    ping(&app, subscription);

    let failed = until(&app, subscription, |d| d.status == "failed").await;
    assert_eq!(failed.attempts, MAX_ATTEMPTS);
    assert_eq!(failed.code, None);
    let error = failed.error.unwrap_or_default();
    assert!(error.starts_with("could not connect to the receiver"), "{error}");
}

#[tokio::test]
async fn a_receiver_slower_than_the_time_out_is_a_failed_attempt() {
    // The real schedule: the retry comes seconds after the test has looked.
    let app = delivering(|settings| {
        settings.webhooks.timeout_seconds = 1;
        settings.webhooks.retry_scale = 1.0;
    })
    .await;
    let receiver = receiver(&[(200, Duration::from_secs(3))], 200);
    let (subscription, _) = subscribe(&app, &receiver.url, 9).await;
    ping(&app, subscription);

    let attempted = until(&app, subscription, |d| d.attempts == 1).await;
    assert_eq!(attempted.status, "pending", "retried later");
    assert_eq!(attempted.code, None);
    assert_eq!(attempted.error.as_deref(), Some("no answer within 1 s"));
    assert!(attempted.duration_ms.is_some_and(|ms| ms >= 1_000), "{attempted:?}");
    assert_eq!(receiver.seen().len(), 1);
}

#[tokio::test]
async fn without_allow_loopback_a_loopback_receiver_is_never_sent_to() {
    let app = delivering(|settings| {
        settings.webhooks.allow_loopback = false;
        settings.webhooks.retry_scale = 1.0;
    })
    .await;
    let receiver = receiver(&[], 200);
    let (by_address, _) = subscribe(&app, &receiver.url, 10).await;
    // A name goes through the resolver, which refuses it the same way.
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let (by_name, _) = subscribe(&app, &by_name, 11).await;
    // One event of organisation 1 goes to both.
    ping(&app, by_address);

    for subscription in [by_address, by_name] {
        let refused = until(&app, subscription, |d| d.attempts == 1).await;
        assert_eq!((refused.status.as_str(), refused.code), ("pending", None));
        let error = refused.error.unwrap_or_default();
        assert!(error.contains("is loopback: deliveries go to public addresses only"), "{error}");
    }
    let error = logged(&app, by_address)[0].error.clone().unwrap_or_default();
    assert!(error.starts_with("address 127.0.0.1 is loopback"), "{error}");
    assert!(receiver.seen().is_empty(), "{:?}", receiver.seen());
}

#[tokio::test]
async fn during_a_rotation_the_former_secret_signs_beside_the_new_one() {
    let app = delivering(|_| {}).await;
    let receiver = receiver(&[], 200);
    let (subscription, secret) = subscribe(&app, &receiver.url, 12).await;
    let former = secret_from_bytes(&[13; 24]);
    let expires = chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(23);
    diesel::update(webhook_subscriptions::table.find(subscription))
        .set((
            webhook_subscriptions::previous_secret.eq(&former),
            webhook_subscriptions::previous_secret_expires_at.eq(expires),
        ))
        .execute(&mut app.connection())
        .expect("rotation recorded");
    ping(&app, subscription);

    until(&app, subscription, |d| d.status == "succeeded").await;
    let seen = receiver.seen();
    assert_eq!(seen[0].headers["webhook-signature"].split(' ').count(), 2);
    assert_eq!(confirmed_by(&secret, &seen[0]), 1);
    assert_eq!(confirmed_by(&former, &seen[0]), 1);
}

#[tokio::test]
async fn a_subscription_failing_for_three_days_is_disabled_with_a_reason_its_owner_reads() {
    let app = delivering(|settings| settings.webhooks.retry_scale = 1.0).await;
    let receiver = receiver(&[], 500);
    let (subscription, _) = subscribe(&app, &receiver.url, 14).await;
    let since = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(3) - chrono::TimeDelta::minutes(1);
    diesel::update(webhook_subscriptions::table.find(subscription))
        .set(webhook_subscriptions::failing_since.eq(since))
        .execute(&mut app.connection())
        .expect("failing since three days");
    ping(&app, subscription);

    let ended = until(&app, subscription, |d| d.status == "failed").await;
    assert_eq!((ended.attempts, ended.code), (1, Some(500)));
    let (enabled, reason, failing_since): (bool, Option<String>, Option<chrono::NaiveDateTime>) =
        webhook_subscriptions::table
            .find(subscription)
            .select((
                webhook_subscriptions::enabled,
                webhook_subscriptions::disabled_reason,
                webhook_subscriptions::failing_since,
            ))
            .first(&mut app.connection())
            .expect("subscription read");
    assert!(!enabled);
    assert_eq!(reason.as_deref(), Some(DisabledReason::Failing.as_str()));
    let kept = failing_since.expect("the run of failures is kept");
    assert!((kept - since).num_seconds().abs() < 1, "since when it failed: {kept} against {since}");
    assert_eq!(ended.error.as_deref(), Some("the receiver answered 500"));
    assert_eq!(receiver.seen().len(), 1);
}

#[tokio::test]
async fn production_refuses_to_start_with_loopback_receivers_allowed() {
    let mut settings = crate::helpers::test_settings("sqlite://never-opened.db");
    settings.environment = passerelle::config::Environment::Production;
    settings.webhooks.allow_loopback = true;
    let refused = passerelle::startup::Application::build(settings).await.err().map(|e| e.to_string());
    assert_eq!(refused.as_deref(), Some(passerelle::config::LOOPBACK_IN_PRODUCTION));
    assert!(!std::path::Path::new("never-opened.db").exists(), "refused before opening the database");
}

#[tokio::test]
async fn the_deliveries_of_a_disabled_subscription_wait_until_it_is_enabled_again() {
    // No worker: the test claims as one would.
    let app = crate::applications::spawn().await;
    let (subscription, _) = subscribe(&app, &nobody_listening(), 15).await;
    ping(&app, subscription);
    let enable = |enabled: bool| {
        diesel::update(webhook_subscriptions::table.find(subscription))
            .set(webhook_subscriptions::enabled.eq(enabled))
            .execute(&mut app.connection())
            .expect("subscription updated")
    };
    enable(false);
    let now = chrono::Utc::now().naive_utc() + chrono::TimeDelta::seconds(1);
    let lease = now + chrono::TimeDelta::seconds(30);
    let claim = || passerelle::store::webhooks::claim_due(&mut app.connection(), now, lease, 10).expect("claimed");
    assert!(claim().is_empty(), "held while disabled");
    assert_eq!(logged(&app, subscription)[0].status, "pending");
    enable(true);
    let claimed = claim();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].subscription_id, subscription);
}
