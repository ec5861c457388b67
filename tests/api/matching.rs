//! Matching over HTTP: rankings with explanations, the gap view, freshness
//! within one process and across two server processes.

use serde_json::{json, Value};

use crate::helpers::{assert_problem, json, spawn_app, TestApp, User};
use crate::offers::{create_offer, offer_body, publish, recruiters};

struct Scene {
    student: User,
    student_id: i64,
    recruiter: User,
    staff: User,
    ml_offer: i64,
    k8s_offer: i64,
}

async fn patch_profile(app: &TestApp, student: &User, id: i64, body: Value) {
    let path = format!("/api/v1/students/{id}");
    let etag = app.get(&path, Some(&student.token)).await.headers()["etag"].to_str().unwrap().to_owned();
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&student.token)
        .header("if-match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn put_skills(app: &TestApp, student: &User, id: i64, skills: Value) {
    let response = app
        .client
        .put(app.url(&format!("/api/v1/students/{id}/skills")))
        .bearer_auth(&student.token)
        .json(&json!({"skills": skills}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn scene(app: &TestApp) -> Scene {
    let r = recruiters(app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&r.admin, "school_staff", Some(ecc), None).await;
    let student = app.student(&staff, "ECC", "ECC-1").await;
    let student_id = json(app.get("/api/v1/me/profile", Some(&student.token)).await).await["id"].as_i64().unwrap();
    patch_profile(
        app,
        &student,
        student_id,
        json!({"wanted_kinds": ["internship"], "cities": ["casablanca"], "discoverable": true}),
    )
    .await;
    put_skills(app, &student, student_id, json!([{"skill": "pytorch", "level": 4}, {"skill": "sql", "level": 1}]))
        .await;
    let mut ml = offer_body();
    ml["requirements"] = json!([
        {"skill": "machine-learning", "min_level": 3, "weight": 4, "required": true},
        {"skill": "sql", "min_level": 2, "weight": 2, "required": false}
    ]);
    let ml_offer = create_offer(app, &r.own, &ml).await["id"].as_i64().unwrap();
    publish(app, &r.own, ml_offer).await;
    let mut k8s = offer_body();
    k8s["requirements"] = json!([{"skill": "kubernetes", "min_level": 3, "weight": 5, "required": true}]);
    let k8s_offer = create_offer(app, &r.own, &k8s).await["id"].as_i64().unwrap();
    publish(app, &r.own, k8s_offer).await;
    Scene { student, student_id, recruiter: r.own, staff, ml_offer, k8s_offer }
}

#[tokio::test]
async fn offers_are_ranked_for_a_student_with_their_explanation() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let ranked =
        json(app.get(&format!("/api/v1/students/{}/matches", s.student_id), Some(&s.student.token)).await).await;
    let ranked = ranked.as_array().unwrap();
    assert_eq!(ranked.len(), 1, "only the eligible offer: {ranked:?}");
    let first = &ranked[0];
    assert_eq!(first["offer_id"], s.ml_offer);
    // machine-learning reached through PyTorch at level 4 ≥ 3: credit 4; sql 1 < 2: credit 2·1/2 = 1. Score 5/6.
    assert!((first["score"].as_f64().unwrap() - 5.0 / 6.0).abs() < 1e-9, "{first}");
    assert_eq!(first["eligible"], true);
    assert_eq!(first["explanation"]["met"][0]["skill"], "machine-learning");
    assert_eq!(first["explanation"]["met"][0]["student_level"], 4);
    assert_eq!(first["explanation"]["partially_met"][0]["skill"], "sql");
    assert_eq!(first["offer_title"], "Data engineering intern");
    // The school's staff see it too; a recruiter does not.
    assert_eq!(
        app.get(&format!("/api/v1/students/{}/matches", s.student_id), Some(&s.staff.token)).await.status(),
        200
    );
    assert_problem(app.get(&format!("/api/v1/students/{}/matches", s.student_id), Some(&s.recruiter.token)).await, 404)
        .await;
    assert_problem(
        app.get(&format!("/api/v1/students/{}/matches?limit=101", s.student_id), Some(&s.student.token)).await,
        400,
    )
    .await;
}

#[tokio::test]
async fn the_gap_view_shows_what_is_missing_for_an_ineligible_offer() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let gap = json(
        app.get(&format!("/api/v1/students/{}/matches/{}", s.student_id, s.k8s_offer), Some(&s.student.token)).await,
    )
    .await;
    assert_eq!(gap["eligible"], false);
    assert_eq!(gap["score"], 0.0);
    assert_eq!(
        gap["explanation"]["missing_required"],
        json!([{"skill": "kubernetes", "required_level": 3, "weight": 5}])
    );
    assert!(gap["explanation"]["failed_filters"].as_array().unwrap().contains(&json!("missing_required_skill")));
}

#[tokio::test]
async fn candidates_are_ranked_for_the_offers_recruiters_only_and_follow_consent_at_once() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let path = format!("/api/v1/offers/{}/matches", s.ml_offer);
    let ranked = json(app.get(&path, Some(&s.recruiter.token)).await).await;
    assert_eq!(ranked[0]["student_id"], s.student_id);
    assert_eq!(ranked[0]["student_name"], "Salma Bennani");
    assert_problem(app.get(&path, Some(&s.student.token)).await, 403).await;
    // Withdrawing consent takes effect before the request that made it returns.
    patch_profile(&app, &s.student, s.student_id, json!({"discoverable": false})).await;
    assert_eq!(json(app.get(&path, Some(&s.recruiter.token)).await).await, json!([]));
}

#[tokio::test]
async fn a_skill_change_is_seen_by_the_next_request_and_by_another_server_process_within_a_second() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let other_process = app.process().await;
    let other = other_process.address.clone();
    let k8s_path = format!("/api/v1/students/{}/matches?limit=5", s.student_id);
    put_skills(&app, &s.student, s.student_id, json!([{"skill": "k8s", "level": 4}])).await;
    let here = json(app.get(&k8s_path, Some(&s.student.token)).await).await;
    assert_eq!(here[0]["offer_id"], s.k8s_offer, "same process: immediately");
    let mut seen = Value::Null;
    for _ in 0..20 {
        seen = json(app.client.get(format!("{other}{k8s_path}")).bearer_auth(&s.student.token).send().await.unwrap())
            .await;
        if seen[0]["offer_id"] == s.k8s_offer {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen[0]["offer_id"], s.k8s_offer, "the other server caught up from the change feed");
    // A closed offer leaves the rankings everywhere.
    app.post_json(&format!("/api/v1/offers/{}/close", s.k8s_offer), Some(&s.recruiter.token), &json!({})).await;
    assert_eq!(json(app.get(&k8s_path, Some(&s.student.token)).await).await, json!([]));
}

#[tokio::test]
async fn a_renamed_offer_is_named_anew_in_rankings_here_at_once_and_in_another_process_soon() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let other_process = app.process().await;
    let path = format!("/api/v1/offers/{}", s.ml_offer);
    let etag = app.get(&path, Some(&s.recruiter.token)).await.headers()["etag"].to_str().unwrap().to_owned();
    let patch = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&s.recruiter.token)
        .header("if-match", etag)
        .json(&json!({"title": "Machine learning apprentice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);
    let ranking = format!("/api/v1/students/{}/matches", s.student_id);
    for token in [&s.student.token, &s.staff.token] {
        let ranked = json(app.get(&ranking, Some(token)).await).await;
        assert_eq!(ranked[0]["offer_title"], "Machine learning apprentice", "same process: {ranked}");
    }
    let mut seen = Value::Null;
    for _ in 0..20 {
        let url = format!("{}{ranking}", other_process.address);
        seen = json(app.client.get(url).bearer_auth(&s.student.token).send().await.unwrap()).await;
        if seen[0]["offer_title"] == "Machine learning apprentice" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen[0]["offer_title"], "Machine learning apprentice", "the other server caught up");
}

#[tokio::test]
async fn an_erased_student_leaves_the_rankings_at_once() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let path = format!("/api/v1/offers/{}/matches", s.ml_offer);
    assert_eq!(json(app.get(&path, Some(&s.recruiter.token)).await).await[0]["student_id"], s.student_id);
    let erased = app
        .client
        .delete(app.url(&format!("/api/v1/students/{}", s.student_id)))
        .bearer_auth(&s.student.token)
        .send()
        .await
        .unwrap();
    assert!(erased.status().is_success(), "{}", erased.status());
    assert_eq!(json(app.get(&path, Some(&s.recruiter.token)).await).await, json!([]));
    assert_problem(app.get("/api/v1/me", Some(&s.student.token)).await, 401).await;
}

#[tokio::test]
async fn the_spec_describes_missing_skills_as_they_are_sent() {
    // Two schemas once shared a name and the skills-gap row replaced this one in the document.
    let app = spawn_app().await;
    let spec = json(app.get("/api-docs/openapi.json", None).await).await;
    let reference = spec["components"]["schemas"]["Explanation"]["properties"]["missing_required"]["items"]["$ref"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let properties = &spec["components"]["schemas"][reference.as_str()]["properties"];
    for field in ["skill", "required_level", "weight"] {
        assert!(properties[field].is_object(), "{reference} lacks {field}: {properties}");
    }
    assert!(properties.get("demand").is_none(), "{properties}");
}

/// Reproduces the application that kept numeric skill ids and a score rounded
/// to sixtieths (0.65 where the match said 0.6522).
#[tokio::test]
async fn an_application_keeps_the_explanation_and_the_exact_score_of_its_match() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let mut body = offer_body();
    // Credits 4 + 5·1/3 + 0 over weights 4 + 5 + 2: 17/33, no whole number of sixtieths.
    body["requirements"] = json!([
        {"skill": "machine-learning", "min_level": 3, "weight": 4, "required": true},
        {"skill": "sql", "min_level": 3, "weight": 5, "required": false},
        {"skill": "kubernetes", "min_level": 2, "weight": 2, "required": false}
    ]);
    let offer = create_offer(&app, &s.recruiter, &body).await["id"].as_i64().unwrap();
    publish(&app, &s.recruiter, offer).await;
    let live_path = format!("/api/v1/students/{}/matches/{offer}", s.student_id);
    let live = json(app.get(&live_path, Some(&s.student.token)).await).await;
    assert_eq!(live["score"].as_f64(), Some(17.0 / 33.0), "{live}");

    let applied = crate::applications::apply(&app, &s.student, offer).await;
    assert_eq!(applied["score"], live["score"]);
    assert_eq!(applied["explanation"], live["explanation"]);
    assert_eq!(applied["explanation"]["met"][0]["skill"], "machine-learning");
    assert_eq!(applied["explanation"]["missing_preferred"][0]["skill"], "kubernetes");

    // Read back from storage: the same, and in the personal-data export too.
    let read = json(app.get(&format!("/api/v1/applications/{}", applied["id"]), Some(&s.student.token)).await).await;
    assert_eq!(read["score"], live["score"]);
    assert_eq!(read["explanation"], live["explanation"]);
    let export =
        json(app.get(&format!("/api/v1/students/{}/export", s.student_id), Some(&s.student.token)).await).await;
    assert_eq!(export["applications"][0]["score"], live["score"]);
    assert_eq!(export["applications"][0]["explanation"], live["explanation"]);
}

#[tokio::test]
async fn every_reading_of_a_student_by_staff_or_a_recruiter_is_listed_to_the_student() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let id = s.student_id;
    let ranked = json(app.get(&format!("/api/v1/offers/{}/matches", s.ml_offer), Some(&s.recruiter.token)).await).await;
    assert_eq!(ranked[0]["student_id"], id);
    let listed = json(app.get("/api/v1/students?limit=100", Some(&s.staff.token)).await).await;
    assert_eq!(listed["items"][0]["id"], id);
    for path in [format!("/api/v1/students/{id}/matches"), format!("/api/v1/students/{id}/matches/{}", s.k8s_offer)] {
        assert_eq!(app.get(&path, Some(&s.staff.token)).await.status(), 200, "{path}");
        // The student's own readings are not listed.
        assert_eq!(app.get(&path, Some(&s.student.token)).await.status(), 200, "{path}");
    }
    assert_eq!(app.get(&format!("/api/v1/students/{id}"), Some(&s.student.token)).await.status(), 200);

    let views = json(app.get(&format!("/api/v1/students/{id}/profile-views"), Some(&s.student.token)).await).await;
    let seen: Vec<(Value, Value, Value)> = views["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["viewer_account_id"].clone(), v["reading"].clone(), v["offer_id"].clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (json!(s.recruiter.account_id), json!("candidate_ranking"), json!(s.ml_offer)),
            (json!(s.staff.account_id), json!("student_list"), Value::Null),
            (json!(s.staff.account_id), json!("offer_ranking"), Value::Null),
            (json!(s.staff.account_id), json!("pair_explanation"), json!(s.k8s_offer)),
        ],
        "{views}"
    );
}

#[tokio::test]
async fn a_page_of_students_records_one_reading_for_each_student_shown_and_no_other() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    for number in ["ECC-2", "ECC-3"] {
        app.student(&s.staff, "ECC", number).await;
    }
    let page = json(app.get("/api/v1/students?limit=2", Some(&s.staff.token)).await).await;
    let shown: Vec<i64> = page["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(shown.len(), 2);
    use diesel::prelude::*;
    use passerelle::db::schema::profile_views;
    let mut conn = app.connection();
    let recorded: Vec<(i64, String)> = profile_views::table
        .order(profile_views::id)
        .select((profile_views::student_id, profile_views::reading))
        .load(&mut conn)
        .unwrap();
    assert_eq!(recorded, shown.iter().map(|id| (*id, "student_list".to_owned())).collect::<Vec<_>>());
}

#[tokio::test]
async fn near_misses_follow_the_eligible_offers_with_the_trainings_that_close_their_gaps() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let r = recruiters(&app).await;
    let training = |skills: Value, seats: u32| {
        let mut body = crate::trainings::training_body(skills);
        body["seats"] = json!(seats);
        body
    };
    // Helm is narrower than Kubernetes: taught at 3, it brings Kubernetes to 3.
    let helm = crate::trainings::create(&app, &r.own, &training(json!([{"skill": "helm", "level": 3}]), 25)).await;
    crate::trainings::create(&app, &r.own, &training(json!([{"skill": "kubernetes", "level": 2}]), 25)).await;
    let k8s = crate::trainings::create(&app, &r.own, &training(json!([{"skill": "k8s", "level": 4}]), 30)).await;
    let torch = crate::trainings::create(&app, &r.own, &training(json!([{"skill": "pytorch", "level": 5}]), 10)).await;
    // One level short on a held skill: machine learning at 4 (through PyTorch) for 5.
    let mut expert = offer_body();
    expert["requirements"] = json!([{"skill": "machine-learning", "min_level": 5, "weight": 4, "required": true}]);
    let expert = create_offer(&app, &s.recruiter, &expert).await["id"].as_i64().unwrap();
    publish(&app, &s.recruiter, expert).await;
    // Three skills missing, or another rule broken: no near miss.
    let mut far = offer_body();
    far["requirements"] = json!([
        {"skill": "kubernetes", "min_level": 1, "weight": 1, "required": true},
        {"skill": "docker", "min_level": 1, "weight": 1, "required": true},
        {"skill": "terraform", "min_level": 1, "weight": 1, "required": true}
    ]);
    let far = create_offer(&app, &s.recruiter, &far).await["id"].as_i64().unwrap();
    publish(&app, &s.recruiter, far).await;
    let mut elsewhere = offer_body();
    elsewhere["city"] = json!("Tanger");
    elsewhere["requirements"] = json!([{"skill": "kubernetes", "min_level": 3, "weight": 5, "required": true}]);
    let elsewhere = create_offer(&app, &s.recruiter, &elsewhere).await["id"].as_i64().unwrap();
    publish(&app, &s.recruiter, elsewhere).await;

    let path = format!("/api/v1/students/{}/matches", s.student_id);
    let plain = json(app.get(&path, Some(&s.student.token)).await).await;
    assert_eq!(plain.as_array().unwrap().len(), 1, "without include, eligible offers only: {plain}");
    assert!(plain[0].get("near_miss").is_none() && plain[0].get("suggested_trainings").is_none(), "{plain}");

    let ranked = json(app.get(&format!("{path}?include=near_misses"), Some(&s.student.token)).await).await;
    let ranked = ranked.as_array().unwrap();
    let offers: Vec<i64> = ranked.iter().map(|m| m["offer_id"].as_i64().unwrap()).collect();
    // Kubernetes gains 1 (0 → 1); machine learning at 5 gains 0.2 (credit 4·4/5 = 3.2 of 4 → 4).
    assert_eq!(offers, [s.ml_offer, s.k8s_offer, expert], "{ranked:?}");
    assert!(ranked[0].get("near_miss").is_none());
    let k8s_miss = &ranked[1];
    assert_eq!(k8s_miss["eligible"], false);
    assert_eq!(k8s_miss["offer_title"], "Data engineering intern");
    assert_eq!(k8s_miss["near_miss"]["score_if_closed"], 1.0);
    assert_eq!(k8s_miss["near_miss"]["gain"], 1.0);
    let gaps = k8s_miss["suggested_trainings"].as_array().unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["skill"], "kubernetes");
    assert_eq!((gaps[0]["held_level"].clone(), gaps[0]["required_level"].clone()), (json!(0), json!(3)));
    let closing: Vec<i64> =
        gaps[0]["trainings"].as_array().unwrap().iter().map(|t| t["training_id"].as_i64().unwrap()).collect();
    // Same next session: more seats first; the level-2 training does not close it.
    assert_eq!(closing, [k8s["id"].as_i64().unwrap(), helm["id"].as_i64().unwrap()]);
    assert_eq!(gaps[0]["trainings"][0]["level_reached"], 4);
    assert_eq!(gaps[0]["trainings"][1]["level_reached"], 3);
    assert_eq!(gaps[0]["trainings"][1]["next_start_date"], "2027-02-01");
    let expert_miss = &ranked[2];
    assert!((expert_miss["near_miss"]["gain"].as_f64().unwrap() - 0.2).abs() < 1e-9, "{expert_miss}");
    let gap = &expert_miss["suggested_trainings"][0];
    assert_eq!((gap["skill"].clone(), gap["held_level"].clone()), (json!("machine-learning"), json!(4)));
    assert_eq!(gap["trainings"][0]["training_id"], torch["id"]);

    // The limit bounds each list; the kind filters both.
    let one = json(app.get(&format!("{path}?include=near_misses&limit=1"), Some(&s.student.token)).await).await;
    let offers: Vec<i64> = one.as_array().unwrap().iter().map(|m| m["offer_id"].as_i64().unwrap()).collect();
    assert_eq!(offers, [s.ml_offer, s.k8s_offer]);
    let none =
        json(app.get(&format!("{path}?include=near_misses&kind=work_study"), Some(&s.student.token)).await).await;
    assert_eq!(none, json!([]));
    assert_problem(app.get(&format!("{path}?include=everything"), Some(&s.student.token)).await, 400).await;
    // As for the ranking: the school's staff read it, a recruiter gets 404.
    assert_eq!(app.get(&format!("{path}?include=near_misses"), Some(&s.staff.token)).await.status(), 200);
    assert_problem(app.get(&format!("{path}?include=near_misses"), Some(&s.recruiter.token)).await, 404).await;
}

#[tokio::test]
async fn the_gap_view_suggests_trainings_for_every_skill_short_or_missing() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let r = recruiters(&app).await;
    let sql =
        crate::trainings::create(&app, &r.own, &crate::trainings::training_body(json!([{"skill": "sql", "level": 2}])))
            .await;
    let path = format!("/api/v1/students/{}/matches/{}", s.student_id, s.ml_offer);
    let pair = json(app.get(&path, Some(&s.student.token)).await).await;
    // Eligible, but SQL (preferred) is held at 1 for 2.
    assert_eq!(pair["eligible"], true);
    let gaps = pair["suggested_trainings"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{pair}");
    assert_eq!(gaps[0]["skill"], "sql");
    assert_eq!(gaps[0]["required"], false);
    assert_eq!((gaps[0]["held_level"].clone(), gaps[0]["required_level"].clone()), (json!(1), json!(2)));
    assert_eq!(gaps[0]["trainings"][0]["training_id"], sql["id"]);
    let k8s = json(
        app.get(&format!("/api/v1/students/{}/matches/{}", s.student_id, s.k8s_offer), Some(&s.student.token)).await,
    )
    .await;
    assert_eq!(
        k8s["suggested_trainings"],
        json!([{"skill": "kubernetes", "held_level": 0, "required_level": 3, "required": true, "trainings": []}])
    );
}

#[tokio::test]
async fn the_gap_view_suggests_a_training_added_changed_or_renamed_after_it_read_the_catalogue() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let r = recruiters(&app).await;
    let path = format!("/api/v1/students/{}/matches/{}", s.student_id, s.k8s_offer);
    let suggested = || async {
        let pair = json(app.get(&path, Some(&s.student.token)).await).await;
        pair["suggested_trainings"][0]["trainings"].clone()
    };
    assert_eq!(suggested().await, json!([]), "no training teaches kubernetes yet");
    let added = crate::trainings::create(
        &app,
        &r.own,
        &crate::trainings::training_body(json!([{"skill": "kubernetes", "level": 3}])),
    )
    .await;
    let now = suggested().await;
    assert_eq!(now[0]["training_id"], added["id"], "added: {now}");
    assert_eq!(now[0]["title_en"], "Containers certificate (fictional)");
    let changed = app
        .client
        .patch(app.url(&format!("/api/v1/trainings/{}", added["id"])))
        .bearer_auth(&r.own.token)
        .json(&json!({"title_en": "Kubernetes in production (fictional)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_eq!(suggested().await[0]["title_en"], "Kubernetes in production (fictional)", "changed");
    let renamed = app
        .client
        .patch(app.url(&format!("/api/v1/admin/organisations/{}", added["provider"]["id"])))
        .bearer_auth(&r.admin.token)
        .json(&json!({"name": "AXA GO Académie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    assert_eq!(suggested().await[0]["provider_name"], "AXA GO Académie", "provider renamed");
}
