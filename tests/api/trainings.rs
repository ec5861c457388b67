//! The training catalogue: who adds and changes trainings, the filters.

use serde_json::{json, Value};

use crate::helpers::{assert_problem, json, spawn_app, TestApp, User};

pub fn training_body(skills: Value) -> Value {
    json!({
        "kind": "certificate",
        "title_fr": "Certificat Conteneurs (fictif)",
        "title_en": "Containers certificate (fictional)",
        "skills": skills,
        "duration_hours": 60,
        "mode": "online",
        "start_dates": ["2027-09-15", "2027-02-01"],
        "seats": 25,
        "link": "https://formation.example.org/conteneurs"
    })
}

pub async fn create(app: &TestApp, user: &User, body: &Value) -> Value {
    let response = app.post_json("/api/v1/trainings", Some(&user.token), body).await;
    assert_eq!(response.status(), 201);
    json(response).await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().filter_map(|t| t["id"].as_i64()).collect()
}

#[tokio::test]
async fn providers_add_their_own_trainings_and_the_catalogue_filters_them() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let recruiter = app.staff(&admin, "recruiter", None, Some(axa_go)).await;
    let containers = create(&app, &recruiter, &training_body(json!([{"skill": "k8s", "level": 3}]))).await;
    assert_eq!(containers["provider"], json!({"kind": "organisation", "id": axa_go, "name": "AXA GO"}));
    assert_eq!(containers["skills"], json!([{"skill": "kubernetes", "level": 3}]));
    assert_eq!(containers["start_dates"], json!(["2027-02-01", "2027-09-15"]));
    let mut deep = training_body(json!([{"skill": "pytorch", "level": 2}, {"skill": "python", "level": 3}]));
    deep["mode"] = json!("work_study");
    let deep = create(&app, &staff, &deep).await;
    assert_eq!(deep["provider"]["kind"], "school");
    let student = app.student(&staff, "ECC", "ECC-200").await;
    let page = |query: &'static str| {
        let (app, token) = (&app, student.token.clone());
        async move { json(app.get(&format!("/api/v1/trainings{query}"), Some(&token)).await).await }
    };
    let (containers_id, deep_id) = (containers["id"].as_i64().unwrap(), deep["id"].as_i64().unwrap());
    assert_eq!(ids(&page("").await), [containers_id, deep_id]);
    // A parent skill finds the trainings teaching a narrower one.
    assert_eq!(ids(&page("?skill=machine-learning").await), [deep_id]);
    assert_eq!(ids(&page("?skill=container-orchestration").await), [containers_id]);
    assert_eq!(ids(&page("?mode=online").await), [containers_id]);
    assert_eq!(
        ids(&json(app.get(&format!("/api/v1/trainings?school_id={ecc}"), Some(&student.token)).await).await),
        [deep_id]
    );
    let unknown = app.get("/api/v1/trainings?skill=cobol-on-mars", Some(&student.token)).await;
    assert_problem(unknown, 400).await;
    let one = json(app.get(&format!("/api/v1/trainings/{deep_id}"), Some(&student.token)).await).await;
    assert_eq!(one["skills"], json!([{"skill": "python", "level": 3}, {"skill": "pytorch", "level": 2}]));
    // Another provider's staff may not change it; its own may.
    let patch = |user: &User, body: Value| {
        app.client
            .patch(app.url(&format!("/api/v1/trainings/{containers_id}")))
            .bearer_auth(&user.token)
            .json(&body)
            .send()
    };
    assert_eq!(patch(&staff, json!({"seats": 5})).await.unwrap().status(), 403);
    let changed = json(patch(&recruiter, json!({"seats": 5, "link": null})).await.unwrap()).await;
    assert_eq!((changed["seats"].as_i64(), &changed["link"]), (Some(5), &Value::Null));
    assert_eq!(changed["title_fr"], containers["title_fr"]);
    let bad = patch(&recruiter, json!({"skills": [{"skill": "kubernetes", "level": 2}, {"skill": "k8s", "level": 3}]}));
    let problem = assert_problem(bad.await.unwrap(), 422).await;
    assert_eq!(problem["errors"][0]["field"], "skills[1].skill");
}

#[tokio::test]
async fn admins_name_one_provider_and_others_cannot_name_someone_else() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let body = training_body(json!([{"skill": "python", "level": 2}]));
    let none = app.post_json("/api/v1/trainings", Some(&admin.token), &body).await;
    assert_eq!(assert_problem(none, 422).await["errors"][0]["field"], "school_id");
    let mut for_ensam = body.clone();
    for_ensam["school_id"] = json!(ensam);
    let created = create(&app, &admin, &for_ensam).await;
    assert_eq!(created["provider"]["id"], ensam);
    assert_problem(app.post_json("/api/v1/trainings", Some(&staff.token), &for_ensam).await, 403).await;
    let mut nowhere = body.clone();
    nowhere["school_id"] = json!(999_999);
    let problem = assert_problem(app.post_json("/api/v1/trainings", Some(&admin.token), &nowhere).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "school_id");
    let mut broken = body;
    broken["link"] = json!("javascript:alert(1)");
    broken["seats"] = json!(0);
    let problem = assert_problem(app.post_json("/api/v1/trainings", Some(&staff.token), &broken).await, 422).await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["seats", "link"]);
}
