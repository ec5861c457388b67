//! The demo data set a newcomer tries the API with.

use crate::helpers::{json, spawn_app_with};

#[tokio::test]
async fn the_demo_data_set_gives_every_role_something_to_try() {
    let app = spawn_app_with(|s| s.demo = true).await;
    let demo = passerelle::seed::DEMO_PASSWORD;
    let admin = app.login("admin@passerelle.example.org", demo).await;
    let recruiter = app.login("nadia.alaoui@axa-go.example.org", demo).await;
    let student = app.login("salma.bennani@ecc.example.org", demo).await;
    app.login("carrieres@ecc.example.org", demo).await;
    app.login("comite.suivi@passerelle.example.org", demo).await;
    let offers = json(app.get("/api/v1/offers?limit=100", Some(&student.token)).await).await;
    let open = offers["items"].as_array().unwrap();
    assert!(open.len() >= 10, "{} open offers", open.len());
    assert!(open.iter().all(|o| o["status"] == "open"));
    let students = json(app.get("/api/v1/students?limit=100", Some(&admin.token)).await).await;
    assert!(students["items"].as_array().unwrap().len() >= 30);
    let me = json(app.get("/api/v1/me", Some(&student.token)).await).await;
    let matches =
        json(app.get(&format!("/api/v1/students/{}/matches", me["student_id"]), Some(&student.token)).await).await;
    assert!(!matches.as_array().unwrap().is_empty(), "the demo student has matching offers");
    let own = json(app.get("/api/v1/offers?status=draft", Some(&recruiter.token)).await).await;
    assert!(!own["items"].as_array().unwrap().is_empty(), "the recruiter has a draft to publish");
    let trainings = json(app.get("/api/v1/trainings?skill=machine-learning", Some(&student.token)).await).await;
    let titles: Vec<&str> =
        trainings["items"].as_array().unwrap().iter().filter_map(|t| t["title_en"].as_str()).collect();
    assert_eq!(titles, ["Demo module: applied deep learning (fictional programme)"]);

    // One agreement is signed by its three parties, and its PDF downloads.
    let placed = app.login(passerelle::seed::SIGNED_STUDENT, demo).await;
    let placements = json(app.get("/api/v1/placements", Some(&placed.token)).await).await;
    let signed = &placements["items"][0];
    assert_eq!(signed["status"], "signed", "{placements}");
    assert_eq!(signed["missing_signatures"], serde_json::json!([]));
    let pdf = app.get(&format!("/api/v1/placements/{}/agreement.pdf", signed["id"]), Some(&recruiter.token)).await;
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let record =
        json(app.get(&format!("/api/v1/placements/{}/agreement/verify", signed["id"]), Some(&placed.token)).await)
            .await;
    let signatures = record["versions"][0]["signatures"].as_array().unwrap();
    let fixed = &record["versions"][0]["documents"];
    let french = fixed.as_array().unwrap().iter().find(|d| d["language"] == "fr").unwrap();
    assert!(signatures.len() == 3 && signatures.iter().all(|s| s["document_sha256"] == french["sha256"]), "{record}");
}
