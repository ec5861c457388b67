//! Polling: `updated_since` on the offer and application lists, and
//! `If-None-Match` on an application and a placement.

use reqwest::Response;
use serde_json::{json, Value};

use crate::applications::{apply, cast, move_to, open_offer, spawn};
use crate::helpers::{assert_problem, json, TestApp, User};
use crate::offers::{create_offer, offer_body, publish};
use crate::placements::{patch, placement, read};

/// Every item of a list, page after page of one, with the ids in order.
async fn all_pages(app: &TestApp, user: &User, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = json(app.get(&format!("{path}&limit=1&cursor={cursor}"), Some(&user.token)).await).await;
        let got = page["items"].as_array().expect("items").clone();
        assert!(got.len() <= 1, "{page}");
        items.extend(got);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return items,
        }
    }
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

fn encoded(at: &str) -> String {
    at.replace('+', "%2B").replace(':', "%3A")
}

async fn get_with(app: &TestApp, user: &User, path: &str, if_none_match: &str) -> Response {
    app.client
        .get(app.url(path))
        .bearer_auth(&user.token)
        .header("if-none-match", if_none_match)
        .send()
        .await
        .expect("request sent")
}

fn etag_of(response: &Response) -> String {
    response.headers().get("etag").and_then(|v| v.to_str().ok()).expect("an ETag").to_owned()
}

#[tokio::test]
async fn a_poller_gets_only_the_applications_changed_since_its_last_look() {
    let app = spawn().await;
    let c = cast(&app).await;
    let mut applied = Vec::new();
    for _ in 0..3 {
        let offer = open_offer(&app, &c.recruiter, 1).await;
        applied.push(apply(&app, &c.student, offer).await["id"].as_i64().unwrap());
    }
    let everything = all_pages(&app, &c.recruiter, "/api/v1/applications?updated_since=2000-01-01T00%3A00%3A00Z").await;
    assert_eq!(ids(&everything), applied, "every one, in order, page after page");
    let seen = everything.iter().map(|a| a["updated_at"].as_str().unwrap().to_owned()).max().unwrap();
    let since = format!("/api/v1/applications?updated_since={}", encoded(&seen));
    assert_eq!(json(app.get(&since, Some(&c.recruiter.token)).await).await["items"], json!([]));

    move_to(&app, &c.recruiter, applied[1], "in_review").await;
    let changed = json(app.get(&since, Some(&c.recruiter.token)).await).await;
    assert_eq!(ids(changed["items"].as_array().unwrap()), vec![applied[1]]);
    assert_eq!(changed["items"][0]["status"], "in_review");
    // Who sees what does not change: another organisation's recruiter sees none.
    assert_eq!(json(app.get(&since, Some(&c.other_recruiter.token)).await).await["items"], json!([]));
    // An offset in another zone is the same instant.
    let paris = chrono::DateTime::parse_from_rfc3339(&seen)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, false);
    let changed = json(
        app.get(&format!("/api/v1/applications?updated_since={}", encoded(&paris)), Some(&c.recruiter.token)).await,
    )
    .await;
    assert_eq!(ids(changed["items"].as_array().unwrap()), vec![applied[1]]);
}

#[tokio::test]
async fn a_poller_gets_only_the_offers_changed_since_its_last_look() {
    let app = spawn().await;
    let c = cast(&app).await;
    let first = open_offer(&app, &c.recruiter, 1).await;
    let seen = json(app.get(&format!("/api/v1/offers/{first}"), Some(&c.recruiter.token)).await).await["updated_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = create_offer(&app, &c.recruiter, &offer_body()).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/offers?updated_since={}", encoded(&seen));
    assert_eq!(ids(&all_pages(&app, &c.recruiter, &path).await), vec![second]);
    // Publishing is a change too.
    let third = create_offer(&app, &c.recruiter, &offer_body()).await["id"].as_i64().unwrap();
    publish(&app, &c.recruiter, second).await;
    let newest_first = all_pages(&app, &c.recruiter, &path).await;
    assert_eq!(ids(&newest_first), vec![third, second]);
}

#[tokio::test]
async fn a_malformed_updated_since_is_a_400_naming_it() {
    let app = spawn().await;
    let c = cast(&app).await;
    for list in ["offers", "applications"] {
        for bad in ["yesterday", "2026-12-01", "2026-12-01T08%3A00%3A00", "2026-13-01T08%3A00%3A00Z"] {
            let response = app.get(&format!("/api/v1/{list}?updated_since={bad}"), Some(&c.recruiter.token)).await;
            let problem = assert_problem(response, 400).await;
            assert_eq!(problem["errors"][0]["field"], "updated_since", "{list} {bad}: {problem}");
            assert_eq!(problem["errors"][0]["code"], "invalid_format");
        }
    }
}

#[tokio::test]
async fn an_application_answers_304_while_it_has_not_changed() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 1).await;
    let id = apply(&app, &c.student, offer).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/applications/{id}");
    let first = app.get(&path, Some(&c.student.token)).await;
    assert_eq!(first.status(), 200);
    let etag = etag_of(&first);

    for held in [etag.clone(), format!("W/{etag}"), format!("\"v1\", {etag}"), "*".to_owned()] {
        let response = get_with(&app, &c.recruiter, &path, &held).await;
        assert_eq!(response.status(), 304, "{held}");
        assert_eq!(etag_of(&response), etag);
        assert_eq!(response.text().await.unwrap(), "");
    }
    // Permissions come first: a stranger holding the tag still gets 404.
    assert_eq!(get_with(&app, &c.other_recruiter, &path, &etag).await.status(), 404);

    move_to(&app, &c.recruiter, id, "in_review").await;
    let stale = get_with(&app, &c.student, &path, &etag).await;
    assert_eq!(stale.status(), 200);
    let fresh = etag_of(&stale);
    assert_ne!(fresh, etag, "a transition is a new version");
    assert_eq!(json(stale).await["status"], "in_review");
    assert_eq!(get_with(&app, &c.student, &path, &fresh).await.status(), 304);
}

#[tokio::test]
async fn a_placement_answers_304_while_it_has_not_changed() {
    let app = spawn().await;
    let c = cast(&app).await;
    let id = placement(&app, &c).await;
    let path = format!("/api/v1/placements/{id}");
    let (etag, _) = read(&app, &c.recruiter, id).await;
    let response = get_with(&app, &c.staff, &path, &format!("W/{etag}")).await;
    assert_eq!(response.status(), 304);
    assert_eq!(etag_of(&response), etag);
    assert_eq!(response.text().await.unwrap(), "");
    assert_eq!(get_with(&app, &c.other_staff, &path, &etag).await.status(), 404);

    let changed = patch(&app, &c.recruiter, id, Some(&etag), &json!({"company_tutor": "Salma Bennani"})).await;
    assert_eq!(changed.status(), 200);
    let stale = get_with(&app, &c.staff, &path, &etag).await;
    assert_eq!(stale.status(), 200);
    assert_ne!(etag_of(&stale), etag);
}
