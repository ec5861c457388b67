//! Placements: the agreement's terms, amendments after a signature, the three
//! signatures, and termination.

use reqwest::Response;
use serde_json::{json, Value};

use crate::applications::{apply, cast, move_to, open_offer, spawn, Cast};
use crate::helpers::{assert_problem, json, TestApp, User};

/// A placement of the cast's student on a fresh AXA-GO offer.
pub(crate) async fn placement(app: &TestApp, c: &Cast) -> i64 {
    let offer = open_offer(app, &c.recruiter, 2).await;
    let application = apply(app, &c.student, offer).await["id"].as_i64().unwrap();
    move_to(app, &c.recruiter, application, "offered").await;
    move_to(app, &c.student, application, "accepted").await["placement_id"].as_i64().unwrap()
}

pub(crate) async fn read(app: &TestApp, user: &User, id: i64) -> (String, Value) {
    let response = app.get(&format!("/api/v1/placements/{id}"), Some(&user.token)).await;
    assert_eq!(response.status(), 200);
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    (etag, json(response).await)
}

pub(crate) async fn patch(app: &TestApp, user: &User, id: i64, etag: Option<&str>, body: &Value) -> Response {
    let mut request =
        app.client.patch(app.url(&format!("/api/v1/placements/{id}"))).bearer_auth(&user.token).json(body);
    if let Some(etag) = etag {
        request = request.header("if-match", etag);
    }
    request.send().await.expect("request sent")
}

pub(crate) async fn sign(app: &TestApp, user: &User, id: i64) -> Response {
    app.post_json(&format!("/api/v1/placements/{id}/signatures"), Some(&user.token), &json!({})).await
}

pub(crate) async fn name_the_people(app: &TestApp, user: &User, id: i64) -> Value {
    let (etag, _) = read(app, user, id).await;
    let names = json!({"company_tutor": "Salma Bennani", "academic_referent": "Pr. Youssef Alaoui"});
    let response = patch(app, user, id, Some(&etag), &names).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

fn parties(signatures: &Value) -> Vec<&str> {
    signatures.as_array().unwrap().iter().filter_map(|s| s["party"].as_str()).collect()
}

#[tokio::test]
async fn accepting_opens_a_placement_with_terms_from_the_offer() {
    let app = spawn().await;
    let c = cast(&app).await;
    let id = placement(&app, &c).await;
    let (etag, view) = read(&app, &c.student, id).await;
    assert_eq!(etag, "\"v1\"");
    assert_eq!(view["kind"], "convention_de_stage");
    assert_eq!(view["status"], "pending_signatures");
    assert_eq!(view["agreement_version"], 1);
    let start: chrono::NaiveDate = view["terms"]["start_date"].as_str().unwrap().parse().unwrap();
    let end: chrono::NaiveDate = view["terms"]["end_date"].as_str().unwrap().parse().unwrap();
    assert_eq!(start, chrono::Utc::now().date_naive() + chrono::Days::new(60));
    assert_eq!(end, start.checked_add_months(chrono::Months::new(6)).unwrap().pred_opt().unwrap());
    assert_eq!(view["terms"]["work_mode"], "hybrid");
    assert_eq!(view["terms"]["monthly_stipend_mad"], 4000);
    assert_eq!(view["terms"]["company_tutor"], "to be named");
    assert_eq!(view["missing_signatures"], json!(["student", "school", "organisation"]));
    // Nobody signs placeholders.
    assert_problem(sign(&app, &c.student, id).await, 409).await;
    // Visibility follows the application's.
    for user in [&c.recruiter, &c.staff, &c.admin] {
        assert_eq!(app.get(&format!("/api/v1/placements/{id}"), Some(&user.token)).await.status(), 200);
    }
    for user in [&c.other_recruiter, &c.other_staff] {
        assert_problem(app.get(&format!("/api/v1/placements/{id}"), Some(&user.token)).await, 404).await;
        let page = json(app.get("/api/v1/placements", Some(&user.token)).await).await;
        assert_eq!(page["items"], json!([]));
    }
    let page = json(app.get("/api/v1/placements", Some(&c.staff.token)).await).await;
    assert_eq!(page["items"][0]["id"], id);
}

#[tokio::test]
async fn terms_change_in_place_until_a_signature_then_by_amendment() {
    let app = spawn().await;
    let c = cast(&app).await;
    let id = placement(&app, &c).await;
    let (etag, _) = read(&app, &c.recruiter, id).await;
    // If-Match is required and must be current; the student does not draft terms.
    assert_problem(patch(&app, &c.recruiter, id, None, &json!({})).await, 428).await;
    assert_problem(patch(&app, &c.recruiter, id, Some("\"v0\""), &json!({})).await, 412).await;
    assert_problem(patch(&app, &c.student, id, Some(&etag), &json!({})).await, 403).await;
    assert_problem(patch(&app, &c.admin, id, Some(&etag), &json!({})).await, 403).await;
    let problem = assert_problem(
        patch(&app, &c.recruiter, id, Some(&etag), &json!({"end_date": "2000-01-01", "company_tutor": " "})).await,
        422,
    )
    .await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["end_date", "company_tutor"]);
    assert_problem(patch(&app, &c.recruiter, id, Some(&etag), &json!({"salary": 1})).await, 422).await;

    // Before any signature: edited in place.
    let named = name_the_people(&app, &c.staff, id).await;
    assert_eq!(named["agreement_version"], 1);
    assert_eq!(named["terms"]["academic_referent"], "Pr. Youssef Alaoui");
    let signed = json(sign(&app, &c.student, id).await).await;
    assert_eq!(parties(&signed["signatures"]), ["student"]);
    assert_eq!(signed["missing_signatures"], json!(["school", "organisation"]));
    assert_problem(sign(&app, &c.student, id).await, 409).await;

    // After one: a new version, signatures start again, the old one is kept.
    let (etag, _) = read(&app, &c.recruiter, id).await;
    let amended = patch(&app, &c.recruiter, id, Some(&etag), &json!({"work_mode": "remote"})).await;
    assert_eq!(amended.status(), 200);
    let amended = json(amended).await;
    assert_eq!(amended["agreement_version"], 2);
    assert_eq!(amended["terms"]["work_mode"], "remote");
    assert_eq!(amended["signatures"], json!([]));
    assert_eq!(amended["status"], "pending_signatures");
    let previous = &amended["previous_versions"];
    assert_eq!(previous.as_array().unwrap().len(), 1);
    assert_eq!(previous[0]["version"], 1);
    assert_eq!(previous[0]["terms"]["work_mode"], "hybrid");
    assert_eq!(parties(&previous[0]["signatures"]), ["student"]);
    // The same terms again change nothing.
    let (etag, _) = read(&app, &c.recruiter, id).await;
    let same = json(patch(&app, &c.recruiter, id, Some(&etag), &json!({"work_mode": "remote"})).await).await;
    assert_eq!(same["agreement_version"], 2);
}

#[tokio::test]
async fn three_signatures_make_a_signed_placement() {
    let app = spawn().await;
    let c = cast(&app).await;
    let id = placement(&app, &c).await;
    name_the_people(&app, &c.recruiter, id).await;
    // Only the three parties sign.
    assert_problem(sign(&app, &c.admin, id).await, 403).await;
    assert_problem(sign(&app, &c.other_staff, id).await, 404).await;
    assert_problem(sign(&app, &c.other_recruiter, id).await, 404).await;
    for (user, status) in
        [(&c.recruiter, "pending_signatures"), (&c.student, "pending_signatures"), (&c.staff, "signed")]
    {
        let response = sign(&app, user, id).await;
        assert_eq!(response.status(), 200);
        assert_eq!(json(response).await["status"], status);
    }
    let (_, view) = read(&app, &c.admin, id).await;
    assert_eq!(parties(&view["signatures"]), ["organisation", "student", "school"]);
    assert_eq!(view["signatures"][1]["account_id"], c.student.account_id);
    assert_eq!(view["missing_signatures"], json!([]));
    assert_problem(sign(&app, &c.staff, id).await, 409).await;
    // Once the start date is reached the placement is under way.
    {
        use diesel::prelude::*;
        use passerelle::db::schema::agreement_versions as v;
        let today = chrono::Utc::now().date_naive();
        let terms: String =
            v::table.filter(v::placement_id.eq(id)).select(v::terms).first(&mut app.connection()).unwrap();
        let mut terms: Value = serde_json::from_str(&terms).unwrap();
        terms["start_date"] = json!(today.to_string());
        diesel::update(v::table.filter(v::placement_id.eq(id)))
            .set(v::terms.eq(terms.to_string()))
            .execute(&mut app.connection())
            .unwrap();
    }
    assert_eq!(read(&app, &c.student, id).await.1["status"], "in_progress");
}

#[tokio::test]
async fn a_placement_is_terminated_with_a_reason_by_the_organisation_or_the_school() {
    let app = spawn().await;
    let c = cast(&app).await;
    let id = placement(&app, &c).await;
    let path = format!("/api/v1/placements/{id}/terminate");
    let reason = json!({"reason": "The student left the programme."});
    assert_problem(app.post_json(&path, Some(&c.student.token), &reason).await, 403).await;
    assert_problem(app.post_json(&path, Some(&c.admin.token), &reason).await, 403).await;
    assert_problem(app.post_json(&path, Some(&c.staff.token), &json!({"reason": "  "})).await, 422).await;
    let terminated = app.post_json(&path, Some(&c.staff.token), &reason).await;
    assert_eq!(terminated.status(), 200);
    let terminated = json(terminated).await;
    assert_eq!(terminated["status"], "terminated");
    assert_eq!(terminated["terminated_reason"], "The student left the programme.");
    assert_problem(app.post_json(&path, Some(&c.recruiter.token), &reason).await, 409).await;
    // Nothing changes on a terminated placement.
    let (etag, _) = read(&app, &c.recruiter, id).await;
    let names = json!({"company_tutor": "Salma Bennani", "academic_referent": "Pr. Youssef Alaoui"});
    assert_problem(patch(&app, &c.recruiter, id, Some(&etag), &names).await, 409).await;
}

/// The document lets a signature's body be `null`, as partner clients
/// generated from it send when there is no hash to give; no body at all and
/// `{}` mean the same.
#[tokio::test]
async fn a_signature_with_a_null_body_is_a_signature_without_a_hash() {
    let app = spawn().await;
    let c = cast(&app).await;
    let id = placement(&app, &c).await;
    name_the_people(&app, &c.staff, id).await;
    let path = format!("/api/v1/placements/{id}/signatures");
    let null = app.post_json(&path, Some(&c.student.token), &Value::Null).await;
    assert_eq!(null.status(), 200);
    let empty = app.client.post(app.url(&path)).bearer_auth(&c.staff.token).send().await.expect("request sent");
    assert_eq!(empty.status(), 200);
    assert_eq!(sign(&app, &c.recruiter, id).await.status(), 200);
    let (_, placement) = read(&app, &c.student, id).await;
    assert_eq!(placement["status"], "signed", "{placement}");
}
