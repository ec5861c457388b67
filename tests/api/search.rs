//! Accent- and case-blind search: offers, skills and students are found
//! whether or not the query carries the accents the text has.

use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use crate::helpers::{json, spawn_app, TestApp};
use crate::offers::{create_offer, offer_body, publish, recruiters};

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().expect("items").iter().map(|o| o["id"].as_i64().expect("id")).collect()
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|s| s["slug"].as_str().expect("slug").to_owned()).collect()
}

async fn found(app: &TestApp, path: &str, token: &str) -> Value {
    json(app.get(path, Some(token)).await).await
}

#[tokio::test]
async fn offers_are_found_whatever_the_accents_and_case_of_the_query() {
    let app = spawn_app().await;
    let r = recruiters(&app).await;
    let mut engineer = offer_body();
    engineer["title"] = json!("Ingénieur sécurité cloud");
    engineer["description"] = json!("Protéger les données des assurés.");
    engineer["city"] = json!("Salé");
    let engineer = create_offer(&app, &r.own, &engineer).await["id"].as_i64().expect("id");
    let other = create_offer(&app, &r.own, &offer_body()).await["id"].as_i64().expect("id");
    for id in [engineer, other] {
        publish(&app, &r.own, id).await;
    }
    let viewer = &r.other.token;
    for q in ["ingenieur", "Ingénieur", "INGENIEUR", "INGÉNIEUR", "securite", "donnees%20des%20ASSURES", "sale"] {
        let page = found(&app, &format!("/api/v1/offers?q={q}"), viewer).await;
        assert_eq!(ids(&page), vec![engineer], "q={q}");
    }
    // The organisation's name is searched too, and follows a rename.
    let by_organisation = found(&app, "/api/v1/offers?q=axa%20go", viewer).await;
    assert_eq!(ids(&by_organisation), vec![other, engineer]);
    let axa_go = app.id_of("organisations", "AXA-GO").await;
    let renamed = app
        .client
        .patch(app.url(&format!("/api/v1/admin/organisations/{axa_go}")))
        .bearer_auth(&r.admin.token)
        .json(&json!({"name": "AXA Générale Opérations"}))
        .send()
        .await
        .expect("rename sent");
    assert_eq!(renamed.status(), 200);
    let by_new_name = found(&app, "/api/v1/offers?q=generale%20operations", viewer).await;
    assert_eq!(ids(&by_new_name), vec![other, engineer]);
    // Wildcards in the query are literal.
    assert_eq!(ids(&found(&app, "/api/v1/offers?q=ing%25cloud", viewer).await), Vec::<i64>::new());
}

#[tokio::test]
async fn skills_are_found_without_their_accents_and_rows_from_before_are_filled() {
    let app = spawn_app().await;
    let page = json(app.get("/api/v1/skills?q=securite%20des%20reseaux", None).await).await;
    assert_eq!(slugs(&page), ["network-security"]);
    let page = json(app.get("/api/v1/skills?q=HACKING%20ETHIQUE", None).await).await;
    assert_eq!(slugs(&page), ["ethical-hacking"]);

    // A row written before the column existed is found once start-up fills it.
    let mut conn = app.connection();
    conn.batch_execute("UPDATE skills SET search_text = NULL WHERE slug = 'network-security'").expect("unfold");
    let page = json(app.get("/api/v1/skills?q=securite%20des%20reseaux", None).await).await;
    assert_eq!(slugs(&page), Vec::<String>::new(), "not found while unfolded");
    let filled = passerelle::store::search::fill_missing(&mut conn).expect("fill");
    assert_eq!(filled, 1);
    let page = json(app.get("/api/v1/skills?q=securite%20des%20reseaux", None).await).await;
    assert_eq!(slugs(&page), ["network-security"]);
}

#[tokio::test]
async fn staff_find_their_students_by_name_without_accents_number_or_email() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let elsewhere = app.staff(&admin, "school_staff", Some(ensam), None).await;
    let csv = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n\
               ECC-2027-0042,Hélène,Aït Bénani,helene.ait@student.example.org,Génie informatique,bac+5,2027\n\
               ECC-2027-0043,Omar,Tazi,omar.tazi@student.example.org,Génie informatique,bac+5,2027\n";
    let imported = app.post_csv(&format!("/api/v1/schools/{ecc}/roster"), &staff.token, csv.to_owned()).await;
    assert_eq!(imported.status(), 200);
    let all = found(&app, "/api/v1/students?limit=100", &staff.token).await;
    let helene = all["items"]
        .as_array()
        .and_then(|items| items.iter().find(|s| s["student_number"] == "ECC-2027-0042"))
        .and_then(|s| s["id"].as_i64())
        .expect("Hélène listed");

    for q in ["benani", "HELENE", "ait%20ben", "Bénani", "2027-0042", "helene.ait@student"] {
        let page = found(&app, &format!("/api/v1/students?q={q}"), &staff.token).await;
        assert_eq!(ids(&page), vec![helene], "q={q}");
        let page = found(&app, &format!("/api/v1/students?q={q}"), &admin.token).await;
        assert_eq!(ids(&page), vec![helene], "admin, q={q}");
        let page = found(&app, &format!("/api/v1/students?q={q}"), &elsewhere.token).await;
        assert_eq!(ids(&page), Vec::<i64>::new(), "another school's staff, q={q}");
    }
    // A re-import that renames the student is searched under the new name.
    let renamed = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n\
                   ECC-2027-0042,Hélène,Chraïbi,helene.ait@student.example.org,Génie informatique,bac+5,2027\n";
    let imported = app.post_csv(&format!("/api/v1/schools/{ecc}/roster"), &staff.token, renamed.to_owned()).await;
    assert_eq!(imported.status(), 200);
    assert_eq!(ids(&found(&app, "/api/v1/students?q=chraibi", &staff.token).await), vec![helene]);
    assert_eq!(ids(&found(&app, "/api/v1/students?q=benani", &staff.token).await), Vec::<i64>::new());
}
