//! The server accepts what its document declares valid, found by the
//! schemathesis gate: an empty `cursor`, integers written as `3.0` (JSON
//! Schema counts them as integers), and the `Idempotency-Key` alphabet.

use serde_json::json;

use crate::applications::{apply_with_key, spawn};
use crate::helpers::{assert_problem, json, spawn_app};
use crate::offers::{create_offer, offer_body, publish, recruiters};

#[tokio::test]
async fn an_empty_cursor_is_the_first_page() {
    let app = spawn_app().await;
    for path in ["/api/v1/skills", "/api/v1/schools", "/api/v1/organisations"] {
        let first = json(app.get(&format!("{path}?limit=3"), None).await).await;
        let response = app.get(&format!("{path}?limit=3&cursor="), None).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(json(response).await, first, "{path}");
    }
}

#[tokio::test]
async fn whole_numbers_with_a_zero_fraction_are_integers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let me = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await;
    let path = format!("/api/v1/students/{}/skills", me["id"]);
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(&student.token)
        .json(&json!({"skills": [{"skill": "python", "level": 4.0}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["skills"][0]["level"], 4);
    // A fraction is not a level, and says which field it is.
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(&student.token)
        .json(&json!({"skills": [{"skill": "python", "level": 4.5}]}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 422).await;

    let r = recruiters(&app).await;
    let mut body = offer_body();
    body["positions"] = json!(2.0);
    body["duration_months"] = json!(6.0);
    body["stipend_mad"] = json!(4000.0);
    body["requirements"][0]["weight"] = json!(5.0);
    body["requirements"][0]["min_level"] = json!(3.0);
    let offer = create_offer(&app, &r.own, &body).await;
    assert_eq!((offer["positions"].clone(), offer["stipend_mad"].clone()), (json!(2), json!(4000)));
}

#[tokio::test]
async fn an_idempotency_key_is_visible_ascii_without_spaces() {
    let app = spawn().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let r = recruiters(&app).await;
    let offer = create_offer(&app, &r.own, &offer_body()).await;
    let id = offer["id"].as_i64().unwrap();
    publish(&app, &r.own, id).await;
    let body = assert_problem(apply_with_key(&app, &student, id, "two words", &json!({})).await, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("Idempotency-Key"), "{body}");
    assert_eq!(apply_with_key(&app, &student, id, "one-word_~!", &json!({})).await.status(), 201);
}
