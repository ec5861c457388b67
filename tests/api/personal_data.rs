//! Personal data under law 09-08: the export holds every record about the
//! student, profile readings are recorded and listed, and erasure leaves the
//! reports unchanged and no personal field in any table.

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::applications::spawn;
use crate::helpers::{assert_problem, json, TestApp, User, PASSWORD};
use crate::reports::{add_sixth, dataset, patch_profile, today, Dataset};

/// S1's personal details, set for the tests to look for afterwards.
const BIO: &str = "Passionnee de vision par ordinateur a Casablanca";
const LINK: &str = "https://github.com/nour-berrada-cv";
const CITY: &str = "Mohammedia";

async fn personalise(app: &TestApp, data: &Dataset) {
    let (s1, id) = &data.students[0];
    let profile = json!({"bio": BIO, "links": [LINK], "cities": [CITY], "discoverable": true,
        "languages": [{"language": "Arabic", "level": "native"}]});
    patch_profile(app, s1, *id, &profile).await;
}

async fn delete(app: &TestApp, user: &User, id: i64) -> reqwest::Response {
    app.client.delete(app.url(&format!("/api/v1/students/{id}"))).bearer_auth(&user.token).send().await.unwrap()
}

#[tokio::test]
async fn an_export_holds_every_record_of_the_student_and_readings_are_listed() {
    let app = spawn().await;
    let data = dataset(&app).await;
    personalise(&app, &data).await;
    let (s1, id) = &data.students[0];
    // Two readings: school staff, then the recruiter (S1 applied to their organisation).
    for reader in [&data.staff, &data.recruiter] {
        assert_eq!(app.get(&format!("/api/v1/students/{id}"), Some(&reader.token)).await.status(), 200);
    }
    // The student's and the admin's own readings are not recorded.
    app.get(&format!("/api/v1/students/{id}"), Some(&s1.token)).await;
    app.get(&format!("/api/v1/students/{id}"), Some(&data.admin.token)).await;

    let export = json(app.get(&format!("/api/v1/students/{id}/export"), Some(&s1.token)).await).await;
    let profile = &export["profile"];
    assert_eq!((profile["first_name"].as_str(), profile["last_name"].as_str()), (Some("Nour"), Some("Berrada")));
    assert_eq!(profile["student_number"], "ECC-R1");
    assert_eq!(profile["email"], "ecc-r1@student.example.org");
    assert_eq!(profile["bio"], BIO);
    assert_eq!(profile["links"], json!([LINK]));
    assert_eq!(profile["cities"], json!([CITY]));
    assert_eq!(profile["skills"][0]["skill"], "pytorch");
    assert_eq!(profile["consents"][0]["consent"], "discoverable_by_recruiters");
    assert_eq!(profile["consents"][0]["granted"], true);
    assert_eq!(export["account"]["email"], "ecc-r1@student.example.org");
    let applications = export["applications"].as_array().unwrap();
    assert_eq!(applications.len(), 1);
    assert_eq!(applications[0]["id"], data.s1_application);
    let moves: Vec<&str> =
        applications[0]["events"].as_array().unwrap().iter().map(|e| e["to_status"].as_str().unwrap()).collect();
    assert_eq!(moves, ["submitted", "offered", "accepted"]);
    let placement = &export["placements"][0];
    assert_eq!(placement["id"], data.s1_placement);
    let versions = placement["agreement_versions"].as_array().unwrap();
    let last = versions.last().unwrap();
    assert_eq!(last["terms"]["company_tutor"], "Tutor Mansouri");
    assert_eq!(last["signatures"].as_array().unwrap().len(), 3);
    // The profile readings; the data set's moves of applications and placements are readings too.
    let profile_readings: Vec<&Value> =
        export["profile_views"].as_array().unwrap().iter().filter(|v| v["reading"] == "profile").collect();
    let readers: Vec<&str> = profile_readings.iter().map(|v| v["viewer_role"].as_str().unwrap()).collect();
    assert_eq!(readers, ["school_staff", "recruiter"]);
    assert_eq!(profile_readings[0]["viewer_account_id"], data.staff.account_id);

    // The admin gets the same; staff and the recruiter see the student but may not export: 403; others 404.
    assert_eq!(app.get(&format!("/api/v1/students/{id}/export"), Some(&data.admin.token)).await.status(), 200);
    for user in [&data.staff, &data.recruiter] {
        assert_problem(app.get(&format!("/api/v1/students/{id}/export"), Some(&user.token)).await, 403).await;
    }
    for user in [&data.other_staff, &data.committee, &data.students[1].0] {
        assert_problem(app.get(&format!("/api/v1/students/{id}/export"), Some(&user.token)).await, 404).await;
    }

    // The readings, one page at a time, by the student then the admin: the same as the export's.
    let mut listed = Vec::new();
    let mut path = format!("/api/v1/students/{id}/profile-views?limit=1");
    for reader in [s1, &data.admin].into_iter().cycle().take(100) {
        let page = json(app.get(&path, Some(&reader.token)).await).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
        listed.push(page["items"][0].clone());
        let Some(cursor) = page["next_cursor"].as_str() else { break };
        path = format!("/api/v1/students/{id}/profile-views?limit=1&cursor={cursor}");
    }
    assert_eq!(listed.len(), export["profile_views"].as_array().unwrap().len());
    let roles: Vec<&str> =
        listed.iter().filter(|v| v["reading"] == "profile").map(|v| v["viewer_role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["school_staff", "recruiter"]);
    assert_problem(app.get(&format!("/api/v1/students/{id}/profile-views"), Some(&data.staff.token)).await, 403).await;
}

/// Every report the data set feeds, as the admin reads them.
async fn reports(app: &TestApp, data: &Dataset) -> Vec<Value> {
    let today = today();
    let mut out = Vec::new();
    for path in [
        format!("/api/v1/schools/{}/placement-stats?cohort=2027&group_by=programme", data.ecc),
        format!("/api/v1/schools/{}/placement-stats?from={today}&to={today}&group_by=kind", data.ecc),
        format!("/api/v1/reports/placement-rates?from={today}&to={today}"),
        format!("/api/v1/reports/skills-gap?from={today}&to={today}"),
    ] {
        out.push(json(app.get(&path, Some(&data.admin.token)).await).await);
    }
    out
}

/// Rows of `table` whose text columns hold `needle`, searched in every text
/// column of the tables that hold anything about students.
fn rows_holding(app: &TestApp, needle: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Hit {
        #[diesel(sql_type = diesel::sql_types::Text)]
        place: String,
    }
    let columns = [
        ("students", "student_number || first_name || last_name || email || cities || languages || bio || links"),
        ("accounts", "email || display_name || coalesce(password_hash, '')"),
        ("applications", "cover_letter || source || explanation"),
        ("application_events", "note"),
        ("agreement_versions", "terms"),
        ("placements", "coalesce(terminated_reason, '')"),
        ("idempotency_keys", "coalesce(response_body, '') || request_hash"),
        ("consent_events", "consent"),
    ];
    let mut conn = app.connection();
    let mut found = Vec::new();
    for (table, text) in columns {
        let query = format!("SELECT '{table}' AS place FROM {table} WHERE lower({text}) LIKE lower('%{needle}%')");
        found.extend(diesel::sql_query(query).load::<Hit>(&mut conn).unwrap().into_iter().map(|h| h.place));
    }
    found
}

#[tokio::test]
async fn erasure_keeps_the_reports_and_leaves_no_personal_data() {
    let app = spawn().await;
    let mut data = dataset(&app).await;
    add_sixth(&app, &mut data).await;
    personalise(&app, &data).await;
    let (s1, id) = data.students[0].clone();
    // A cover letter and a note to be erased too.
    let cover = "Lettre de motivation de Nour pour AXA";
    let offer = crate::applications::open_offer(&app, &data.recruiter, 1).await;
    let response =
        crate::applications::apply_with_key(&app, &s1, offer, "k-erase", &json!({"cover_letter": cover})).await;
    assert_eq!(response.status(), 201);
    let application = json(response).await["id"].as_i64().unwrap();
    let note = json!({"to": "rejected", "note": "Nour Berrada was not available in July"});
    let rejected = app
        .post_json(&format!("/api/v1/applications/{application}/transitions"), Some(&data.recruiter.token), &note)
        .await;
    assert_eq!(rejected.status(), 200);
    app.get(&format!("/api/v1/students/{id}"), Some(&data.staff.token)).await;

    let before = reports(&app, &data).await;
    for needle in ["Berrada", "ecc-r1@", "ECC-R1", BIO, LINK, CITY, cover, "Tutor Mansouri", "Arabic"] {
        assert!(!rows_holding(&app, needle).is_empty(), "{needle} should be held before erasure");
    }

    // Only the student and admins erase; school staff see the student: 403.
    assert_problem(delete(&app, &data.staff, id).await, 403).await;
    assert_problem(delete(&app, &data.other_staff, id).await, 404).await;
    assert_eq!(delete(&app, &s1, id).await.status(), 204);

    let after = reports(&app, &data).await;
    assert_eq!(before, after, "erasure changed a report");
    for needle in
        ["Berrada", "Nour", "ecc-r1@", "ECC-R1", BIO, LINK, CITY, cover, "Tutor Mansouri", "Daoudi", "Arabic", "July"]
    {
        assert_eq!(rows_holding(&app, needle), Vec::<String>::new(), "{needle} left behind");
    }
    let mut conn = app.connection();
    {
        use passerelle::db::schema::{accounts, consent_events, profile_views, refresh_tokens, students};
        let (erased_at, account): (Option<chrono::NaiveDateTime>, Option<i64>) =
            students::table.find(id).select((students::erased_at, students::account_id)).first(&mut conn).unwrap();
        assert!(erased_at.is_some());
        let (disabled, hash): (bool, Option<String>) = accounts::table
            .find(account.unwrap())
            .select((accounts::disabled, accounts::password_hash))
            .first(&mut conn)
            .unwrap();
        assert!(disabled && hash.is_none());
        let live_tokens: i64 = refresh_tokens::table
            .filter(refresh_tokens::account_id.eq(account.unwrap()))
            .filter(refresh_tokens::revoked_at.is_null())
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(live_tokens, 0);
        let left: i64 =
            consent_events::table.filter(consent_events::student_id.eq(id)).count().get_result(&mut conn).unwrap();
        let views: i64 =
            profile_views::table.filter(profile_views::student_id.eq(id)).count().get_result(&mut conn).unwrap();
        assert_eq!((left, views), (0, 0));
    }

    // The student can no longer sign in, refresh, or be found.
    let login = app
        .post_json("/api/v1/auth/login", None, &json!({"email": "ecc-r1@student.example.org", "password": PASSWORD}))
        .await;
    assert_problem(login, 401).await;
    let refresh = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": s1.refresh_token})).await;
    assert_problem(refresh, 401).await;
    assert_problem(app.get(&format!("/api/v1/students/{id}"), Some(&data.admin.token)).await, 404).await;
    assert_problem(app.get(&format!("/api/v1/students/{id}/export"), Some(&data.admin.token)).await, 404).await;
    assert_problem(delete(&app, &data.admin, id).await, 404).await;
    // The admin may erase another student.
    let (_, other) = data.students[1].clone();
    assert_eq!(delete(&app, &data.admin, other).await.status(), 204);
    assert_eq!(before[0], reports(&app, &data).await[0]);
}

/// A recruiter and school staff reading a student's applications and
/// placements, one at a time or in a list, are readings the student sees,
/// each naming the offer.
#[tokio::test]
async fn readings_through_applications_and_placements_are_listed_to_the_student() {
    let app = spawn().await;
    let c = crate::applications::cast(&app).await;
    let id = json(app.get("/api/v1/me/profile", Some(&c.student.token)).await).await["id"].as_i64().unwrap();
    let offer = crate::applications::open_offer(&app, &c.recruiter, 1).await;
    let application = crate::applications::apply(&app, &c.student, offer).await["id"].as_i64().unwrap();
    assert!(readings(&app, &c.student, id).await.is_empty(), "nobody read anything yet");

    for path in [
        "/api/v1/applications".to_owned(),
        format!("/api/v1/applications/{application}"),
        format!("/api/v1/applications/{application}/events"),
    ] {
        assert_eq!(app.get(&path, Some(&c.recruiter.token)).await.status(), 200);
    }
    let by_recruiter = |what: &str| (what.to_owned(), c.recruiter.account_id, Some(offer));
    assert_eq!(readings(&app, &c.student, id).await, vec![by_recruiter("application"); 3]);

    crate::applications::move_to(&app, &c.recruiter, application, "offered").await;
    let placement =
        crate::applications::move_to(&app, &c.student, application, "accepted").await["placement_id"].as_i64().unwrap();
    for path in ["/api/v1/placements".to_owned(), format!("/api/v1/placements/{placement}")] {
        assert_eq!(app.get(&path, Some(&c.recruiter.token)).await.status(), 200);
        assert_eq!(app.get(&path, Some(&c.staff.token)).await.status(), 200);
    }
    // The student's own reads are not readings by someone else.
    assert_eq!(app.get("/api/v1/placements", Some(&c.student.token)).await.status(), 200);
    let by_staff = ("placement".to_owned(), c.staff.account_id, Some(offer));
    let all = readings(&app, &c.student, id).await;
    let placements: Vec<_> = all.iter().filter(|r| r.0 == "placement").collect();
    assert_eq!(placements.len(), 4, "{placements:?}");
    assert_eq!(placements.iter().filter(|r| ***r == by_recruiter("placement")).count(), 2, "{placements:?}");
    assert_eq!(placements.iter().filter(|r| ***r == by_staff).count(), 2, "{placements:?}");
}

/// What the student's reading list says: what was read, by whom, for which offer.
async fn readings(app: &TestApp, student: &User, id: i64) -> Vec<(String, i64, Option<i64>)> {
    let page =
        json(app.get(&format!("/api/v1/students/{id}/profile-views?limit=100"), Some(&student.token)).await).await;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|v| {
            (
                v["reading"].as_str().unwrap_or("").to_owned(),
                v["viewer_account_id"].as_i64().unwrap_or(0),
                v["offer_id"].as_i64(),
            )
        })
        .collect()
}
