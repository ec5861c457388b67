//! Allocation campaigns over HTTP: creation and its refusals, preferences in
//! the window, a recruiter's ranking, the run and its explanations per role,
//! publishing into the applications pipeline, and the placement that follows.

use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};

use crate::applications::{move_to, open_offer, spawn};
use crate::helpers::{assert_problem, json, TestApp, User};
use crate::offers::{create_offer, offer_body, publish, recruiters};

async fn put(app: &TestApp, user: &User, path: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(&user.token).json(body).send().await.expect("request sent")
}

async fn patch_profile(app: &TestApp, student: &User, id: i64, body: Value) {
    let path = format!("/api/v1/students/{id}");
    let etag = app.get(&path, Some(&student.token)).await.headers()["etag"].to_str().unwrap().to_owned();
    let response =
        app.client.patch(app.url(&path)).bearer_auth(&student.token).header("if-match", etag).json(&body).send().await;
    assert_eq!(response.unwrap().status(), 200);
}

/// A student of ECC looking for an internship in Casablanca, with these
/// PyTorch and SQL levels; returns the user and the student id.
async fn candidate(app: &TestApp, staff: &User, number: &str, pytorch: u8, sql: u8) -> (User, i64) {
    let student = app.student(staff, "ECC", number).await;
    let id = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await["id"].as_i64().unwrap();
    patch_profile(app, &student, id, json!({"wanted_kinds": ["internship"], "cities": ["casablanca"]})).await;
    let mut skills = vec![json!({"skill": "pytorch", "level": pytorch})];
    if sql > 0 {
        skills.push(json!({"skill": "sql", "level": sql}));
    }
    let response = put(app, &student, &format!("/api/v1/students/{id}/skills"), &json!({"skills": skills})).await;
    assert_eq!(response.status(), 200);
    (student, id)
}

fn by_student(page: &Value) -> Vec<(i64, Option<i64>)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["student_id"].as_i64().unwrap(), a["offer_id"].as_i64()))
        .collect()
}

#[tokio::test]
async fn a_campaign_places_a_cohort_and_publishing_feeds_the_pipeline() {
    let app = spawn().await;
    let r = recruiters(&app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let staff = app.staff(&r.admin, "school_staff", Some(ecc), None).await;
    let other_staff = app.staff(&r.admin, "school_staff", Some(ensam), None).await;
    // Scores on A and B (PyTorch weight 5 required at 3, SQL weight 3 preferred at 2):
    // one 1.0, two (5 + 1.5) / 8 = 0.8125, three 5 / 8 = 0.625.
    let (one, one_id) = candidate(&app, &staff, "ECC-1", 5, 3).await;
    let (two, two_id) = candidate(&app, &staff, "ECC-2", 4, 1).await;
    let (three, three_id) = candidate(&app, &staff, "ECC-3", 3, 0).await;
    let a = open_offer(&app, &r.own, 1).await;
    let b = open_offer(&app, &r.own, 2).await;
    let mut k8s = offer_body();
    k8s["requirements"] = json!([{"skill": "kubernetes", "min_level": 3, "weight": 5, "required": true}]);
    let c = create_offer(&app, &r.own, &k8s).await["id"].as_i64().unwrap();
    publish(&app, &r.own, c).await;
    let draft = create_offer(&app, &r.own, &offer_body()).await["id"].as_i64().unwrap();
    let outside = open_offer(&app, &r.other, 1).await;

    // Refusals at creation.
    let now = Utc::now();
    let body = |offers: Value, opens: chrono::DateTime<Utc>, closes: chrono::DateTime<Utc>| {
        json!({"name": "PFE printemps", "offer_ids": offers, "opens_at": opens, "closes_at": closes,
               "max_choices": 2, "seed": 2027})
    };
    let later = now + chrono::Duration::hours(1);
    let problem = assert_problem(
        app.post_json("/api/v1/campaigns", Some(&staff.token), &body(json!([a]), later, now)).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "closes_at");
    let problem = assert_problem(
        app.post_json("/api/v1/campaigns", Some(&staff.token), &body(json!([a, draft]), now, later)).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "offer_ids[1]");
    assert_eq!(problem["errors"][0]["code"], "not_open");
    let mut elsewhere = body(json!([a]), now, later);
    elsewhere["school_id"] = json!(ecc);
    assert_problem(app.post_json("/api/v1/campaigns", Some(&other_staff.token), &elsewhere).await, 403).await;
    assert_problem(app.post_json("/api/v1/campaigns", Some(&r.own.token), &body(json!([a]), now, later)).await, 403)
        .await;

    // The campaign, with a short preference window.
    let closes = Utc::now() + chrono::Duration::seconds(6);
    let opens = Utc::now() - chrono::Duration::minutes(1);
    let created = app.post_json("/api/v1/campaigns", Some(&staff.token), &body(json!([a, b, c]), opens, closes)).await;
    assert_eq!(created.status(), 201);
    let campaign = json(created).await;
    let id = campaign["id"].as_i64().unwrap();
    assert_eq!(campaign["status"], "open");
    assert_eq!(campaign["school_id"], ecc);
    assert_eq!(campaign["seed"], 2027);
    let base = format!("/api/v1/campaigns/{id}");
    let preferences = format!("{base}/preferences");

    // Preferences: each refusal names the offending entry.
    let cases = [
        (json!([c]), "offer_ids[0]", "not_eligible"),
        (json!([a, a]), "offer_ids[1]", "duplicate"),
        (json!([a, outside]), "offer_ids[1]", "not_in_campaign"),
        (json!([a, b, c]), "offer_ids", "too_many"),
    ];
    for (offers, field, code) in cases {
        let problem = assert_problem(put(&app, &three, &preferences, &json!({"offer_ids": offers})).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    for student in [&one, &two, &three] {
        let stored = put(&app, student, &preferences, &json!({"offer_ids": [a, b]})).await;
        assert_eq!(stored.status(), 200);
    }
    assert_problem(put(&app, &r.own, &preferences, &json!({"offer_ids": [a]})).await, 403).await;
    let mine = json(app.get(&format!("{preferences}/me"), Some(&three.token)).await).await;
    assert_eq!(mine["choices"][0]["offer_id"], a);
    assert_eq!(mine["choices"][0]["score"], 0.625);
    assert_eq!(mine["choices"][1]["rank"], 2);

    // The recruiter sees the candidates of A and excludes the best one.
    let ranking = format!("{base}/offers/{a}/ranking");
    let seen = json(app.get(&ranking, Some(&r.own.token)).await).await;
    let candidates: Vec<i64> =
        seen["candidates"].as_array().unwrap().iter().map(|c| c["student_id"].as_i64().unwrap()).collect();
    assert_eq!(candidates, vec![one_id, two_id, three_id]);
    let problem = assert_problem(put(&app, &r.own, &ranking, &json!({"ranking": [999_999]})).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "ranking[0]");
    assert_problem(put(&app, &r.other, &ranking, &json!({"excluded": [one_id]})).await, 404).await;
    let stored = json(put(&app, &r.own, &ranking, &json!({"excluded": [one_id]})).await).await;
    assert_eq!(stored["excluded"], json!([one_id]));

    // Publishing waits for the window to close.
    let problem =
        assert_problem(app.post_json(&format!("{base}/publish"), Some(&staff.token), &json!({})).await, 409).await;
    assert!(problem["detail"].as_str().unwrap().starts_with("preference_window_open"), "{problem}");
    let left = (closes - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(200)).await;
    let problem = assert_problem(put(&app, &one, &preferences, &json!({"offer_ids": [b]})).await, 409).await;
    assert!(problem["detail"].as_str().unwrap().starts_with("preference_window_closed"), "{problem}");

    // The run: A takes two (one was excluded, three scores lower); B takes one and three.
    assert_problem(app.post_json(&format!("{base}/run"), Some(&two.token), &json!({})).await, 403).await;
    let run = json(app.post_json(&format!("{base}/run"), Some(&staff.token), &json!({})).await).await;
    assert_eq!(run["run_is_current"], true);
    assert_eq!(run["figures"]["students"], 3);
    assert_eq!(run["figures"]["assigned"], 3);
    assert_eq!(run["figures"]["first_choice"], 1);
    assert_eq!(run["figures"]["rank_distribution"], json!([1, 2]));
    let offer_a = run["offers"].as_array().unwrap().iter().find(|o| o["offer_id"] == a).unwrap().clone();
    assert_eq!(offer_a["admitted"], 1);
    assert_eq!(offer_a["cutoff"]["score"], 0.8125);
    let assignments = format!("{base}/assignments");
    let all = json(app.get(&assignments, Some(&staff.token)).await).await;
    assert_eq!(by_student(&all), vec![(one_id, Some(b)), (two_id, Some(a)), (three_id, Some(b))]);
    let items = all["items"].as_array().unwrap();
    assert_eq!(items[0]["missed"][0]["reason"], "excluded");
    assert_eq!(items[0]["missed"][0]["message"], "you were excluded by the recruiter");
    let missed = &items[2]["missed"][0];
    assert_eq!(missed["offer_id"], a);
    assert_eq!(missed["reason"], "filled");
    assert_eq!(missed["lowest_admitted"]["score"], 0.8125);
    assert_eq!(missed["yours"]["score"], 0.625);
    assert!(missed["message"].as_str().unwrap().starts_with("filled by candidates the offer ranked higher"));
    // Before publishing, students and recruiters see nothing yet; other staff do not see the campaign.
    assert_eq!(json(app.get(&assignments, Some(&two.token)).await).await["items"], json!([]));
    assert_eq!(json(app.get(&assignments, Some(&r.own.token)).await).await["items"], json!([]));
    assert_problem(app.get(&assignments, Some(&other_staff.token)).await, 404).await;

    // A ranking written after the run makes it stale: publish refuses until the next run.
    put(&app, &r.own, &ranking, &json!({"excluded": [one_id]})).await;
    let problem =
        assert_problem(app.post_json(&format!("{base}/publish"), Some(&staff.token), &json!({})).await, 409).await;
    assert!(problem["detail"].as_str().unwrap().starts_with("run_not_current"), "{problem}");
    let again = json(app.post_json(&format!("{base}/run"), Some(&staff.token), &json!({})).await).await;
    assert_eq!(again["figures"], run["figures"]);
    assert_eq!(json(app.get(&assignments, Some(&staff.token)).await).await["items"], all["items"]);

    // Publish: each assignment becomes an application in state offered.
    let published = json(app.post_json(&format!("{base}/publish"), Some(&staff.token), &json!({})).await).await;
    assert_eq!(published["status"], "published");
    assert_problem(app.post_json(&format!("{base}/publish"), Some(&staff.token), &json!({})).await, 409).await;
    assert_problem(app.post_json(&format!("{base}/run"), Some(&staff.token), &json!({})).await, 409).await;
    assert_problem(put(&app, &r.own, &ranking, &json!({})).await, 409).await;
    let own = json(app.get(&assignments, Some(&two.token)).await).await;
    assert_eq!(by_student(&own), vec![(two_id, Some(a))]);
    let application = own["items"][0]["application_id"].as_i64().unwrap();
    assert_eq!(by_student(&json(app.get(&assignments, Some(&r.own.token)).await).await).len(), 3);
    let seen = json(app.get(&format!("/api/v1/applications/{application}"), Some(&two.token)).await).await;
    assert_eq!(seen["status"], "offered");
    assert_eq!(seen["offer_id"], a);
    assert_eq!(seen["source"], format!("campaign:{id}"));
    assert_eq!(seen["allowed_moves"], json!(["accepted", "declined", "withdrawn"]));

    // The student accepts through the usual pipeline: a position goes, a placement opens.
    let accepted = move_to(&app, &two, application, "accepted").await;
    let placement = accepted["placement_id"].as_i64().unwrap();
    let placement = json(app.get(&format!("/api/v1/placements/{placement}"), Some(&two.token)).await).await;
    assert_eq!(placement["offer_id"], a);
    let offer = json(app.get(&format!("/api/v1/offers/{a}"), Some(&two.token)).await).await;
    assert_eq!(offer["status"], "filled");

    // Listing: the campaign is the school's; the other recruiter's organisation has no offer in it.
    let listed = json(app.get("/api/v1/campaigns", Some(&one.token)).await).await;
    assert_eq!(listed["items"][0]["id"], id);
    assert_eq!(json(app.get("/api/v1/campaigns", Some(&r.other.token)).await).await["items"], json!([]));
    assert_problem(app.get(&base, Some(&r.other.token)).await, 404).await;
}

#[tokio::test]
async fn a_filter_selects_the_open_offers_and_must_select_one() {
    let app = spawn().await;
    let r = recruiters(&app).await;
    let chosen = open_offer(&app, &r.own, 1).await;
    let now = Utc::now();
    let body = |filter: Value| {
        json!({"name": "Réseau", "offer_filter": filter, "opens_at": now, "closes_at": now + chrono::Duration::days(7),
               "max_choices": 3})
    };
    let created = app
        .post_json("/api/v1/campaigns", Some(&r.admin.token), &body(json!({"kind": "internship", "domain": "ai"})))
        .await;
    assert_eq!(created.status(), 201);
    let campaign = json(created).await;
    assert_eq!(campaign["school_id"], Value::Null);
    let offers: Vec<i64> =
        campaign["offers"].as_array().unwrap().iter().map(|o| o["offer_id"].as_i64().unwrap()).collect();
    assert_eq!(offers, vec![chosen]);
    let seed = campaign["seed"].as_i64().unwrap();
    assert!((0..1i64 << 53).contains(&seed));
    let problem = assert_problem(
        app.post_json("/api/v1/campaigns", Some(&r.admin.token), &body(json!({"kind": "work_study"}))).await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "offer_filter");
    let mut both = body(json!({}));
    both["offer_ids"] = json!([chosen]);
    let problem = assert_problem(app.post_json("/api/v1/campaigns", Some(&r.admin.token), &both).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "offer_ids");
}
