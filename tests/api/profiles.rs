//! Student profiles: visibility per role, skills by alias, consents, If-Match.

use serde_json::json;

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn profiles_are_visible_by_role_and_recruiters_get_no_contact_details() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let other_staff = app.staff(&admin, "school_staff", Some(ensam), None).await;
    let recruiter = app.staff(&admin, "recruiter", None, Some(axa_go)).await;
    let committee = app.staff(&admin, "committee", None, None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let other_student = app.student(&staff, "ECC", "ECC-2").await;
    let me = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await;
    let path = format!("/api/v1/students/{}", me["id"]);
    assert_eq!(me["email"], "ecc-1@student.example.org");
    assert_eq!(me["programme"], "Data Science");
    for (who, status) in [
        (&student, 200),
        (&staff, 200),
        (&admin, 200),
        (&other_staff, 404),
        (&other_student, 404),
        (&committee, 404),
        (&recruiter, 404),
    ] {
        assert_eq!(app.get(&path, Some(&who.token)).await.status(), status);
    }
    // Once discoverable, a recruiter sees the professional view only.
    let etag = app.get(&path, Some(&student.token)).await.headers()["etag"].to_str().unwrap().to_owned();
    let patched = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&student.token)
        .header("if-match", etag)
        .json(&json!({"discoverable": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let seen = json(app.get(&path, Some(&recruiter.token)).await).await;
    assert_eq!(seen["first_name"], "Salma");
    assert!(
        seen.get("email").is_none() && seen.get("student_number").is_none() && seen.get("consents").is_none(),
        "{seen}"
    );
    // The consent is recorded with its time.
    let full = json(app.get(&path, Some(&student.token)).await).await;
    assert_eq!(full["consents"][0]["consent"], "discoverable_by_recruiters");
    assert_eq!(full["consents"][0]["granted"], true);
    assert!(full["consents"][0]["at"].is_string());
}

#[tokio::test]
async fn a_student_edits_their_profile_with_if_match_only() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let me = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await;
    let path = format!("/api/v1/students/{}", me["id"]);
    let etag = app.get(&path, Some(&student.token)).await.headers()["etag"].to_str().unwrap().to_owned();
    let patch = json!({"wanted_kinds": ["internship"], "cities": ["Casablanca"], "remote_ok": true,
        "available_from": "2027-01-01", "available_until": "2027-09-30", "bio": "Data student",
        "languages": [{"language": "French", "level": "c1"}], "links": ["https://github.com/salma"]});
    let without = app.client.patch(app.url(&path)).bearer_auth(&student.token).json(&patch).send().await.unwrap();
    assert_problem(without, 428).await;
    let ok = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&student.token)
        .header("if-match", &etag)
        .json(&patch)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let body = json(ok).await;
    assert_eq!(body["wanted_kinds"], json!(["internship"]));
    assert_eq!(body["available_until"], "2027-09-30");
    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&student.token)
        .header("if-match", &etag)
        .json(&json!({"bio": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412).await;
    // Roster fields are read-only; availability must be a window.
    let etag = app.get(&path, Some(&student.token)).await.headers()["etag"].to_str().unwrap().to_owned();
    for (body, field) in
        [(json!({"programme": "Other"}), "programme"), (json!({"available_until": "2026-01-01"}), "available_until")]
    {
        let response = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&student.token)
            .header("if-match", &etag)
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // School staff read but do not edit.
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&staff.token)
        .header("if-match", &etag)
        .json(&json!({"bio": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403).await;
}

#[tokio::test]
async fn skills_are_stored_by_canonical_skill_and_unknown_ones_are_named() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let me = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await;
    let path = format!("/api/v1/students/{}/skills", me["id"]);
    let put = |body: serde_json::Value| app.client.put(app.url(&path)).bearer_auth(&student.token).json(&body).send();
    let ok = put(json!({"skills": [{"skill": "K8S", "level": 3}, {"skill": "python", "level": 4}]})).await.unwrap();
    assert_eq!(ok.status(), 200);
    let skills: Vec<String> =
        json(ok).await["skills"].as_array().unwrap().iter().map(|s| s["skill"].as_str().unwrap().to_owned()).collect();
    assert_eq!(skills, vec!["kubernetes", "python"]);
    let unknown = put(json!({"skills": [{"skill": "python", "level": 4}, {"skill": "kubernets", "level": 2}, {"skill": "zzzz", "level": 2}]})).await.unwrap();
    let problem = assert_problem(unknown, 422).await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["skills[1].skill", "skills[2].skill"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("kubernetes"), "{problem}");
    let twice =
        put(json!({"skills": [{"skill": "kubernetes", "level": 4}, {"skill": "k8s", "level": 2}]})).await.unwrap();
    assert_eq!(assert_problem(twice, 422).await["errors"][0]["field"], "skills[1].skill");
    let too_many: Vec<_> = (0..61).map(|_| json!({"skill": "python", "level": 1})).collect();
    let problem = assert_problem(put(json!({"skills": too_many})).await.unwrap(), 422).await;
    assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == "skills"), "{problem}");
}

#[tokio::test]
async fn school_staff_list_their_students_with_taxonomy_aware_skill_filter() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let other_staff = app.staff(&admin, "school_staff", Some(ensam), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    app.student(&staff, "ECC", "ECC-2").await;
    app.student(&other_staff, "ENSAM-RABAT", "ENS-1").await;
    let me = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await;
    app.client
        .put(app.url(&format!("/api/v1/students/{}/skills", me["id"])))
        .bearer_auth(&student.token)
        .json(&json!({"skills": [{"skill": "pytorch", "level": 3}]}))
        .send()
        .await
        .unwrap();
    let all = json(app.get("/api/v1/students", Some(&staff.token)).await).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "only their school");
    let ml = json(app.get("/api/v1/students?skill=machine-learning", Some(&staff.token)).await).await;
    assert_eq!(ml["items"].as_array().unwrap().len(), 1);
    assert_eq!(ml["items"][0]["id"], me["id"]);
    let everyone = json(app.get("/api/v1/students?limit=100", Some(&admin.token)).await).await;
    assert_eq!(everyone["items"].as_array().unwrap().len(), 3);
    assert_problem(app.get("/api/v1/students", Some(&student.token)).await, 403).await;
}

#[tokio::test]
async fn a_profile_lists_its_skills_by_slug_whatever_their_order_in_the_taxonomy() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let me = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await;
    let path = format!("/api/v1/students/{}/skills", me["id"]);
    // The taxonomy numbers a parent before its children: network-security
    // comes before firewalls by id, after it by slug.
    let body = json!({"skills": [
        {"skill": "network-security", "level": 2},
        {"skill": "firewalls", "level": 3},
        {"skill": "cybersecurity", "level": 1},
        {"skill": "python", "level": 4},
    ]});
    let put = app.client.put(app.url(&path)).bearer_auth(&student.token).json(&body).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let listed = |profile: &serde_json::Value| -> Vec<(String, u64)> {
        profile["skills"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["skill"].as_str().unwrap().to_owned(), s["level"].as_u64().unwrap()))
            .collect()
    };
    let expected = [("cybersecurity", 1), ("firewalls", 3), ("network-security", 2), ("python", 4)]
        .map(|(slug, level)| (slug.to_owned(), level));
    assert_eq!(listed(&json(put).await), expected);
    assert_eq!(listed(&json(app.get("/api/v1/me/profile", Some(&student.token)).await).await), expected);
}

#[tokio::test]
async fn students_names_are_read_for_none_one_or_several_ids() {
    use passerelle::store::students::names;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let (_, salma) = crate::reports::student_named(&app, &staff, "ECC-N1", "Salma", "Bennani").await;
    let (_, youssef) = crate::reports::student_named(&app, &staff, "ECC-N2", "Youssef", "El Idrissi").await;
    let (_, amina) = crate::reports::student_named(&app, &staff, "ECC-N3", "Amina", "Tazi").await;
    let mut conn = app.connection();
    let named = |pairs: &[(i64, &str)]| -> std::collections::HashMap<i64, String> {
        pairs.iter().map(|(id, name)| (*id, (*name).to_owned())).collect()
    };
    assert_eq!(names(&mut conn, &[]).expect("no ids"), named(&[]));
    assert_eq!(names(&mut conn, &[youssef]).expect("one id"), named(&[(youssef, "Youssef El Idrissi")]));
    let unknown = salma.max(youssef).max(amina) + 1_000;
    assert_eq!(
        names(&mut conn, &[amina, unknown, salma, youssef, amina]).expect("several ids"),
        named(&[(salma, "Salma Bennani"), (youssef, "Youssef El Idrissi"), (amina, "Amina Tazi")]),
        "each known id once, an unknown id left out"
    );
    assert_eq!(names(&mut conn, &[salma]).expect("one id again"), named(&[(salma, "Salma Bennani")]));
}

#[tokio::test]
async fn a_roster_change_shows_in_the_profile_at_once_under_a_new_etag_and_an_unchanged_row_keeps_its_etag() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let roster = format!("/api/v1/schools/{ecc}/roster");
    let row = |programme: &str, year: u32| {
        format!(
            "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n\
             ECC-1,Salma,Bennani,ecc-1@student.example.org,{programme},bac+5,{year}\n"
        )
    };
    let read = |token: String| {
        let app = &app;
        async move {
            let response = app.get("/api/v1/me/profile", Some(&token)).await;
            let etag = response.headers()["etag"].to_str().unwrap().to_owned();
            (etag, json(response).await)
        }
    };
    let (before, profile) = read(student.token.clone()).await;
    assert_eq!((&profile["programme"], &profile["graduation_year"]), (&json!("Data Science"), &json!(2027)));
    // Read twice, so that a profile kept in memory would be the one answered.
    assert_eq!(read(student.token.clone()).await.0, before);

    assert_eq!(app.post_csv(&roster, &staff.token, row("Data Science", 2027)).await.status(), 200);
    assert_eq!(read(student.token.clone()).await.0, before, "nothing changed, the version stays");

    assert_eq!(app.post_csv(&roster, &staff.token, row("Actuariat", 2028)).await.status(), 200);
    let (after, profile) = read(student.token.clone()).await;
    assert_ne!(after, before, "the school's change is a new version");
    assert_eq!((&profile["programme"], &profile["graduation_year"]), (&json!("Actuariat"), &json!(2028)));
    let path = format!("/api/v1/students/{}", profile["id"]);
    let staff_view = app.get(&path, Some(&staff.token)).await;
    assert_eq!(staff_view.headers()["etag"].to_str().unwrap(), after);
    assert_eq!(json(staff_view).await["programme"], "Actuariat");
    // A change made with the version read before the school's is refused.
    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&student.token)
        .header("if-match", before)
        .json(&json!({"bio": "Actuaire en devenir"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412).await;
}
