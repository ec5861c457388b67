//! Resource limits: body size, page size, list sizes per record, the
//! per-caller rate limit on search and matching, and the request time limit.

use serde_json::{json, Value};

use crate::helpers::{assert_problem, json, spawn_app, spawn_app_with};
use crate::offers::{offer_body, recruiters};

fn has_violation(body: &Value, field: &str, code: &str) -> bool {
    body["errors"].as_array().is_some_and(|errors| errors.iter().any(|e| e["field"] == field && e["code"] == code))
}

#[tokio::test]
async fn a_json_body_over_the_limit_is_413() {
    let app = spawn_app_with(|s| s.json_body_limit_bytes = 1024).await;
    let body = json!({"email": "a@b.ma", "password": "x".repeat(2048)});
    let response = app.post_json("/api/v1/auth/login", None, &body).await;
    assert_eq!(assert_problem(response, 413).await["type"], "/problems/payload-too-large");
}

#[tokio::test]
async fn page_sizes_are_capped_at_100() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for path in ["/api/v1/offers?limit=101", "/api/v1/students?limit=101", "/api/v1/skills?limit=101"] {
        let body = assert_problem(app.get(path, Some(&admin.token)).await, 400).await;
        assert!(has_violation(&body, "limit", "out_of_range") || body["detail"].as_str().unwrap().contains("limit"));
    }
}

#[tokio::test]
async fn requirements_per_offer_and_skills_per_student_are_capped() {
    let app = spawn_app().await;
    let r = recruiters(&app).await;
    let mut offer = offer_body();
    offer["requirements"] =
        (0..31).map(|_| json!({"skill": "sql", "min_level": 2, "weight": 1, "required": false})).collect();
    let body = assert_problem(app.post_json("/api/v1/offers", Some(&r.own.token), &offer).await, 422).await;
    assert!(has_violation(&body, "requirements", "too_many"), "{body}");

    let staff = app.staff(&r.admin, "school_staff", Some(app.id_of("schools", "ECC").await), None).await;
    let student = app.student(&staff, "ECC", "LIM-1").await;
    let profile = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await;
    let skills: Vec<Value> = (0..61).map(|_| json!({"skill": "python", "level": 3})).collect();
    let response = app
        .client
        .put(app.url(&format!("/api/v1/students/{}/skills", profile["id"])))
        .bearer_auth(&student.token)
        .json(&json!({ "skills": skills }))
        .send()
        .await
        .expect("request sent");
    let body = assert_problem(response, 422).await;
    assert!(has_violation(&body, "skills", "too_many"), "{body}");
}

#[tokio::test]
async fn search_and_matching_are_rate_limited_per_caller() {
    let app = spawn_app_with(|s| {
        s.limits.requests_per_minute = 1;
        s.limits.burst = 3;
    })
    .await;
    let admin = app.admin().await;
    let other = app.admin().await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/offers", Some(&admin.token)).await.status(), 200);
    }
    // The budget covers every limited route together.
    let response = app.get("/api/v1/students", Some(&admin.token)).await;
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(assert_problem(response, 429).await["type"], "/problems/too-many-requests");
    // Another caller has a budget of their own; other routes are not limited;
    // a request without a token is refused as unauthenticated, not limited.
    assert_eq!(app.get("/api/v1/offers", Some(&other.token)).await.status(), 200);
    assert_eq!(app.get("/api/v1/me", Some(&admin.token)).await.status(), 200);
    assert_problem(app.get("/api/v1/offers", None).await, 401).await;
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_503() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let school = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(school), None).await;
    // A second server on the same database with a time limit of a few
    // milliseconds, which a roster import of thousands of rows exceeds.
    let strict = app.sibling(|s| s.limits.request_timeout_ms = 5).await;
    let mut csv = String::from("student_number,first_name,last_name,email,programme,degree_level,graduation_year\n");
    for i in 0..5000 {
        csv.push_str(&format!("T{i:05},Salma,Bennani,t{i:05}@student.example.org,Data Science,bac+5,2027\n"));
    }
    let started = std::time::Instant::now();
    let response = app
        .client
        .post(format!("{strict}/api/v1/schools/{school}/roster"))
        .bearer_auth(&staff.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("request sent");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "answered promptly");
    let body = assert_problem(response, 503).await;
    assert_eq!(body["type"], "/problems/unavailable");
    assert!(body["instance"].as_str().unwrap().ends_with("/roster"), "{body}");
}
