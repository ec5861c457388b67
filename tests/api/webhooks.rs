//! Webhooks: the outbox is written with the change it tells of, fanned out to
//! the subscriptions whose owner scope covers it, and never for a refused one.

use serde_json::{json, Value};

use passerelle::domain::webhook::{secret_from_bytes, DeliveryStatus, EventType, OwnerKind};
use passerelle::store::webhooks::{
    claim_due, deliveries_of, insert_subscription, payload_of, record_attempt, Attempt, NewSubscription,
};

use crate::applications::{apply_with_key, cast, open_offer, spawn};
use crate::helpers::{assert_problem, json, TestApp};
use crate::placements::{name_the_people, placement, sign};

/// Registers a subscription straight in the database, to every event its
/// owner may receive.
pub(crate) fn subscribe(
    app: &TestApp,
    owner_kind: OwnerKind,
    owner_id: Option<i64>,
    name: &str,
    created_by: i64,
) -> i64 {
    let secret = secret_from_bytes(&[1; 24]);
    let new = NewSubscription {
        owner_kind,
        owner_id,
        name,
        url: "http://127.0.0.1:9/hook",
        events: &[],
        secret: &secret,
        created_by,
    };
    insert_subscription(&mut app.connection(), &new).expect("subscription inserted")
}

/// The event types delivered to a subscription, oldest first.
fn received(app: &TestApp, subscription: i64) -> Vec<String> {
    let rows = deliveries_of(&mut app.connection(), subscription).expect("deliveries read");
    rows.into_iter()
        .map(|(event_type, _, status)| {
            assert_eq!(status, "pending");
            event_type
        })
        .collect()
}

fn payload(app: &TestApp, subscription: i64, index: usize) -> Value {
    let rows = deliveries_of(&mut app.connection(), subscription).expect("deliveries read");
    let event_id = &rows[index].1;
    let body = payload_of(&mut app.connection(), event_id).expect("payload read");
    serde_json::from_str(&body).expect("payload is JSON")
}

#[tokio::test]
async fn changes_reach_the_subscriptions_of_their_scope_with_thin_payloads() {
    let app = spawn().await;
    let c = cast(&app).await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let other_org = app.id_of("organisations", "AXA-ASSURANCE-MAROC").await;
    let ecc = app.id_of("schools", "ECC").await;
    let admin = c.admin.account_id;
    let organisation = subscribe(&app, OwnerKind::Organisation, Some(axa_go), "HR", admin);
    let other = subscribe(&app, OwnerKind::Organisation, Some(other_org), "HR", admin);
    let school = subscribe(&app, OwnerKind::School, Some(ecc), "Career office", admin);
    let portal = subscribe(&app, OwnerKind::PartnerPortal, None, "jobs-portal", admin);
    let other_portal = subscribe(&app, OwnerKind::PartnerPortal, None, "other-portal", admin);

    let offer = open_offer(&app, &c.recruiter, 2).await;
    let key = uuid::Uuid::new_v4().to_string();
    let applied = apply_with_key(&app, &c.student, offer, &key, &json!({"source": "jobs-portal"})).await;
    assert_eq!(applied.status(), 201);

    let published = EventType::OfferPublished.as_str();
    let submitted = EventType::ApplicationSubmitted.as_str();
    assert_eq!(received(&app, organisation), [published, submitted]);
    assert_eq!(received(&app, school), [submitted]);
    assert_eq!(received(&app, portal), [published, submitted]);
    assert_eq!(received(&app, other_portal), [published]);
    assert!(received(&app, other).is_empty());

    let body = payload(&app, organisation, 0);
    let id = body["id"].as_str().expect("id");
    assert!(id.starts_with("msg_"), "{id}");
    assert_eq!(body["type"], "offer.published");
    assert!(body["timestamp"].is_string());
    assert_eq!(body["data"], json!({"offer_id": offer, "links": {"self": format!("/api/v1/offers/{offer}")}}));
    let keys: Vec<&String> = body.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["data", "id", "timestamp", "type"]);
    let application = payload(&app, school, 0);
    let application_id = application["data"]["application_id"].as_i64().expect("application id");
    assert_eq!(application["data"]["links"]["self"], format!("/api/v1/applications/{application_id}"));
    assert!(application["data"].get("student_id").is_none(), "no personal data: {application}");
}

#[tokio::test]
async fn a_refused_change_records_no_event() {
    let app = spawn().await;
    let c = cast(&app).await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let organisation = subscribe(&app, OwnerKind::Organisation, Some(axa_go), "HR", c.admin.account_id);
    let offer = open_offer(&app, &c.recruiter, 1).await;
    assert_eq!(received(&app, organisation).len(), 1);
    let again = app.post_json(&format!("/api/v1/offers/{offer}/publish"), Some(&c.recruiter.token), &json!({})).await;
    assert_problem(again, 409).await;
    let foreign =
        app.post_json(&format!("/api/v1/offers/{offer}/close"), Some(&c.other_recruiter.token), &json!({})).await;
    assert!(foreign.status().is_client_error());
    assert_eq!(received(&app, organisation), [EventType::OfferPublished.as_str()]);
}

#[tokio::test]
async fn the_life_of_a_placement_reaches_its_school() {
    let app = spawn().await;
    let c = cast(&app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let school = subscribe(&app, OwnerKind::School, Some(ecc), "Career office", c.admin.account_id);
    let id = placement(&app, &c).await;
    name_the_people(&app, &c.staff, id).await;
    for signer in [&c.student, &c.staff, &c.recruiter] {
        assert_eq!(sign(&app, signer, id).await.status(), 200);
    }
    let reason = json!({"reason": "The student left the programme."});
    let terminated = app.post_json(&format!("/api/v1/placements/{id}/terminate"), Some(&c.staff.token), &reason).await;
    assert_eq!(terminated.status(), 200);
    assert_eq!(
        received(&app, school),
        [
            "application.submitted",
            "application.status_changed",
            "application.status_changed",
            "placement.created",
            "placement.amended",
            "placement.signed",
            "placement.signed",
            "placement.signed",
            "placement.fully_signed",
            "placement.terminated",
        ]
    );
    let created = payload(&app, school, 3);
    assert_eq!(created["data"]["placement_id"], id);
    assert_eq!(created["data"]["links"]["self"], format!("/api/v1/placements/{id}"));
}

#[tokio::test]
async fn due_deliveries_are_claimed_once_retried_when_due_and_taken_back_after_a_lease_runs_out() {
    let app = spawn().await;
    let c = cast(&app).await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let organisation = subscribe(&app, OwnerKind::Organisation, Some(axa_go), "HR", c.admin.account_id);
    open_offer(&app, &c.recruiter, 1).await;
    let conn = &mut app.connection();
    // Whole seconds: PostgreSQL keeps microseconds only.
    let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp() + 1, 0).expect("valid time").naive_utc();
    let lease = now + chrono::TimeDelta::seconds(30);
    let claimed = claim_due(conn, now, lease, 10).expect("claimed");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].subscription_id, organisation);
    assert!(claim_due(conn, now, lease, 10).expect("claimed").is_empty(), "held by its worker");
    // The worker died: once its lease runs out another takes the delivery.
    let later = lease + chrono::TimeDelta::seconds(1);
    let retaken = claim_due(conn, later, later + chrono::TimeDelta::seconds(30), 10).expect("claimed");
    assert_eq!(retaken.len(), 1);

    let retry_at = later + chrono::TimeDelta::seconds(10);
    let failed = Attempt {
        at: later,
        response_code: Some(500),
        error: None,
        duration_ms: 3,
        status: DeliveryStatus::Pending,
        next_attempt_at: retry_at,
    };
    assert_eq!(record_attempt(conn, &retaken[0], &failed).expect("recorded"), Some(later));
    assert!(claim_due(conn, later, retry_at, 10).expect("claimed").is_empty(), "not due yet");
    let again = claim_due(conn, retry_at, retry_at + chrono::TimeDelta::seconds(30), 10).expect("claimed");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    let succeeded = Attempt { status: DeliveryStatus::Succeeded, response_code: Some(204), at: retry_at, ..failed };
    assert_eq!(record_attempt(conn, &again[0], &succeeded).expect("recorded"), None);
    let rows = deliveries_of(conn, organisation).expect("deliveries read");
    assert_eq!(rows[0].2, "succeeded");
    assert!(claim_due(conn, retry_at + chrono::TimeDelta::days(2), retry_at, 10).expect("claimed").is_empty());
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request sent")
}

#[tokio::test]
async fn owners_register_subscriptions_see_the_secret_once_and_only_their_own() {
    let app = spawn().await;
    let c = cast(&app).await;
    let body =
        json!({"name": "jobs-portal", "url": "https://hooks.example.org/passerelle", "events": ["offer.published"]});
    let created = app.post_json("/api/v1/webhooks", Some(&c.admin.token), &body).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let location = created.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let created = json(created).await;
    let id = created["id"].as_i64().expect("id");
    assert_eq!(location, Some(format!("/api/v1/webhooks/{id}")));
    let secret = created["secret"].as_str().expect("secret");
    assert!(secret.starts_with("whsec_") && secret.len() > 30, "{secret}");
    assert_eq!(created["owner_kind"], "partner_portal");
    assert_eq!(created["owner_id"], Value::Null);
    assert_eq!(created["events"], json!(["offer.published"]));
    assert_eq!(created["enabled"], true);

    let read = json(app.get(&format!("/api/v1/webhooks/{id}"), Some(&c.admin.token)).await).await;
    assert!(read.get("secret").is_none(), "{read}");
    assert_eq!(read["url"], "https://hooks.example.org/passerelle");
    let listed = json(app.get("/api/v1/webhooks", Some(&c.admin.token)).await).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert!(listed["items"][0].get("secret").is_none());

    // A recruiter registers for their organisation and sees only that one.
    let hr = json!({"name": "HR", "url": "https://hr.example.org/in"});
    let hr = json(app.post_json("/api/v1/webhooks", Some(&c.recruiter.token), &hr).await).await;
    assert_eq!(hr["owner_kind"], "organisation");
    assert_eq!(hr["owner_id"], app.id_of("organisations", "AXA-GO").await);
    assert_eq!(hr["events"], json!([]));
    let theirs = json(app.get("/api/v1/webhooks", Some(&c.recruiter.token)).await).await;
    let ids: Vec<i64> = theirs["items"].as_array().expect("items").iter().filter_map(|w| w["id"].as_i64()).collect();
    assert_eq!(ids, [hr["id"].as_i64().expect("id")]);
    for stranger in [&c.recruiter, &c.staff, &c.other_recruiter] {
        assert_problem(app.get(&format!("/api/v1/webhooks/{id}"), Some(&stranger.token)).await, 404).await;
    }
    let other = json(app.get("/api/v1/webhooks", Some(&c.other_recruiter.token)).await).await;
    assert_eq!(other["items"], json!([]));
    // Students have none.
    assert_problem(app.post_json("/api/v1/webhooks", Some(&c.student.token), &body).await, 403).await;
}

#[tokio::test]
async fn receivers_on_private_addresses_or_with_credentials_and_foreign_events_are_refused() {
    let app = spawn().await;
    let c = cast(&app).await;
    let cases = [
        (json!({"name": "x", "url": "http://169.254.169.254/latest/meta-data"}), "url", "not_allowed"),
        (json!({"name": "x", "url": "http://10.0.0.5/hook"}), "url", "not_allowed"),
        (json!({"name": "x", "url": "http://localhost:8080/hook"}), "url", "not_allowed"),
        (json!({"name": "x", "url": "https://user:pw@hooks.example.org/"}), "url", "not_allowed"),
        (json!({"name": "x", "url": "hooks.example.org"}), "url", "invalid_format"),
        (json!({"name": " ", "url": "https://hooks.example.org/"}), "name", "required"),
        (
            json!({"name": "x", "url": "https://hooks.example.org/", "events": ["offer.published"]}),
            "events[0]",
            "not_allowed",
        ),
    ];
    for (body, field, code) in cases {
        let problem = assert_problem(app.post_json("/api/v1/webhooks", Some(&c.staff.token), &body).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}");
    }
    let unknown = json!({"name": "x", "url": "https://hooks.example.org/", "events": ["offer.exploded"]});
    let refused = app.post_json("/api/v1/webhooks", Some(&c.staff.token), &unknown).await;
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let listed = json(app.get("/api/v1/webhooks", Some(&c.staff.token)).await).await;
    assert_eq!(listed["items"], json!([]), "nothing stored");
}

#[tokio::test]
async fn loopback_receivers_are_taken_only_when_the_setting_allows_them() {
    let app = crate::helpers::spawn_app_with(|s| s.webhooks.allow_loopback = true).await;
    let admin = app.admin().await;
    let body = json!({"name": "local", "url": "http://127.0.0.1:9000/hook"});
    assert_eq!(app.post_json("/api/v1/webhooks", Some(&admin.token), &body).await.status(), 201);
    let private = json!({"name": "lan", "url": "http://192.168.1.20/hook"});
    assert_problem(app.post_json("/api/v1/webhooks", Some(&admin.token), &private).await, 422).await;
}

#[tokio::test]
async fn production_takes_https_receivers_on_public_addresses_only() {
    let app = crate::helpers::spawn_app_with(|s| s.environment = passerelle::config::Environment::Production).await;
    let admin = app.admin().await;
    let plain = json!({"name": "p", "url": "http://hooks.example.org/in"});
    let problem = assert_problem(app.post_json("/api/v1/webhooks", Some(&admin.token), &plain).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "url");
    for inside in
        ["https://10.1.2.3/in", "https://169.254.169.254/latest", "https://[fd00::1]/in", "https://localhost/in"]
    {
        let body = json!({"name": "p", "url": inside});
        let problem = assert_problem(app.post_json("/api/v1/webhooks", Some(&admin.token), &body).await, 422).await;
        assert_eq!(
            (problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()),
            (Some("url"), Some("not_allowed")),
            "{inside}"
        );
    }
    let secure = json!({"name": "p", "url": "https://hooks.example.org/in"});
    assert_eq!(app.post_json("/api/v1/webhooks", Some(&admin.token), &secure).await.status(), 201);
}

#[tokio::test]
async fn owners_change_pause_resume_rotate_and_delete_their_subscriptions() {
    let app = spawn().await;
    let c = cast(&app).await;
    let body = json!({"name": "Career office", "url": "https://career.example.org/in"});
    let created = json(app.post_json("/api/v1/webhooks", Some(&c.staff.token), &body).await).await;
    let id = created["id"].as_i64().expect("id");
    let path = format!("/api/v1/webhooks/{id}");

    let changed = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        &c.staff.token,
        Some(json!({"events": ["placement.signed"], "enabled": false})),
    )
    .await;
    let changed = json(changed).await;
    assert_eq!(changed["events"], json!(["placement.signed"]));
    assert_eq!(changed["enabled"], false);
    assert_eq!(changed["name"], "Career office");
    let bad =
        send(&app, reqwest::Method::PATCH, &path, &c.staff.token, Some(json!({"events": ["offer.closed"]}))).await;
    assert_problem(bad, 422).await;
    assert_problem(app.post_json(&format!("{path}/ping"), Some(&c.staff.token), &json!({})).await, 409).await;

    // The server disabled it for failing: enabling clears the reason and the run of failures.
    {
        use diesel::prelude::*;
        use passerelle::db::schema::webhook_subscriptions as s;
        let since = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(3);
        diesel::update(s::table.find(id))
            .set((s::disabled_reason.eq("failing"), s::failing_since.eq(since)))
            .execute(&mut app.connection())
            .expect("disabled");
    }
    let disabled = json(app.get(&path, Some(&c.staff.token)).await).await;
    assert_eq!(disabled["disabled_reason"], "failing");
    assert!(disabled["failing_since"].is_string());
    let resumed =
        json(send(&app, reqwest::Method::PATCH, &path, &c.staff.token, Some(json!({"enabled": true}))).await).await;
    assert_eq!(resumed["enabled"], true);
    assert_eq!(resumed["disabled_reason"], Value::Null);
    assert_eq!(resumed["failing_since"], Value::Null);

    let rotated = app.post_json(&format!("{path}/rotate-secret"), Some(&c.staff.token), &json!({})).await;
    assert_eq!(rotated.status(), 200);
    let rotated = json(rotated).await;
    assert_ne!(rotated["secret"], created["secret"]);
    let until: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(rotated["previous_secret_expires_at"].clone()).expect("overlap end");
    let overlap = until - chrono::Utc::now();
    assert!(overlap > chrono::TimeDelta::hours(23) && overlap <= chrono::TimeDelta::hours(24), "{overlap}");
    {
        use diesel::prelude::*;
        use passerelle::db::schema::webhook_subscriptions as s;
        let (current, previous): (String, Option<String>) =
            s::table.find(id).select((s::secret, s::previous_secret)).first(&mut app.connection()).expect("secrets");
        assert_eq!(Some(current.as_str()), rotated["secret"].as_str());
        assert_eq!(previous.as_deref(), created["secret"].as_str(), "the former secret keeps signing");
    }

    assert_eq!(send(&app, reqwest::Method::DELETE, &path, &c.other_staff.token, None).await.status(), 404);
    assert_eq!(send(&app, reqwest::Method::DELETE, &path, &c.staff.token, None).await.status(), 204);
    assert_problem(app.get(&path, Some(&c.staff.token)).await, 404).await;
}

#[tokio::test]
async fn a_ping_is_logged_for_its_subscription_alone_and_a_finished_delivery_is_redelivered() {
    let app = spawn().await;
    let c = cast(&app).await;
    let body = json!({"name": "HR", "url": "https://hr.example.org/in", "events": ["offer.closed"]});
    let id = json(app.post_json("/api/v1/webhooks", Some(&c.recruiter.token), &body).await).await["id"]
        .as_i64()
        .expect("id");
    let other = json(app.post_json("/api/v1/webhooks", Some(&c.recruiter.token), &body).await).await["id"]
        .as_i64()
        .expect("id");
    let pinged = app.post_json(&format!("/api/v1/webhooks/{id}/ping"), Some(&c.recruiter.token), &json!({})).await;
    assert_eq!(pinged.status(), 202);
    let delivery = json(pinged).await;
    assert_eq!(delivery["event_type"], "webhook.ping");
    assert_eq!(delivery["status"], "pending");
    assert_eq!(delivery["attempts"], 0);
    assert!(delivery["next_attempt_at"].is_string());
    assert!(received(&app, other).is_empty(), "a ping goes to its subscription alone");
    let body = payload(&app, id, 0);
    assert_eq!(body["data"], json!({"subscription_id": id, "links": {"self": format!("/api/v1/webhooks/{id}")}}));

    let log = json(app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&c.recruiter.token)).await).await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(log["items"][0]["event_id"], delivery["event_id"]);
    let failed_only =
        json(app.get(&format!("/api/v1/webhooks/{id}/deliveries?status=failed"), Some(&c.recruiter.token)).await).await;
    assert_eq!(failed_only["items"], json!([]));
    assert_problem(app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&c.other_recruiter.token)).await, 404)
        .await;

    let delivery_id = delivery["id"].as_i64().expect("delivery id");
    let redeliver = format!("/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver");
    assert_problem(app.post_json(&redeliver, Some(&c.recruiter.token), &json!({})).await, 409).await;
    let wrong = format!("/api/v1/webhooks/{other}/deliveries/{delivery_id}/redeliver");
    assert_problem(app.post_json(&wrong, Some(&c.recruiter.token), &json!({})).await, 404).await;

    // Every attempt failed: the owner sends it again once the receiver is back.
    let conn = &mut app.connection();
    let now = chrono::Utc::now().naive_utc() + chrono::TimeDelta::seconds(1);
    let claimed = claim_due(conn, now, now + chrono::TimeDelta::seconds(30), 10).expect("claimed");
    let gave_up = Attempt {
        at: now,
        response_code: Some(503),
        error: Some("the receiver answered 503"),
        duration_ms: 12,
        status: DeliveryStatus::Failed,
        next_attempt_at: now,
    };
    record_attempt(conn, &claimed[0], &gave_up).expect("recorded");
    let failed =
        json(app.get(&format!("/api/v1/webhooks/{id}/deliveries?status=failed"), Some(&c.recruiter.token)).await).await;
    assert_eq!(failed["items"][0]["last_response_code"], 503);
    assert_eq!(failed["items"][0]["last_error"], "the receiver answered 503");
    assert_eq!(failed["items"][0]["next_attempt_at"], Value::Null);
    let again = app.post_json(&redeliver, Some(&c.recruiter.token), &json!({})).await;
    assert_eq!(again.status(), 202);
    let again = json(again).await;
    assert_eq!(again["status"], "pending");
    assert_eq!(again["attempts"], 0);
    assert_eq!(again["event_id"], delivery["event_id"], "the same webhook-id");
}

#[tokio::test]
async fn an_owner_holds_at_most_25_subscriptions() {
    let app = spawn().await;
    let c = cast(&app).await;
    let body = json!({"name": "HR", "url": "https://hr.example.org/in"});
    for _ in 0..25 {
        assert_eq!(app.post_json("/api/v1/webhooks", Some(&c.recruiter.token), &body).await.status(), 201);
    }
    assert_problem(app.post_json("/api/v1/webhooks", Some(&c.recruiter.token), &body).await, 409).await;
    // Another owner is not counted against.
    assert_eq!(app.post_json("/api/v1/webhooks", Some(&c.other_recruiter.token), &body).await.status(), 201);
    let page = json(app.get("/api/v1/webhooks?limit=20", Some(&c.recruiter.token)).await).await;
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let rest =
        json(app.get(&format!("/api/v1/webhooks?limit=20&cursor={cursor}"), Some(&c.recruiter.token)).await).await;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(5));
}
