//! Skill suggestions from free text, over the reference taxonomy.

use serde_json::{json, Value};

use crate::helpers::{assert_problem, json, spawn_app};

fn slugs(answer: &Value) -> Vec<&str> {
    answer["skills"].as_array().unwrap().iter().filter_map(|s| s["slug"].as_str()).collect()
}

#[tokio::test]
async fn a_french_offer_text_suggests_its_skills_with_where_they_are() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({
        "title": "Stage PFE : MLOps sur k8s",
        "description": "Vous industrialiserez des modèles d'Apprentissage Automatique en Python, \
                        avec Google Cloud et un budget R&D."
    });
    let answer = json(app.post_json("/api/v1/skill-suggestions", Some(&admin.token), &body).await).await;
    // "Google Cloud" is an alias of GCP; neither "go" in "Google" nor "R" in "R&D" is a skill.
    assert_eq!(slugs(&answer), ["mlops", "kubernetes", "machine-learning", "python", "gcp"], "{answer}");
    let kubernetes = &answer["skills"][1]["mentions"][0];
    assert_eq!(kubernetes["field"], "title");
    assert_eq!(kubernetes["phrase"], "k8s");
    assert_eq!((kubernetes["start"].as_u64(), kubernetes["end"].as_u64()), (Some(22), Some(25)));
    let learning = &answer["skills"][2]["mentions"][0];
    assert_eq!(learning["field"], "description");
    assert_eq!(learning["phrase"], "Apprentissage Automatique");
}

#[tokio::test]
async fn a_new_alias_is_suggested_once_added() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({"title": "", "description": "Bonne maîtrise de pythonesque."});
    let before = json(app.post_json("/api/v1/skill-suggestions", Some(&admin.token), &body).await).await;
    assert_eq!(slugs(&before), Vec::<&str>::new());
    let added = app
        .post_json("/api/v1/admin/skills/python/aliases", Some(&admin.token), &json!({"alias": "pythonesque"}))
        .await;
    assert_eq!(added.status(), 201);
    let after = json(app.post_json("/api/v1/skill-suggestions", Some(&admin.token), &body).await).await;
    assert_eq!(slugs(&after), ["python"]);
}

#[tokio::test]
async fn empty_or_overlong_texts_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let empty = app.post_json("/api/v1/skill-suggestions", Some(&admin.token), &json!({"title": " "})).await;
    let problem = assert_problem(empty, 422).await;
    assert_eq!(problem["errors"][0]["field"], "description");
    let long = json!({"title": "x".repeat(301), "description": "Python"});
    let problem =
        assert_problem(app.post_json("/api/v1/skill-suggestions", Some(&admin.token), &long).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "title");
}
