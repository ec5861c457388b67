//! Webhooks: the outbox is written with the change it tells of, fanned out to
//! the subscriptions whose owner scope covers it, and never for a refused one.

use serde_json::{json, Value};

use passerelle::domain::webhook::{secret_from_bytes, DeliveryStatus, EventType, OwnerKind};
use passerelle::store::webhooks::{
    claim_due, deliveries_of, insert_subscription, payload_of, record_attempt, Attempt, NewSubscription,
};

use crate::applications::{apply_with_key, cast, open_offer, spawn};
use crate::helpers::{assert_problem, TestApp};
use crate::placements::{name_the_people, placement, sign};

/// Registers a subscription straight in the database, to every event its
/// owner may receive.
fn subscribe(app: &TestApp, owner_kind: OwnerKind, owner_id: Option<i64>, name: &str, created_by: i64) -> i64 {
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
