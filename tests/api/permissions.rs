//! The permission matrix: for every endpoint, each role (and no token) gets
//! exactly the status the rules say. Later resources add their rows here.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, User};

/// The callers of the matrix.
const ROLES: [&str; 7] =
    ["anonymous", "student", "recruiter", "school_staff", "other_school_staff", "committee", "admin"];

struct Cast {
    users: HashMap<&'static str, User>,
    ecc: i64,
    student_id: i64,
    draft_offer: i64,
    open_offer: i64,
    /// The student's application still at `submitted`.
    application: i64,
    /// The placement from the student's accepted application.
    placement: i64,
}

async fn cast(app: &TestApp) -> Cast {
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let school_staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&school_staff, "ECC", "ECC-100").await;
    let mut users = HashMap::new();
    let recruiter = app.staff(&admin, "recruiter", None, Some(axa_go)).await;
    let draft_offer =
        crate::offers::create_offer(app, &recruiter, &crate::offers::offer_body()).await["id"].as_i64().unwrap();
    let open_offer =
        crate::offers::create_offer(app, &recruiter, &crate::offers::offer_body()).await["id"].as_i64().unwrap();
    crate::offers::publish(app, &recruiter, open_offer).await;
    let student_id =
        crate::helpers::json(app.get("/api/v1/me/profile", Some(&student.token)).await).await["id"].as_i64().unwrap();
    let pending_offer = crate::applications::open_offer(app, &recruiter, 2).await;
    let application = crate::applications::apply(app, &student, pending_offer).await["id"].as_i64().unwrap();
    let placed_offer = crate::applications::open_offer(app, &recruiter, 1).await;
    let accepted = crate::applications::apply(app, &student, placed_offer).await["id"].as_i64().unwrap();
    crate::applications::move_to(app, &recruiter, accepted, "offered").await;
    let placement =
        crate::applications::move_to(app, &student, accepted, "accepted").await["placement_id"].as_i64().unwrap();
    users.insert("recruiter", recruiter);
    users.insert("other_school_staff", app.staff(&admin, "school_staff", Some(ensam), None).await);
    users.insert("committee", app.staff(&admin, "committee", None, None).await);
    users.insert("school_staff", school_staff);
    users.insert("student", student);
    users.insert("admin", admin);
    Cast { users, ecc, student_id, draft_offer, open_offer, application, placement }
}

async fn call(app: &TestApp, cast: &Cast, role: &str, method: &Method, path: &str, body: Option<&Value>) -> u16 {
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(user) = cast.users.get(role) {
        request = request.bearer_auth(&user.token);
    }
    if let Some(body) = body {
        // Applying needs a key; the other endpoints ignore it.
        request = request.json(body).header("idempotency-key", uuid::Uuid::new_v4().to_string());
    }
    request.send().await.expect("request sent").status().as_u16()
}

#[tokio::test]
async fn every_endpoint_answers_each_role_as_the_rules_say() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let roster = format!("/api/v1/schools/{}/roster", cast.ecc);
    let empty_roster = json!({"rows": []});
    let student = format!("/api/v1/students/{}", cast.student_id);
    let draft = format!("/api/v1/offers/{}", cast.draft_offer);
    let open = format!("/api/v1/offers/{}", cast.open_offer);
    let application = format!("/api/v1/applications/{}", cast.application);
    let placement = format!("/api/v1/placements/{}", cast.placement);
    let new_committee =
        |n: usize| json!({"email": format!("c{n}@committee.example.org"), "display_name": "C", "role": "committee"});
    // (method, path, body, expected status for each of ROLES, called in that order)
    let rows: Vec<(Method, String, Option<Value>, [u16; 7])> = vec![
        (Method::GET, "/api/v1/skills".into(), None, [200; 7]),
        (Method::GET, "/api/v1/schools".into(), None, [200; 7]),
        (Method::GET, "/api/v1/organisations".into(), None, [200; 7]),
        (Method::GET, "/api/v1/me".into(), None, [401, 200, 200, 200, 200, 200, 200]),
        (
            Method::POST,
            "/api/v1/skill-suggestions".into(),
            Some(json!({"title": "Python", "description": ""})),
            [401, 200, 200, 200, 200, 200, 200],
        ),
        (Method::POST, roster.clone(), Some(empty_roster), [401, 403, 403, 200, 403, 403, 200]),
        (Method::GET, format!("{roster}/template"), None, [401, 403, 403, 200, 403, 403, 200]),
        (Method::POST, "/api/v1/admin/accounts".into(), Some(new_committee(0)), [401, 403, 403, 403, 403, 403, 201]),
        (
            Method::POST,
            "/api/v1/admin/schools".into(),
            Some(json!({"code": "X", "name": "X", "city": "X", "kind": "institute"})),
            [401, 403, 403, 403, 403, 403, 201],
        ),
        (
            Method::PATCH,
            format!("/api/v1/admin/schools/{}", cast.ecc),
            Some(json!({})),
            [401, 403, 403, 403, 403, 403, 200],
        ),
        (
            Method::POST,
            "/api/v1/admin/organisations".into(),
            Some(json!({"code": "X", "name": "X", "city": "X"})),
            [401, 403, 403, 403, 403, 403, 201],
        ),
        (Method::PATCH, "/api/v1/admin/organisations/1".into(), Some(json!({})), [401, 403, 403, 403, 403, 403, 200]),
        (
            Method::POST,
            "/api/v1/admin/skills".into(),
            Some(json!({"slug": "x", "label_fr": "x", "label_en": "x", "domain": "ai"})),
            [401, 403, 403, 403, 403, 403, 201],
        ),
        (Method::PATCH, "/api/v1/admin/skills/python".into(), Some(json!({})), [401, 403, 403, 403, 403, 403, 200]),
        (
            Method::POST,
            "/api/v1/admin/skills/python/aliases".into(),
            Some(json!({"alias": "py3x"})),
            [401, 403, 403, 403, 403, 403, 201],
        ),
        (Method::GET, "/api/v1/me/profile".into(), None, [401, 200, 404, 404, 404, 404, 404]),
        // The student applied to the recruiter's organisation: the recruiter sees the profile.
        (Method::GET, student.clone(), None, [401, 200, 200, 200, 404, 404, 200]),
        (Method::PUT, format!("{student}/skills"), Some(json!({"skills": []})), [401, 200, 403, 403, 404, 404, 403]),
        (Method::PATCH, student.clone(), Some(json!({})), [401, 428, 403, 403, 404, 404, 403]),
        // Offer alerts: the student's own; whoever else sees the student 403.
        (Method::GET, format!("{student}/alerts"), None, [401, 200, 403, 403, 404, 404, 403]),
        (
            Method::PUT,
            format!("{student}/alerts"),
            Some(json!({"enabled": false})),
            [401, 200, 403, 403, 404, 404, 403],
        ),
        (Method::GET, "/api/v1/students".into(), None, [401, 403, 403, 200, 200, 403, 200]),
        (Method::GET, format!("{student}/matches"), None, [401, 200, 404, 200, 404, 404, 200]),
        (Method::GET, format!("{student}/matches/{}", cast.open_offer), None, [401, 200, 404, 200, 404, 404, 200]),
        (Method::GET, format!("{open}/matches"), None, [401, 403, 200, 403, 403, 403, 200]),
        (Method::GET, "/api/v1/offers".into(), None, [401, 200, 200, 200, 200, 200, 200]),
        (Method::GET, draft.clone(), None, [401, 404, 200, 404, 404, 404, 200]),
        (Method::GET, open.clone(), None, [401, 200, 200, 200, 200, 200, 200]),
        (Method::PATCH, draft.clone(), Some(json!({})), [401, 404, 428, 404, 404, 404, 403]),
        // Applying: the student, once, to the still open offer.
        (Method::POST, format!("{open}/applications"), Some(json!({})), [401, 201, 403, 403, 403, 403, 403]),
        (Method::GET, "/api/v1/applications".into(), None, [401, 200, 200, 200, 200, 403, 200]),
        (Method::GET, application.clone(), None, [401, 200, 200, 200, 404, 403, 200]),
        (Method::GET, format!("{application}/events"), None, [401, 200, 200, 200, 404, 403, 200]),
        // The recruiter moves it to in_review; later callers then ask for the status it has, which is
        // no move at all (409) for whoever sees it. Staff refused a real move: tests/api/applications.rs.
        (
            Method::POST,
            format!("{application}/transitions"),
            Some(json!({"to": "in_review"})),
            [401, 403, 200, 409, 404, 403, 409],
        ),
        (Method::GET, "/api/v1/placements".into(), None, [401, 200, 200, 200, 200, 403, 200]),
        (Method::GET, placement.clone(), None, [401, 200, 200, 200, 404, 403, 200]),
        (Method::PATCH, placement.clone(), Some(json!({})), [401, 403, 428, 428, 404, 403, 403]),
        // Signatories meet the unnamed tutor and referent first.
        (Method::POST, format!("{placement}/signatures"), Some(json!({})), [401, 409, 409, 409, 404, 403, 403]),
        // The agreement document and its record: whoever sees the placement.
        (Method::GET, format!("{placement}/agreement.pdf"), None, [401, 200, 200, 200, 404, 403, 200]),
        (Method::GET, format!("{placement}/agreement.pdf?lang=en"), None, [401, 200, 200, 200, 404, 403, 200]),
        (Method::GET, format!("{placement}/agreement/verify"), None, [401, 200, 200, 200, 404, 403, 200]),
        (
            Method::POST,
            format!("{placement}/terminate"),
            Some(json!({"reason": ""})),
            [401, 403, 422, 422, 404, 403, 403],
        ),
        // Roles run in order: once the recruiter has closed (or published) the
        // offer, later roles meet a closed (or open) offer.
        (Method::POST, format!("{open}/close"), Some(json!({})), [401, 403, 200, 404, 404, 404, 403]),
        (Method::POST, format!("{draft}/publish"), Some(json!({})), [401, 404, 200, 403, 403, 403, 403]),
        (Method::POST, "/api/v1/offers".into(), Some(crate::offers::offer_body()), [401, 403, 201, 403, 403, 403, 403]),
    ];
    let mut rows = rows;
    // The training catalogue: read by any signed-in user, written by the provider's staff and admins.
    let recruiter = cast.users.get("recruiter").expect("recruiter");
    let training = crate::trainings::create(
        &app,
        recruiter,
        &crate::trainings::training_body(json!([{"skill": "python", "level": 2}])),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let training = format!("/api/v1/trainings/{training}");
    let mut for_ecc = crate::trainings::training_body(json!([{"skill": "python", "level": 2}]));
    for_ecc["school_id"] = json!(cast.ecc);
    rows.push((Method::GET, "/api/v1/trainings".into(), None, [401, 200, 200, 200, 200, 200, 200]));
    rows.push((Method::GET, training.clone(), None, [401, 200, 200, 200, 200, 200, 200]));
    rows.push((Method::PATCH, training, Some(json!({})), [401, 403, 200, 403, 403, 403, 200]));
    // Only ECC's staff and admins add a training for ECC; a recruiter naming a school is refused.
    rows.push((Method::POST, "/api/v1/trainings".into(), Some(for_ecc), [401, 403, 403, 201, 403, 403, 201]));
    // Reports: schools are public, so refusals are 403 rather than 404.
    let stats = format!("/api/v1/schools/{}/placement-stats?cohort=2027", cast.ecc);
    rows.push((Method::GET, stats, None, [401, 403, 403, 200, 403, 200, 200]));
    rows.push((Method::GET, "/api/v1/reports/placement-rates".into(), None, [401, 403, 403, 403, 403, 200, 200]));
    rows.push((Method::GET, "/api/v1/reports/skills-gap".into(), None, [401, 403, 403, 200, 200, 200, 200]));
    rows.push((Method::GET, "/api/v1/reports/training-needs".into(), None, [401, 403, 403, 200, 200, 200, 200]));
    rows.push((
        Method::GET,
        format!("/api/v1/reports/training-needs?school_id={}", cast.ecc),
        None,
        [401, 403, 403, 200, 403, 200, 200],
    ));
    rows.push((
        Method::GET,
        format!("{student}/matches?include=near_misses"),
        None,
        [401, 200, 404, 200, 404, 404, 200],
    ));
    // Data rights: the student and admins; those who see the student 403, others 404.
    rows.push((Method::GET, format!("{student}/export"), None, [401, 200, 403, 403, 404, 404, 200]));
    rows.push((Method::GET, format!("{student}/profile-views"), None, [401, 200, 403, 403, 404, 404, 200]));
    // Erasure, of a second student the others cannot see (their self-erasure: tests/api/personal_data.rs).
    let school_staff = cast.users.get("school_staff").expect("school staff");
    let doomed = app.student(school_staff, "ECC", "ECC-101").await;
    let doomed_id =
        crate::helpers::json(app.get("/api/v1/me/profile", Some(&doomed.token)).await).await["id"].as_i64().unwrap();
    rows.push((Method::DELETE, format!("/api/v1/students/{doomed_id}"), None, [401, 404, 404, 403, 404, 404, 204]));
    // Campaigns: one of ECC's, over a fresh open offer of the recruiter's, its window open.
    let recruiter = cast.users.get("recruiter").expect("recruiter");
    let campaign_offer = crate::applications::open_offer(&app, recruiter, 2).await;
    let now = chrono::Utc::now();
    let campaign_body = json!({"name": "PFE", "offer_ids": [campaign_offer], "opens_at": now - chrono::Duration::hours(1),
        "closes_at": now + chrono::Duration::hours(1), "max_choices": 3});
    let campaign =
        crate::helpers::json(app.post_json("/api/v1/campaigns", Some(&school_staff.token), &campaign_body).await).await
            ["id"]
            .as_i64()
            .unwrap();
    let campaign = format!("/api/v1/campaigns/{campaign}");
    let ranking = format!("{campaign}/offers/{campaign_offer}/ranking");
    // Other staff open one for their own school; admins one for the network.
    rows.push((Method::POST, "/api/v1/campaigns".into(), Some(campaign_body), [401, 403, 403, 201, 201, 403, 201]));
    rows.push((Method::GET, "/api/v1/campaigns".into(), None, [401, 200, 200, 200, 200, 403, 200]));
    rows.push((Method::GET, campaign.clone(), None, [401, 200, 200, 200, 404, 403, 200]));
    let no_choices = json!({"offer_ids": []});
    rows.push((Method::PUT, format!("{campaign}/preferences"), Some(no_choices), [401, 200, 403, 403, 404, 403, 403]));
    rows.push((Method::GET, format!("{campaign}/preferences/me"), None, [401, 200, 403, 403, 404, 403, 403]));
    rows.push((Method::GET, ranking.clone(), None, [401, 403, 200, 403, 404, 403, 200]));
    rows.push((
        Method::PUT,
        ranking,
        Some(json!({"ranking": [], "excluded": []})),
        [401, 403, 200, 403, 404, 403, 200],
    ));
    rows.push((Method::POST, format!("{campaign}/run"), None, [401, 403, 403, 200, 404, 403, 200]));
    rows.push((Method::GET, format!("{campaign}/assignments"), None, [401, 200, 200, 200, 404, 403, 200]));
    // Publishing waits for the window to close.
    rows.push((Method::POST, format!("{campaign}/publish"), None, [401, 403, 403, 409, 404, 403, 409]));
    // Webhooks: recruiters, school staff and admins own subscriptions; one of ECC's staff, with a pending ping.
    let hook = json!({"name": "Career office", "url": "https://career.example.org/in"});
    let webhook = crate::helpers::json(app.post_json("/api/v1/webhooks", Some(&school_staff.token), &hook).await).await
        ["id"]
        .as_i64()
        .unwrap();
    let webhook = format!("/api/v1/webhooks/{webhook}");
    let ping =
        crate::helpers::json(app.post_json(&format!("{webhook}/ping"), Some(&school_staff.token), &json!({})).await)
            .await["id"]
            .as_i64()
            .unwrap();
    rows.push((Method::GET, "/api/v1/webhooks".into(), None, [401, 403, 200, 200, 200, 403, 200]));
    rows.push((Method::POST, "/api/v1/webhooks".into(), Some(hook), [401, 403, 201, 201, 201, 403, 201]));
    rows.push((Method::GET, webhook.clone(), None, [401, 403, 404, 200, 404, 403, 404]));
    rows.push((Method::PATCH, webhook.clone(), Some(json!({})), [401, 403, 404, 200, 404, 403, 404]));
    rows.push((Method::GET, format!("{webhook}/deliveries"), None, [401, 403, 404, 200, 404, 403, 404]));
    rows.push((Method::POST, format!("{webhook}/ping"), None, [401, 403, 404, 202, 404, 403, 404]));
    // The first ping is still pending: redelivering it is a conflict for its owner.
    let redeliver = format!("{webhook}/deliveries/{ping}/redeliver");
    rows.push((Method::POST, redeliver, None, [401, 403, 404, 409, 404, 403, 404]));
    rows.push((Method::POST, format!("{webhook}/rotate-secret"), None, [401, 403, 404, 200, 404, 403, 404]));
    rows.push((Method::DELETE, webhook, None, [401, 403, 404, 204, 404, 403, 404]));
    // Disabling, of an account none of the matrix's callers signs in with.
    let disabled = app.staff(cast.users.get("admin").expect("admin"), "committee", None, None).await;
    let disable = format!("/api/v1/admin/accounts/{}/disable", disabled.account_id);
    rows.push((Method::POST, disable, Some(json!({})), [401, 403, 403, 403, 403, 403, 200]));
    let mut mismatches = Vec::new();
    for (method, path, body, expected) in &rows {
        for (role, want) in ROLES.iter().zip(expected) {
            let got = call(&app, &cast, role, method, path, body.as_ref()).await;
            if got != *want {
                mismatches.push(format!("{method} {path} as {role}: got {got}, want {want}"));
            }
        }
    }
    // Signing out everywhere, last: every caller's tokens stop working.
    let logout_all = (Method::POST, "/api/v1/auth/logout-all", [401, 204, 204, 204, 204, 204, 204]);
    for (role, want) in ROLES.iter().zip(logout_all.2) {
        let got = call(&app, &cast, role, &logout_all.0, logout_all.1, Some(&json!({}))).await;
        if got != want {
            mismatches.push(format!("{} {} as {role}: got {got}, want {want}", logout_all.0, logout_all.1));
        }
        let after = call(&app, &cast, role, &Method::GET, "/api/v1/me", None).await;
        if after != 401 {
            mismatches.push(format!("GET /api/v1/me as {role} after logout-all: got {after}, want 401"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Changing the password: every signed-in role may, for its own account and
/// with its current password; the token it used is refused afterwards.
#[tokio::test]
async fn every_role_changes_only_its_own_password() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let path = "/api/v1/auth/password";
    let wrong = json!({"current_password": "not-the-password", "new_password": "another-long-password"});
    let right = json!({"current_password": crate::helpers::PASSWORD, "new_password": "another-long-password"});
    let mut mismatches = Vec::new();
    for (body, expected, after) in
        [(&wrong, [401, 403, 403, 403, 403, 403, 403], 200), (&right, [401, 204, 204, 204, 204, 204, 204], 401)]
    {
        for (role, want) in ROLES.iter().zip(expected) {
            let got = call(&app, &cast, role, &Method::POST, path, Some(body)).await;
            if got != want {
                mismatches.push(format!("POST {path} {body} as {role}: got {got}, want {want}"));
            }
            if *role == "anonymous" {
                continue;
            }
            let me = call(&app, &cast, role, &Method::GET, "/api/v1/me", None).await;
            if me != after {
                mismatches.push(format!("GET /api/v1/me as {role} after {body}: got {me}, want {after}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
