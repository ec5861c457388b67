//! Operator endpoints: schools, organisations and the skill taxonomy.

use serde_json::json;

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn admins_add_and_rename_schools_and_organisations() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = app
        .post_json(
            "/api/v1/admin/schools",
            Some(&admin.token),
            &json!({"code": "ENSA-KENITRA", "name": "ENSA Kénitra", "city": "Kénitra", "kind": "engineering_school"}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let school = json(created).await;
    let again = app
        .post_json(
            "/api/v1/admin/schools",
            Some(&admin.token),
            &json!({"code": "ENSA-KENITRA", "name": "Twice", "city": "Kénitra", "kind": "engineering_school"}),
        )
        .await;
    assert_problem(again, 409).await;
    let bad = app
        .post_json(
            "/api/v1/admin/schools",
            Some(&admin.token),
            &json!({"code": "lower", "name": "X", "city": "Y", "kind": "circus"}),
        )
        .await;
    let problem = assert_problem(bad, 422).await;
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["code", "kind"]);
    let renamed = app
        .client
        .patch(app.url(&format!("/api/v1/admin/schools/{}", school["id"])))
        .bearer_auth(&admin.token)
        .json(&json!({"name": "École Nationale des Sciences Appliquées de Kénitra"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(renamed).await["name"], "École Nationale des Sciences Appliquées de Kénitra");
    let organisation = app
        .post_json(
            "/api/v1/admin/organisations",
            Some(&admin.token),
            &json!({"code": "AXA-TEST", "name": "AXA Test", "city": "Rabat"}),
        )
        .await;
    assert_eq!(organisation.status(), 201);
    assert_eq!(app.id_of("organisations", "AXA-TEST").await, json(organisation).await["id"].as_i64().unwrap());
}

#[tokio::test]
async fn the_taxonomy_grows_without_loops_and_aliases_resolve_everywhere() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = app
        .post_json(
            "/api/v1/admin/skills",
            Some(&admin.token),
            &json!({"slug": "llm-ops", "label_fr": "LLMOps", "label_en": "LLMOps", "domain": "ai", "parent": "machine-learning", "aliases": ["LLMOPS-PRACTICE"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let skill = json(created).await;
    assert_eq!(skill["parent"], "machine-learning");
    assert_eq!(skill["aliases"], json!(["llmops-practice"]));
    assert_eq!(json(app.get("/api/v1/skills/llmops-practice", None).await).await["slug"], "llm-ops");
    let taken = app
        .post_json(
            "/api/v1/admin/skills",
            Some(&admin.token),
            &json!({"slug": "k8s", "label_fr": "x", "label_en": "x", "domain": "cloud"}),
        )
        .await;
    assert_problem(taken, 409).await;
    // machine-learning cannot be put under its own descendant.
    let looped = app
        .client
        .patch(app.url("/api/v1/admin/skills/machine-learning"))
        .bearer_auth(&admin.token)
        .json(&json!({"parent": "llm-ops"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(looped, 422).await["errors"][0]["code"], "loop");
    let alias =
        app.post_json("/api/v1/admin/skills/kubernetes/aliases", Some(&admin.token), &json!({"alias": "k3s"})).await;
    assert_eq!(alias.status(), 201);
    assert_problem(
        app.post_json("/api/v1/admin/skills/python/aliases", Some(&admin.token), &json!({"alias": "k3s"})).await,
        409,
    )
    .await;
    assert_eq!(json(app.get("/api/v1/skills?q=k3s", None).await).await["items"][0]["slug"], "kubernetes");
    // Relabel and detach.
    let relabelled = app
        .client
        .patch(app.url("/api/v1/admin/skills/llm-ops"))
        .bearer_auth(&admin.token)
        .json(&json!({"label_fr": "Opérations LLM", "parent": null}))
        .send()
        .await
        .unwrap();
    let relabelled = json(relabelled).await;
    assert_eq!(relabelled["label_fr"], "Opérations LLM");
    assert!(relabelled["parent"].is_null());
}
