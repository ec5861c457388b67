//! Applications: idempotent applying, the life cycle over HTTP with its 403 and
//! 409 refusals, visibility, and positions taken under concurrency.

use diesel::prelude::*;
use reqwest::Response;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, json, spawn_app_with, TestApp, User, PASSWORD};
use crate::offers::{create_offer, offer_body, publish, recruiters};

/// An application whose login throttle leaves room for the many sign-ins of
/// these tests (all from one address).
pub async fn spawn() -> TestApp {
    spawn_app_with(|s| s.auth.login_attempts_per_minute = 1_000).await
}

/// Applies with an `Idempotency-Key`.
pub async fn apply_with_key(app: &TestApp, student: &User, offer: i64, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url(&format!("/api/v1/offers/{offer}/applications")))
        .bearer_auth(&student.token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request sent")
}

/// Applies, failing the test unless it works; returns the application.
pub async fn apply(app: &TestApp, student: &User, offer: i64) -> Value {
    let response = apply_with_key(app, student, offer, &uuid::Uuid::new_v4().to_string(), &json!({})).await;
    assert_eq!(response.status(), 201);
    json(response).await
}

pub async fn transition(app: &TestApp, user: &User, application: i64, to: &str) -> Response {
    app.post_json(&format!("/api/v1/applications/{application}/transitions"), Some(&user.token), &json!({"to": to}))
        .await
}

/// Moves an application, failing the test unless it works.
pub async fn move_to(app: &TestApp, user: &User, application: i64, to: &str) -> Value {
    let response = transition(app, user, application, to).await;
    assert_eq!(response.status(), 200, "move to {to}");
    json(response).await
}

/// An open offer of AXA-GO with `positions` positions.
pub async fn open_offer(app: &TestApp, recruiter: &User, positions: u32) -> i64 {
    let mut body = offer_body();
    body["positions"] = json!(positions);
    let id = create_offer(app, recruiter, &body).await["id"].as_i64().unwrap();
    publish(app, recruiter, id).await;
    id
}

pub struct Cast {
    pub recruiter: User,
    pub other_recruiter: User,
    pub staff: User,
    pub other_staff: User,
    pub student: User,
    pub admin: User,
}

pub async fn cast(app: &TestApp) -> Cast {
    let r = recruiters(app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let staff = app.staff(&r.admin, "school_staff", Some(ecc), None).await;
    let other_staff = app.staff(&r.admin, "school_staff", Some(ensam), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    Cast { recruiter: r.own, other_recruiter: r.other, staff, other_staff, student, admin: r.admin }
}

fn allowed(problem: &Value) -> Vec<&str> {
    problem["allowed"].as_array().expect("allowed listed").iter().filter_map(Value::as_str).collect()
}

#[tokio::test]
async fn applying_needs_a_key_and_replays_the_first_answer() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 2).await;
    let path = format!("/api/v1/offers/{offer}/applications");
    let body = json!({"cover_letter": "I build pipelines.", "source": "ecc-careers"});
    // Without a key, or with an empty or overlong one.
    assert_problem(app.post_json(&path, Some(&c.student.token), &body).await, 400).await;
    assert_problem(apply_with_key(&app, &c.student, offer, " ", &body).await, 400).await;
    assert_problem(apply_with_key(&app, &c.student, offer, &"k".repeat(201), &body).await, 400).await;
    // Invalid bodies are refused before the key is taken.
    let long = json!({"cover_letter": "x".repeat(5_001)});
    let problem = assert_problem(apply_with_key(&app, &c.student, offer, "key-1", &long).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "cover_letter");
    assert_problem(apply_with_key(&app, &c.student, offer, "key-1", &json!({"status": "offered"})).await, 422).await;

    let first = apply_with_key(&app, &c.student, offer, "key-1", &body).await;
    assert_eq!(first.status(), 201);
    let location = first.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let first = first.text().await.unwrap();
    let application: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(location, Some(format!("/api/v1/applications/{}", application["id"])));
    assert_eq!(application["status"], "submitted");
    assert_eq!(application["source"], "ecc-careers");
    assert_eq!(application["allowed_moves"], json!(["withdrawn"]));
    let score = application["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score), "{application}");
    assert!(application["explanation"].is_object(), "{application}");

    // The same key and body: the same answer, byte for byte, even after a move.
    move_to(&app, &c.recruiter, application["id"].as_i64().unwrap(), "in_review").await;
    let replay = apply_with_key(&app, &c.student, offer, "key-1", &body).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.text().await.unwrap(), first);
    // The same key with another body.
    let other = json!({"cover_letter": "Something else."});
    let problem = assert_problem(apply_with_key(&app, &c.student, offer, "key-1", &other).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    // A new key for the same offer: one application per student and offer.
    assert_problem(apply_with_key(&app, &c.student, offer, "key-2", &body).await, 409).await;
    // The failure left key-2 free: it is not stuck in progress.
    assert_problem(apply_with_key(&app, &c.student, offer, "key-2", &body).await, 409).await;
    // The refused ones wrote nothing: the history is the first application's and its move.
    let id = application["id"].as_i64().unwrap();
    let events = json(app.get(&format!("/api/v1/applications/{id}/events"), Some(&c.student.token)).await).await;
    let steps: Vec<(Value, Value)> =
        events.as_array().unwrap().iter().map(|e| (e["from"].clone(), e["to"].clone())).collect();
    assert_eq!(steps, vec![(Value::Null, json!("submitted")), (json!("submitted"), json!("in_review"))]);
    assert_eq!(events[0]["actor_account_id"], c.student.account_id);
}

#[tokio::test]
async fn a_replay_while_the_first_request_runs_is_409() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 2).await;
    let draft = passerelle::app::applications::ApplicationDraft { cover_letter: None, source: None };
    let hash = passerelle::app::applications::request_hash(offer, &draft);
    {
        use passerelle::db::schema::idempotency_keys as k;
        let mut conn = app.connection();
        diesel::insert_into(k::table)
            .values((
                k::account_id.eq(c.student.account_id),
                k::key.eq("busy"),
                k::request_hash.eq(hash),
                k::state.eq("in_progress"),
                k::created_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(&mut conn)
            .expect("claim the key");
    }
    assert_problem(apply_with_key(&app, &c.student, offer, "busy", &json!({})).await, 409).await;
    // Another account's identical key is its own.
    let second = app.student(&c.staff, "ECC", "ECC-2").await;
    assert_eq!(apply_with_key(&app, &second, offer, "busy", &json!({})).await.status(), 201);
}

#[tokio::test]
async fn only_students_apply_and_only_to_open_offers_before_their_deadline() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 2).await;
    for user in [&c.recruiter, &c.staff, &c.admin] {
        assert_problem(apply_with_key(&app, user, offer, "k", &json!({})).await, 403).await;
    }
    let draft = create_offer(&app, &c.recruiter, &offer_body()).await["id"].as_i64().unwrap();
    assert_problem(apply_with_key(&app, &c.student, draft, "k-draft", &json!({})).await, 404).await;
    assert_problem(apply_with_key(&app, &c.student, 999_999, "k-none", &json!({})).await, 404).await;
    let late = open_offer(&app, &c.recruiter, 1).await;
    {
        use passerelle::db::schema::offers as o;
        let yesterday = chrono::Utc::now().date_naive().pred_opt().unwrap();
        diesel::update(o::table.find(late)).set(o::deadline.eq(yesterday)).execute(&mut app.connection()).unwrap();
    }
    assert_problem(apply_with_key(&app, &c.student, late, "k-late", &json!({})).await, 409).await;
    let closed = app.post_json(&format!("/api/v1/offers/{offer}/close"), Some(&c.recruiter.token), &json!({})).await;
    assert_eq!(closed.status(), 200);
    assert_problem(apply_with_key(&app, &c.student, offer, "k-closed", &json!({})).await, 404).await;
}

#[tokio::test]
async fn the_pipeline_moves_forward_and_refusals_list_the_allowed_moves() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 2).await;
    let id = apply(&app, &c.student, offer).await["id"].as_i64().unwrap();

    let moved = move_to(&app, &c.recruiter, id, "in_review").await;
    assert_eq!(moved["allowed_moves"], json!(["shortlisted", "interview", "offered", "rejected"]));
    // A step may be skipped forward.
    move_to(&app, &c.recruiter, id, "interview").await;
    // Never back: 409 with what the recruiter may do.
    let problem = assert_problem(transition(&app, &c.recruiter, id, "shortlisted").await, 409).await;
    assert_eq!(allowed(&problem), ["offered", "rejected"]);
    // The student's own moves: withdrawing only, until an offer.
    let problem = assert_problem(transition(&app, &c.student, id, "offered").await, 403).await;
    assert_eq!(allowed(&problem), ["withdrawn"]);
    // School staff see the application but move nothing.
    let problem = assert_problem(transition(&app, &c.staff, id, "offered").await, 403).await;
    assert_eq!(allowed(&problem), Vec::<&str>::new());
    // Outside the caller's scope the application does not exist.
    assert_problem(transition(&app, &c.other_recruiter, id, "offered").await, 404).await;
    assert_problem(transition(&app, &c.other_staff, id, "offered").await, 404).await;
    let note = app
        .post_json(
            &format!("/api/v1/applications/{id}/transitions"),
            Some(&c.recruiter.token),
            &json!({"to": "offered", "note": "Great interview."}),
        )
        .await;
    assert_eq!(json(note).await["allowed_moves"], json!(["rejected"]));
    // Only the student answers an offer.
    let problem = assert_problem(transition(&app, &c.recruiter, id, "accepted").await, 403).await;
    assert_eq!(allowed(&problem), ["rejected"]);
    let problem = assert_problem(transition(&app, &c.admin, id, "accepted").await, 403).await;
    assert_eq!(allowed(&problem), ["rejected"]);
    let student_view = json(app.get(&format!("/api/v1/applications/{id}"), Some(&c.student.token)).await).await;
    assert_eq!(student_view["allowed_moves"], json!(["accepted", "declined", "withdrawn"]));
    let accepted = move_to(&app, &c.student, id, "accepted").await;
    assert_eq!(accepted["status"], "accepted");
    assert!(accepted["placement_id"].is_i64(), "{accepted}");
    // Final: nothing moves any more, for anyone.
    for (user, to) in [(&c.student, "withdrawn"), (&c.student, "declined"), (&c.recruiter, "rejected")] {
        let problem = assert_problem(transition(&app, user, id, to).await, 409).await;
        assert_eq!(allowed(&problem), Vec::<&str>::new());
    }
    let offer_now = json(app.get(&format!("/api/v1/offers/{offer}"), Some(&c.student.token)).await).await;
    assert_eq!(offer_now["positions_taken"], 1);
    assert_eq!(offer_now["status"], "open");

    let events = json(app.get(&format!("/api/v1/applications/{id}/events"), Some(&c.staff.token)).await).await;
    let steps: Vec<(Value, Value)> =
        events.as_array().unwrap().iter().map(|e| (e["from"].clone(), e["to"].clone())).collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("submitted")),
            (json!("submitted"), json!("in_review")),
            (json!("in_review"), json!("interview")),
            (json!("interview"), json!("offered")),
            (json!("offered"), json!("accepted")),
        ]
    );
    assert_eq!(events[3]["note"], "Great interview.");
    assert_eq!(events[3]["actor_account_id"], c.recruiter.account_id);
    assert_eq!(events[4]["actor_account_id"], c.student.account_id);
}

#[tokio::test]
async fn declining_withdrawing_and_rejecting_end_the_process() {
    let app = spawn().await;
    let c = cast(&app).await;
    let second = app.student(&c.staff, "ECC", "ECC-2").await;
    let third = app.student(&c.staff, "ECC", "ECC-3").await;
    let offer = open_offer(&app, &c.recruiter, 1).await;
    let declined = apply(&app, &c.student, offer).await["id"].as_i64().unwrap();
    let withdrawn = apply(&app, &second, offer).await["id"].as_i64().unwrap();
    let rejected = apply(&app, &third, offer).await["id"].as_i64().unwrap();
    move_to(&app, &c.recruiter, declined, "offered").await;
    assert_eq!(move_to(&app, &c.student, declined, "declined").await["allowed_moves"], json!([]));
    assert_eq!(move_to(&app, &second, withdrawn, "withdrawn").await["status"], "withdrawn");
    assert_eq!(move_to(&app, &c.recruiter, rejected, "rejected").await["status"], "rejected");
    let offer_now = json(app.get(&format!("/api/v1/offers/{offer}"), Some(&c.student.token)).await).await;
    assert_eq!(offer_now["positions_taken"], 0);
    // Unknown statuses and fields are 422.
    let bad = json!({"to": "hired"});
    let path = format!("/api/v1/applications/{declined}/transitions");
    assert_problem(app.post_json(&path, Some(&c.student.token), &bad).await, 422).await;
}

#[tokio::test]
async fn each_role_lists_the_applications_it_may_see() {
    let app = spawn().await;
    let c = cast(&app).await;
    let second = app.student(&c.staff, "ECC", "ECC-2").await;
    let offer = open_offer(&app, &c.recruiter, 2).await;
    let mine = apply(&app, &c.student, offer).await["id"].as_i64().unwrap();
    let theirs = apply(&app, &second, offer).await["id"].as_i64().unwrap();
    move_to(&app, &c.recruiter, theirs, "shortlisted").await;
    let ids = |page: &Value| -> Vec<i64> {
        page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
    };
    let list = |user: &User, query: &str| {
        let path = format!("/api/v1/applications{query}");
        let token = user.token.clone();
        let app = &app;
        async move { json(app.get(&path, Some(&token)).await).await }
    };
    assert_eq!(ids(&list(&c.student, "").await), [mine]);
    assert_eq!(ids(&list(&c.recruiter, "").await), [mine, theirs]);
    assert_eq!(ids(&list(&c.staff, "").await), [mine, theirs]);
    assert_eq!(ids(&list(&c.admin, "").await), [mine, theirs]);
    assert!(ids(&list(&c.other_recruiter, "").await).is_empty());
    assert!(ids(&list(&c.other_staff, "").await).is_empty());
    assert_eq!(ids(&list(&c.recruiter, "?status=shortlisted").await), [theirs]);
    assert_eq!(ids(&list(&c.recruiter, &format!("?offer_id={offer}&limit=1")).await), [mine]);
    let first = list(&c.recruiter, "?limit=1").await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let next = list(&c.recruiter, &format!("?limit=1&cursor={cursor}")).await;
    assert_eq!(ids(&next), [theirs]);
    assert!(next["next_cursor"].is_null());
    assert_problem(app.get("/api/v1/applications?status=hired", Some(&c.staff.token)).await, 400).await;
    assert_eq!(app.get(&format!("/api/v1/applications/{mine}"), Some(&second.token)).await.status(), 404);
}

/// Students of ECC numbered `ECC-C{n}`, imported at once, activated and signed in.
async fn many_students(app: &TestApp, staff: &User, count: usize) -> Vec<User> {
    let school_id = app.id_of("schools", "ECC").await;
    let mut csv = String::from("student_number,first_name,last_name,email,programme,degree_level,graduation_year\n");
    for n in 0..count {
        csv.push_str(&format!("ECC-C{n},Amine,Tazi,ecc-c{n}@student.example.org,Data Science,bac+5,2027\n"));
    }
    let imported = app.post_csv(&format!("/api/v1/schools/{school_id}/roster"), &staff.token, csv).await;
    assert_eq!(imported.status(), 200, "roster import");
    let mut users = Vec::with_capacity(count);
    for n in 0..count {
        let email = format!("ecc-c{n}@student.example.org");
        let activated = app
            .post_json(
                "/api/v1/auth/activate-student",
                None,
                &json!({"school_code": "ECC", "student_number": format!("ECC-C{n}"), "email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(activated.status(), 201, "activation of {email}");
        users.push(app.login(&email, PASSWORD).await);
    }
    users
}

#[tokio::test]
async fn fifty_students_accepting_three_positions_across_two_server_processes_get_exactly_three() {
    const STUDENTS: usize = 50;
    const POSITIONS: i32 = 3;
    let app = spawn_app_with(|s| {
        s.pool_timeout_seconds = 30;
        s.auth.login_attempts_per_minute = 1_000;
    })
    .await;
    // A second server in its own OS process, on the same database.
    let second = app.process().await;
    let second_server = second.address.clone();
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, POSITIONS as u32).await;
    let students = many_students(&app, &c.staff, STUDENTS).await;
    let mut applications = Vec::with_capacity(STUDENTS);
    for student in &students {
        let id = apply(&app, student, offer).await["id"].as_i64().unwrap();
        move_to(&app, &c.recruiter, id, "offered").await;
        applications.push(id);
    }
    let requests = students.iter().zip(&applications).enumerate().map(|(n, (student, id))| {
        let base = if n % 2 == 0 { app.address.clone() } else { second_server.clone() };
        let request = app
            .client
            .post(format!("{base}/api/v1/applications/{id}/transitions"))
            .bearer_auth(&student.token)
            .json(&json!({"to": "accepted"}));
        async move { request.send().await.expect("request sent").status().as_u16() }
    });
    let statuses = futures_util::future::join_all(requests).await;
    let won = statuses.iter().filter(|s| **s == 200).count();
    let lost = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((won, lost), (POSITIONS as usize, STUDENTS - POSITIONS as usize), "{statuses:?}");

    use passerelle::db::schema::{applications as a, offers as o, placements as p};
    let mut conn = app.connection();
    let (taken, status): (i32, String) =
        o::table.find(offer).select((o::positions_taken, o::status)).first(&mut conn).unwrap();
    assert_eq!((taken, status.as_str()), (POSITIONS, "filled"));
    let placements: i64 = p::table.filter(p::offer_id.eq(offer)).count().get_result(&mut conn).unwrap();
    assert_eq!(placements, i64::from(POSITIONS));
    let accepted: i64 =
        a::table.filter(a::offer_id.eq(offer)).filter(a::status.eq("accepted")).count().get_result(&mut conn).unwrap();
    assert_eq!(accepted, i64::from(POSITIONS));
    // The losers keep their offer, with nothing left to take.
    let loser = applications[statuses.iter().position(|s| *s == 409).unwrap()];
    let student = &students[applications.iter().position(|id| *id == loser).unwrap()];
    let view = json(app.get(&format!("/api/v1/applications/{loser}"), Some(&student.token)).await).await;
    assert_eq!(view["status"], "offered");
    let problem = assert_problem(transition(&app, student, loser, "accepted").await, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("no position"), "{problem}");
}

#[tokio::test]
async fn a_claim_abandoned_by_a_crashed_request_is_taken_over() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 2).await;
    let draft = passerelle::app::applications::ApplicationDraft { cover_letter: None, source: None };
    let hash = passerelle::app::applications::request_hash(offer, &draft);
    {
        use passerelle::db::schema::idempotency_keys as k;
        let mut conn = app.connection();
        let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(10);
        diesel::insert_into(k::table)
            .values((
                k::account_id.eq(c.student.account_id),
                k::key.eq("crashed"),
                k::request_hash.eq(hash),
                k::state.eq("in_progress"),
                k::created_at.eq(long_ago),
            ))
            .execute(&mut conn)
            .expect("claim the key");
    }
    assert_eq!(apply_with_key(&app, &c.student, offer, "crashed", &json!({})).await.status(), 201);
}

#[tokio::test]
async fn applying_and_accepting_answer_what_reading_the_application_gives_afterwards() {
    let app = spawn().await;
    let c = cast(&app).await;
    let offer = open_offer(&app, &c.recruiter, 1).await;
    let other = app.student(&c.staff, "ECC", "ECC-2").await;
    // Built from what the writes returned, not read back: the same as a read.
    let applied = apply_with_key(&app, &c.student, offer, "answered", &json!({"cover_letter": " Hello. "})).await;
    assert_eq!(applied.status(), 201);
    let applied = json(applied).await;
    let id = applied["id"].as_i64().unwrap();
    let path = format!("/api/v1/applications/{id}");
    assert_eq!(json(app.get(&path, Some(&c.student.token)).await).await, applied);
    assert_eq!(applied["cover_letter"], "Hello.");
    assert_eq!(applied["placement_id"], Value::Null);
    let late = apply(&app, &other, offer).await["id"].as_i64().unwrap();
    let offered = move_to(&app, &c.recruiter, id, "offered").await;
    assert_eq!(json(app.get(&path, Some(&c.recruiter.token)).await).await, offered);
    move_to(&app, &c.recruiter, late, "offered").await;
    let accepted = move_to(&app, &c.student, id, "accepted").await;
    assert!(accepted["placement_id"].is_i64(), "{accepted}");
    assert_eq!(json(app.get(&path, Some(&c.student.token)).await).await, accepted);
    // The only position is gone: the other acceptance is refused and leaves
    // the application as it was, its history included.
    let events = format!("/api/v1/applications/{late}/events");
    let before = json(app.get(&events, Some(&other.token)).await).await;
    let problem = assert_problem(transition(&app, &other, late, "accepted").await, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("no position"), "{problem}");
    let view = json(app.get(&format!("/api/v1/applications/{late}"), Some(&other.token)).await).await;
    assert_eq!((view["status"].as_str(), view["placement_id"].is_null()), (Some("offered"), true));
    assert_eq!(json(app.get(&events, Some(&other.token)).await).await, before);
}
