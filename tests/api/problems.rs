//! Problems in the product's words: the exact documents sent for bad input,
//! and the pages their `type` URIs point to.

use serde_json::{json, Value};

use crate::applications::{apply, cast, open_offer, spawn};
use crate::helpers::{spawn_app, TestApp};

/// The problem with its request id checked and removed (it differs per request).
async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let mut body: Value = response.json().await.expect("problem json");
    let id = body.as_object_mut().and_then(|o| o.remove("request_id")).expect("request id");
    assert!(uuid::Uuid::parse_str(id.as_str().unwrap_or_default()).is_ok(), "{id}");
    body
}

#[tokio::test]
async fn a_status_outside_the_state_machine_names_the_field_and_the_statuses() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 1).await;
    let id = apply(&app, &c.student, offer).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/applications/{id}/transitions");
    let sent = app.post_json(&path, Some(&c.recruiter.token), &json!({"to": "hired"})).await;
    let message = "to must be one of: submitted, in_review, shortlisted, interview, offered, accepted, declined, \
                   rejected, withdrawn";
    assert_eq!(
        problem(sent, 422).await,
        json!({
            "type": "/problems/validation", "title": "Validation failed", "status": 422,
            "detail": format!("to: {message}"), "instance": path,
            "errors": [{"field": "to", "code": "not_one_of", "message": message}]
        })
    );
}

#[tokio::test]
async fn body_and_query_problems_say_what_is_accepted() {
    let app = spawn_app().await;
    let missing = app.post_json("/api/v1/auth/login", None, &json!({"email": "a@b.ma"})).await;
    assert_eq!(
        problem(missing, 422).await,
        json!({
            "type": "/problems/validation", "title": "Validation failed", "status": 422,
            "detail": "password: password is required", "instance": "/api/v1/auth/login",
            "errors": [{"field": "password", "code": "required", "message": "password is required"}]
        })
    );
    let wrong_type = app.post_json("/api/v1/auth/login", None, &json!({"email": "a@b.ma", "password": 12})).await;
    let body = problem(wrong_type, 422).await;
    assert_eq!(
        body["errors"],
        json!([{"field": "password", "code": "wrong_type", "message": "password must be a string"}])
    );

    let limit = app.get("/api/v1/skills?limit=abc", None).await;
    assert_eq!(
        problem(limit, 400).await,
        json!({
            "type": "/problems/invalid-parameters", "title": "Invalid parameters", "status": 400,
            "detail": "limit: limit must be a whole number", "instance": "/api/v1/skills",
            "errors": [{"field": "limit", "code": "wrong_type", "message": "limit must be a whole number"}]
        })
    );
    let not_json = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    let body = problem(not_json, 400).await;
    assert_eq!(body["detail"], "the body is not valid JSON: it ends too early");
}

#[tokio::test]
async fn a_wrong_password_is_said_so_and_problem_types_have_pages() {
    let app: TestApp = spawn_app().await;
    let wrong = app
        .post_json("/api/v1/auth/login", None, &json!({"email": "nobody@example.org", "password": "not-this-one"}))
        .await;
    assert_eq!(
        problem(wrong, 401).await,
        json!({
            "type": "/problems/wrong-credentials", "title": "Wrong e-mail or password", "status": 401,
            "detail": "the e-mail or the password is wrong", "instance": "/api/v1/auth/login"
        })
    );
    let page = app.get("/problems/validation", None).await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("<h1>Validation failed</h1>"));
    assert_eq!(app.get("/problems/no-such-problem", None).await.status(), 404);
}
