//! Offer alerts: a student opts in, and a published or edited offer that makes
//! them eligible at their score tells their partner portal, once per offer.

use reqwest::Response;
use serde_json::{json, Value};

use passerelle::domain::webhook::OwnerKind;
use passerelle::store::webhooks::{deliveries_of, payload_of};

use crate::applications::{cast, open_offer, spawn, Cast};
use crate::helpers::{assert_problem, json, TestApp, User};
use crate::offers::{create_offer, offer_body, publish};
use crate::webhooks::subscribe;

const ALERT: &str = "alert.matching_offer";

/// The payloads of the alerts delivered to a subscription, oldest first.
fn alerts_to(app: &TestApp, subscription: i64) -> Vec<Value> {
    let conn = &mut app.connection();
    deliveries_of(conn, subscription)
        .expect("deliveries read")
        .into_iter()
        .filter(|(event_type, ..)| event_type == ALERT)
        .map(|(_, event_id, _)| serde_json::from_str(&payload_of(conn, &event_id).expect("payload")).expect("JSON"))
        .collect()
}

async fn student_id(app: &TestApp, student: &User) -> i64 {
    json(app.get("/api/v1/me/profile", Some(&student.token)).await).await["id"].as_i64().expect("student id")
}

/// Makes the student eligible for [`offer_body`]'s offer at 0.8125 (PyTorch
/// 4 of 3 required, SQL 1 of 2 preferred), without consenting to recruiters'
/// rankings: alerts do not need it.
async fn make_eligible(app: &TestApp, student: &User, id: i64) {
    let path = format!("/api/v1/students/{id}");
    let etag = app.get(&path, Some(&student.token)).await.headers()["etag"].to_str().expect("etag").to_owned();
    let profile =
        json!({"wanted_kinds": ["internship", "work_study"], "cities": ["casablanca"], "discoverable": false});
    let patched =
        app.client.patch(app.url(&path)).bearer_auth(&student.token).header("if-match", etag).json(&profile).send();
    assert_eq!(patched.await.expect("sent").status(), 200);
    let skills = json!({"skills": [{"skill": "pytorch", "level": 4}, {"skill": "sql", "level": 1}]});
    let put = app.client.put(app.url(&format!("{path}/skills"))).bearer_auth(&student.token).json(&skills).send();
    assert_eq!(put.await.expect("sent").status(), 200);
}

async fn put_alerts(app: &TestApp, user: &User, id: i64, body: &Value) -> Response {
    let path = app.url(&format!("/api/v1/students/{id}/alerts"));
    app.client.put(path).bearer_auth(&user.token).json(body).send().await.expect("sent")
}

async fn set_alerts(app: &TestApp, student: &User, id: i64, body: Value) -> Value {
    let response = put_alerts(app, student, id, &body).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

async fn patch_offer(app: &TestApp, recruiter: &User, offer: i64, body: &Value) {
    let path = format!("/api/v1/offers/{offer}");
    let etag = app.get(&path, Some(&recruiter.token)).await.headers()["etag"].to_str().expect("etag").to_owned();
    let patched = app.client.patch(app.url(&path)).bearer_auth(&recruiter.token).header("if-match", etag).json(body);
    assert_eq!(patched.send().await.expect("sent").status(), 200);
}

struct Scene {
    c: Cast,
    student_id: i64,
    portal: i64,
    other_portal: i64,
}

async fn scene(app: &TestApp) -> Scene {
    let c = cast(app).await;
    let student_id = student_id(app, &c.student).await;
    make_eligible(app, &c.student, student_id).await;
    let portal = subscribe(app, OwnerKind::PartnerPortal, None, "jobs-portal", c.admin.account_id);
    let other_portal = subscribe(app, OwnerKind::PartnerPortal, None, "other-portal", c.admin.account_id);
    Scene { c, student_id, portal, other_portal }
}

#[tokio::test]
async fn an_opted_in_student_hears_of_a_matching_offer_once_through_their_portal() {
    let app = spawn().await;
    let s = scene(&app).await;
    let path = format!("/api/v1/students/{}/alerts", s.student_id);
    let never_set = json(app.get(&path, Some(&s.c.student.token)).await).await;
    assert_eq!(
        never_set,
        json!({"student_id": s.student_id, "enabled": false, "min_score": 0.0, "kinds": [], "portal": null})
    );
    let wanted = json!({"enabled": true, "min_score": 0.8, "kinds": ["internship"], "portal": "jobs-portal"});
    let stored = set_alerts(&app, &s.c.student, s.student_id, wanted).await;
    assert_eq!(stored["enabled"], true);
    assert_eq!(stored["min_score"], 0.8);
    assert_eq!(stored["kinds"], json!(["internship"]));
    assert_eq!(stored["portal"], "jobs-portal");
    assert!(stored["updated_at"].is_string());
    assert_eq!(json(app.get(&path, Some(&s.c.student.token)).await).await, stored);

    let offer = open_offer(&app, &s.c.recruiter, 2).await;
    let alerts = alerts_to(&app, s.portal);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["type"], ALERT);
    assert_eq!(
        alerts[0]["data"],
        json!({"offer_id": offer, "student_id": s.student_id, "links": {"self": format!("/api/v1/offers/{offer}")}})
    );
    assert!(alerts_to(&app, s.other_portal).is_empty(), "only the portal the student named");

    // An edit that keeps the student eligible tells nobody again.
    patch_offer(&app, &s.c.recruiter, offer, &json!({"title": "Data engineering intern (PFE)"})).await;
    assert_eq!(alerts_to(&app, s.portal).len(), 1);
}

#[tokio::test]
async fn no_alert_below_the_score_for_another_kind_when_off_or_when_not_eligible() {
    let app = spawn().await;
    let s = scene(&app).await;
    let (student, id) = (&s.c.student, s.student_id);
    let on = |min_score: f64, kinds: Value| json!({"enabled": true, "min_score": min_score, "kinds": kinds, "portal": "jobs-portal"});
    // The offer scores 0.8125 for the student.
    set_alerts(&app, student, id, on(0.85, json!([]))).await;
    open_offer(&app, &s.c.recruiter, 1).await;
    set_alerts(&app, student, id, on(0.5, json!(["work_study"]))).await;
    open_offer(&app, &s.c.recruiter, 1).await;
    set_alerts(&app, student, id, json!({"enabled": false, "min_score": 0.5, "portal": "jobs-portal"})).await;
    open_offer(&app, &s.c.recruiter, 1).await;
    set_alerts(&app, student, id, on(0.0, json!([]))).await;
    let mut kubernetes = offer_body();
    kubernetes["requirements"] = json!([{"skill": "kubernetes", "min_level": 3, "weight": 5, "required": true}]);
    let ineligible = create_offer(&app, &s.c.recruiter, &kubernetes).await["id"].as_i64().expect("id");
    publish(&app, &s.c.recruiter, ineligible).await;
    assert!(alerts_to(&app, s.portal).is_empty(), "{:?}", alerts_to(&app, s.portal));

    // The same student, at the offer's exact score and of its kind, is told.
    set_alerts(&app, student, id, on(0.8125, json!(["work_study", "internship"]))).await;
    let offer = open_offer(&app, &s.c.recruiter, 1).await;
    let alerts = alerts_to(&app, s.portal);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["data"]["offer_id"], offer);
}

#[tokio::test]
async fn an_edit_that_makes_a_student_eligible_alerts_them_once() {
    let app = spawn().await;
    let s = scene(&app).await;
    let wanted = json!({"enabled": true, "min_score": 0.5, "portal": "jobs-portal"});
    set_alerts(&app, &s.c.student, s.student_id, wanted).await;
    let mut body = offer_body();
    body["requirements"] = json!([{"skill": "kubernetes", "min_level": 3, "weight": 5, "required": true}]);
    let offer = create_offer(&app, &s.c.recruiter, &body).await["id"].as_i64().expect("id");
    // Edits of a draft alert nobody: the offer is not public yet.
    patch_offer(&app, &s.c.recruiter, offer, &json!({"requirements": offer_body()["requirements"]})).await;
    patch_offer(&app, &s.c.recruiter, offer, &json!({"requirements": body["requirements"]})).await;
    publish(&app, &s.c.recruiter, offer).await;
    assert!(alerts_to(&app, s.portal).is_empty());

    patch_offer(&app, &s.c.recruiter, offer, &json!({"requirements": offer_body()["requirements"]})).await;
    let alerts = alerts_to(&app, s.portal);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["data"]["student_id"], s.student_id);
    // Out of reach and back again: the student was told of this offer already.
    patch_offer(&app, &s.c.recruiter, offer, &json!({"requirements": body["requirements"]})).await;
    patch_offer(&app, &s.c.recruiter, offer, &json!({"requirements": offer_body()["requirements"]})).await;
    assert_eq!(alerts_to(&app, s.portal).len(), 1);
}

#[tokio::test]
async fn alert_settings_are_checked_field_by_field() {
    let app = spawn().await;
    let s = scene(&app).await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    subscribe(&app, OwnerKind::Organisation, Some(axa_go), "hr-system", s.c.admin.account_id);
    let cases = [
        (json!({"enabled": true, "min_score": 60, "portal": "jobs-portal"}), "min_score", "out_of_range"),
        (json!({"enabled": true, "min_score": -0.1, "portal": "jobs-portal"}), "min_score", "out_of_range"),
        (json!({"enabled": true}), "portal", "required"),
        (json!({"enabled": true, "portal": " "}), "portal", "required"),
        (json!({"enabled": true, "portal": "nowhere"}), "portal", "unknown"),
        // An organisation's subscription is no partner portal.
        (json!({"enabled": false, "portal": "hr-system"}), "portal", "unknown"),
        (
            json!({"enabled": true, "kinds": ["internship", "internship"], "portal": "jobs-portal"}),
            "kinds[1]",
            "duplicate",
        ),
    ];
    for (body, field, code) in cases {
        let problem = assert_problem(put_alerts(&app, &s.c.student, s.student_id, &body).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
        assert!(problem["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{problem}");
    }
    // Kinds are the offer kinds' names; anything else is refused by the body's type.
    let stage = json!({"enabled": true, "kinds": ["stage"], "portal": "jobs-portal"});
    let problem = assert_problem(put_alerts(&app, &s.c.student, s.student_id, &stage).await, 422).await;
    assert!(problem["errors"][0]["field"].as_str().is_some_and(|f| f.starts_with("kinds")), "{problem}");
    // Nothing refused was stored.
    let path = format!("/api/v1/students/{}/alerts", s.student_id);
    assert_eq!(json(app.get(&path, Some(&s.c.student.token)).await).await["enabled"], false);
}

#[tokio::test]
async fn only_the_student_reads_and_sets_their_alerts() {
    let app = spawn().await;
    let s = scene(&app).await;
    let other = app.student(&s.c.staff, "ECC", "ECC-2").await;
    let body = json!({"enabled": false});
    // The student is not discoverable and applied nowhere: the recruiter does not see them.
    for (user, status) in
        [(&other, 404), (&s.c.recruiter, 404), (&s.c.other_staff, 404), (&s.c.staff, 403), (&s.c.admin, 403)]
    {
        assert_problem(put_alerts(&app, user, s.student_id, &body).await, status).await;
        let path = format!("/api/v1/students/{}/alerts", s.student_id);
        assert_problem(app.get(&path, Some(&user.token)).await, status).await;
    }
    assert_eq!(put_alerts(&app, &s.c.student, s.student_id, &body).await.status(), 200);
}

#[tokio::test]
async fn alerts_are_in_the_export_and_go_with_erasure() {
    let app = spawn().await;
    let s = scene(&app).await;
    let (student, id) = (&s.c.student, s.student_id);
    set_alerts(&app, student, id, json!({"enabled": true, "min_score": 0.5, "portal": "jobs-portal"})).await;
    let offer = open_offer(&app, &s.c.recruiter, 1).await;
    let export = json(app.get(&format!("/api/v1/students/{id}/export"), Some(&student.token)).await).await;
    assert_eq!(export["alerts"]["portal"], "jobs-portal");
    assert_eq!(export["alerts_sent"][0]["offer_id"], offer);

    let erased = app.client.delete(app.url(&format!("/api/v1/students/{id}"))).bearer_auth(&student.token).send();
    assert_eq!(erased.await.expect("sent").status(), 204);
    let conn = &mut app.connection();
    assert!(passerelle::store::alerts::find(conn, id).expect("read").is_none());
    assert!(passerelle::store::alerts::sent_to(conn, id).expect("read").is_empty());
}
