//! The agreement as a document: its PDF read back with poppler's tools, the
//! bytes fixed by the first signature, signatures bound to the hash of what
//! was shown, and the record of every version.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::applications::{cast, spawn, Cast};
use crate::helpers::{assert_problem, json, TestApp, User};
use crate::placements::{name_the_people, patch, placement, read};

/// Runs one of poppler's tools, failing the test with a clear cause when it
/// is not installed (`.ci/run` installs poppler-utils).
fn poppler(tool: &str, args: &[&str]) -> std::process::Output {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not run ({e}): install poppler-utils (apt-get install -y poppler-utils)")
    });
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn temp_pdf(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("agreement.pdf");
    std::fs::write(&path, bytes).expect("pdf written");
    (dir, path)
}

/// The text of a PDF, as pdftotext reads it.
fn text_of(bytes: &[u8]) -> String {
    let (_dir, path) = temp_pdf(bytes);
    let output = poppler("pdftotext", &["-enc", "UTF-8", path.to_str().unwrap_or_default(), "-"]);
    // pdftotext renders the narrow no-break space as a space or keeps it; compare either way.
    String::from_utf8_lossy(&output.stdout).replace(['\u{202f}', '\u{a0}'], " ")
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn download(app: &TestApp, user: &User, id: i64, query: &str) -> Vec<u8> {
    let response = app.get(&format!("/api/v1/placements/{id}/agreement.pdf{query}"), Some(&user.token)).await;
    assert_eq!(response.status(), 200, "download {query}");
    assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    response.bytes().await.expect("pdf body").to_vec()
}

async fn sign_with(app: &TestApp, user: &User, id: i64, hash: Option<&str>) -> reqwest::Response {
    let body = hash.map_or_else(|| json!({}), |hash| json!({"document_sha256": hash}));
    app.post_json(&format!("/api/v1/placements/{id}/signatures"), Some(&user.token), &body).await
}

async fn verify(app: &TestApp, user: &User, id: i64) -> Value {
    let response = app.get(&format!("/api/v1/placements/{id}/agreement/verify"), Some(&user.token)).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

/// A placement with both names given, ready to sign.
async fn ready(app: &TestApp) -> (Cast, i64) {
    let c = cast(app).await;
    let id = placement(app, &c).await;
    name_the_people(app, &c.recruiter, id).await;
    (c, id)
}

#[tokio::test]
async fn the_pdf_holds_the_parties_the_dates_and_the_articles_with_their_accents() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let (_, view) = read(&app, &c.student, id).await;
    let start: chrono::NaiveDate = view["terms"]["start_date"].as_str().unwrap().parse().unwrap();

    let french = text_of(&download(&app, &c.student, id, "?lang=fr").await);
    for expected in [
        "Convention de stage",
        "École Centrale Casablanca",
        "AXA GO",
        "Salma Bennani",
        "ECC-1",
        "Data Science",
        "Data engineering intern",
        "Pr. Youssef Alaoui",
        "Article 1 — Objet",
        "Article 5 — Obligations et confidentialité",
        "règlement intérieur",
        "« Data engineering intern »",
        "4 000 MAD par mois",
        "Pas encore signé.",
    ] {
        assert!(french.contains(expected), "{expected:?} missing from:\n{french}");
    }
    let months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = months[usize::try_from(chrono::Datelike::month0(&start)).unwrap()];
    assert!(french.contains(&format!("{} {}", month, chrono::Datelike::year(&start))), "start date in French");

    let english = text_of(&download(&app, &c.recruiter, id, "?lang=en").await);
    for expected in ["Internship agreement", "École Centrale Casablanca", "Article 1 — Purpose", "MAD 4,000 per month"]
    {
        assert!(english.contains(expected), "{expected:?} missing from:\n{english}");
    }
    // An unknown language is a parameter error.
    assert_problem(
        app.get(&format!("/api/v1/placements/{id}/agreement.pdf?lang=de"), Some(&c.student.token)).await,
        400,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/placements/{id}/agreement.pdf?version=9"), Some(&c.student.token)).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn the_pdf_renders_to_an_image() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let (_dir, path) = temp_pdf(&download(&app, &c.staff, id, "").await);
    let prefix = path.with_file_name("page");
    poppler("pdftoppm", &["-r", "40", "-png", "-f", "1", "-l", "1", path.to_str().unwrap(), prefix.to_str().unwrap()]);
    let page = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|ext| ext == "png"))
        .expect("pdftoppm wrote a page");
    let image = std::fs::read(page).unwrap();
    assert!(image.starts_with(b"\x89PNG"), "a PNG image");
    assert!(image.len() > 1_000, "an image with something drawn");
}

#[tokio::test]
async fn the_font_is_embedded_as_subsets_so_the_pdf_is_small_and_every_page_renders() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let unsigned = download(&app, &c.student, id, "?signature_page=false").await;
    assert_eq!(sign_with(&app, &c.staff, id, Some(&sha256(&unsigned))).await.status(), 200);
    let full = download(&app, &c.student, id, "").await;
    // The whole font alone made 390 KB; each subset is a few kilobytes.
    assert!(unsigned.len() < 60_000, "the agreement is {} bytes", unsigned.len());
    assert!(full.len() < 100_000, "with its signature page, {} bytes", full.len());
    let (_dir, path) = temp_pdf(&full);
    let prefix = path.with_file_name("page");
    // Every page, the appended signature page (its own subset) included.
    poppler("pdftoppm", &["-r", "30", "-png", path.to_str().unwrap(), prefix.to_str().unwrap()]);
    let mut pages: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "png"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 2, "the agreement and its signature page: {pages:?}");
    for page in &pages {
        let image = std::fs::read(page).unwrap();
        assert!(image.starts_with(b"\x89PNG") && image.len() > 500, "{page:?} drawn");
    }
    // The signature page's text, written after the first subset, is read back.
    let text = text_of(&full);
    let signatures = text.rsplit("Signatures").next().unwrap_or_default();
    for expected in ["L’établissement d’enseignement", "Signé par", "Staff Member", "Pas encore signé."] {
        assert!(signatures.contains(expected), "{expected:?} missing from:\n{signatures}");
    }
}

#[tokio::test]
async fn a_version_gives_the_same_bytes_and_the_first_signature_fixes_them() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let unsigned = download(&app, &c.student, id, "?signature_page=false").await;
    assert_eq!(unsigned, download(&app, &c.recruiter, id, "?signature_page=false").await, "same version, same bytes");
    assert!(verify(&app, &c.student, id).await["versions"][0]["documents"].as_array().unwrap().is_empty());

    let hash = sha256(&unsigned);
    let signed = sign_with(&app, &c.student, id, Some(&hash)).await;
    assert_eq!(signed.status(), 200);
    // The student's name changes in the roster: the signed bytes do not.
    let mut conn = app.connection();
    diesel::RunQueryDsl::execute(diesel::sql_query("UPDATE students SET first_name = 'Renamed'"), &mut conn)
        .expect("renamed");
    let fixed = download(&app, &c.staff, id, "?signature_page=false").await;
    assert_eq!(fixed, unsigned);
    let full = download(&app, &c.staff, id, "").await;
    assert!(full.starts_with(&fixed), "the signed document is the head of the file");
    assert!(text_of(&full).contains(&hash), "the signature page names the hash");

    let record = verify(&app, &c.recruiter, id).await;
    let documents = record["versions"][0]["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 2, "{record}");
    assert!(documents.iter().any(|d| d["language"] == "fr" && d["sha256"] == hash.as_str() && d["stored"] == true));
    assert_eq!(record["versions"][0]["signatures"][0]["document_sha256"], hash.as_str());
    assert_eq!(record["versions"][0]["signatures"][0]["party"], "student");
}

#[tokio::test]
async fn a_stale_hash_is_refused_after_an_amendment() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let first = sha256(&download(&app, &c.staff, id, "?signature_page=false").await);
    assert_eq!(sign_with(&app, &c.staff, id, Some(&first)).await.status(), 200);
    let (etag, _) = read(&app, &c.recruiter, id).await;
    let amended = patch(&app, &c.recruiter, id, Some(&etag), &json!({"monthly_stipend_mad": 5000})).await;
    assert_eq!(amended.status(), 200);
    // The recruiter was shown version 1: refused.
    let problem = assert_problem(sign_with(&app, &c.recruiter, id, Some(&first)).await, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("not the current version"), "{problem}");
    // A hash that is not one is a validation error.
    assert_problem(sign_with(&app, &c.recruiter, id, Some("abc")).await, 422).await;
    // Version 2's English document is accepted.
    let second = download(&app, &c.recruiter, id, "?lang=en&signature_page=false").await;
    assert_eq!(sign_with(&app, &c.recruiter, id, Some(&sha256(&second))).await.status(), 200);
    let record = verify(&app, &c.student, id).await;
    assert_eq!(record["versions"].as_array().unwrap().len(), 2);
    assert_eq!(record["versions"][1]["signatures"][0]["document_sha256"], sha256(&second).as_str());
    // Version 1 is still there as signed.
    assert_eq!(sha256(&download(&app, &c.student, id, "?version=1&signature_page=false").await), first);
}

#[tokio::test]
async fn the_three_signatures_appear_on_the_signature_page() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    // A client that sends no hash still signs (the French document's is recorded).
    assert_eq!(
        app.client
            .post(app.url(&format!("/api/v1/placements/{id}/signatures")))
            .bearer_auth(&c.student.token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let hash = sha256(&download(&app, &c.student, id, "?signature_page=false").await);
    for user in [&c.staff, &c.recruiter] {
        assert_eq!(sign_with(&app, user, id, Some(&hash)).await.status(), 200);
    }
    let text = text_of(&download(&app, &c.admin, id, "").await);
    let page = text.rsplit("Signatures").next().unwrap_or_default().to_owned();
    for expected in [
        "L’étudiant·e",
        "L’établissement d’enseignement",
        "L’organisme d’accueil",
        "Signé par",
        "Salma Bennani",
        "Staff Member",
    ] {
        assert!(page.contains(expected), "{expected:?} missing from the signature page:\n{page}");
    }
    assert_eq!(page.matches("Signé par").count(), 3, "{page}");
    assert!(!page.contains("Pas encore signé."));
    assert_eq!(page.matches(&hash).count(), 4, "the document's hash and each signature's: {page}");
    let record = verify(&app, &c.staff, id).await;
    assert_eq!(record["versions"][0]["signatures"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_export_lists_the_documents_and_erasure_keeps_only_their_hashes() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let hash = sha256(&download(&app, &c.student, id, "?signature_page=false").await);
    assert_eq!(sign_with(&app, &c.student, id, Some(&hash)).await.status(), 200);
    let profile = json(app.get("/api/v1/me/profile", Some(&c.student.token)).await).await;
    let student = profile["id"].as_i64().unwrap();
    let export = json(app.get(&format!("/api/v1/students/{student}/export"), Some(&c.student.token)).await).await;
    let documents = &export["placements"][0]["agreement_versions"][0]["documents"];
    let french = documents.as_array().unwrap().iter().find(|d| d["language"] == "fr").expect("French document");
    assert_eq!(french["sha256"], hash.as_str());
    assert_eq!(french["stored"], true);
    let link = french["download"].as_str().unwrap();
    assert_eq!(app.get(link, Some(&c.student.token)).await.status(), 200);

    let erased =
        app.client.delete(app.url(&format!("/api/v1/students/{student}"))).bearer_auth(&c.student.token).send();
    assert_eq!(erased.await.unwrap().status(), 204);
    assert_problem(app.get(link, Some(&c.staff.token)).await, 404).await;
    let record = verify(&app, &c.staff, id).await;
    let kept = &record["versions"][0]["documents"];
    assert!(kept.as_array().unwrap().iter().all(|d| d["stored"] == false), "{record}");
    assert!(kept.as_array().unwrap().iter().any(|d| d["sha256"] == hash.as_str()));
}

#[tokio::test]
async fn weekly_hours_are_a_term_of_the_agreement_and_its_document() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let before = text_of(&download(&app, &c.staff, id, "?signature_page=false").await);
    assert!(before.contains("celle de l’organisme d’accueil"), "{before}");
    let (etag, _) = read(&app, &c.recruiter, id).await;
    // Beyond the legal 44 hours: refused, and nothing changes.
    let problem =
        assert_problem(patch(&app, &c.recruiter, id, Some(&etag), &json!({"weekly_hours": 45})).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "weekly_hours", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "out_of_range", "{problem}");
    let (etag, view) = read(&app, &c.recruiter, id).await;
    assert!(view["terms"]["weekly_hours"].is_null(), "{view}");
    let amended = patch(&app, &c.recruiter, id, Some(&etag), &json!({"weekly_hours": 35})).await;
    assert_eq!(amended.status(), 200);
    let (_, view) = read(&app, &c.recruiter, id).await;
    assert_eq!(view["terms"]["weekly_hours"], 35, "{view}");
    let french = text_of(&download(&app, &c.staff, id, "?signature_page=false").await);
    assert!(french.contains("35 heures par semaine") && french.contains("est de 35 heures"), "{french}");
    let english = text_of(&download(&app, &c.staff, id, "?lang=en&signature_page=false").await);
    assert!(english.contains("35 hours a week") && english.contains("are 35 hours"), "{english}");
}

#[tokio::test]
async fn the_school_s_postal_address_is_printed_once_an_admin_gives_it() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let set_address = |address: Value| {
        app.client
            .patch(app.url(&format!("/api/v1/admin/schools/{ecc}")))
            .bearer_auth(&c.admin.token)
            .json(&json!({ "postal_address": address }))
            .send()
    };
    // Blank or longer than 300 characters: refused, naming the field.
    for bad in [json!("   "), json!("é".repeat(301))] {
        let problem = assert_problem(set_address(bad).await.unwrap(), 422).await;
        assert_eq!(problem["errors"][0]["field"], "postal_address", "{problem}");
    }
    let before = text_of(&download(&app, &c.staff, id, "?signature_page=false").await);
    assert!(!before.contains("rue de l’Essai"), "{before}");
    let school = json(set_address(json!(" 7, rue de l’Essai, 20250 Casablanca ")).await.unwrap()).await;
    assert_eq!(school["postal_address"], "7, rue de l’Essai, 20250 Casablanca", "{school}");
    let after = text_of(&download(&app, &c.staff, id, "?signature_page=false").await);
    assert!(after.contains("7, rue de l’Essai, 20250 Casablanca"), "{after}");
}

/// A second staff member of the student's school, named `name`.
async fn colleague(app: &TestApp, c: &Cast, name: &str) -> User {
    let ecc = app.id_of("schools", "ECC").await;
    let colleague = app.staff(&c.admin, "school_staff", Some(ecc), None).await;
    let mut conn = app.connection();
    let rename = format!("UPDATE accounts SET display_name = '{name}' WHERE id = {}", colleague.account_id);
    diesel::RunQueryDsl::execute(diesel::sql_query(rename), &mut conn).expect("renamed");
    colleague
}

async fn designate(app: &TestApp, user: &User, id: i64, approver: Value, language: &str) -> reqwest::Response {
    let (etag, _) = read(app, user, id).await;
    app.client
        .patch(app.url(&format!("/api/v1/placements/{id}")))
        .bearer_auth(&user.token)
        .header("if-match", etag)
        .header("accept-language", language)
        .json(&json!({ "school_approver_id": approver }))
        .send()
        .await
        .expect("request sent")
}

/// The parties page: what comes before the position's table.
fn parties_page(text: &str) -> String {
    let end = ["Le poste", "The position"].iter().filter_map(|heading| text.find(heading)).min();
    text[..end.unwrap_or(text.len())].to_owned()
}

#[tokio::test]
async fn the_parties_page_names_the_school_s_approver_in_both_languages() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    // None designated: the career office, unnamed.
    let french = text_of(&download(&app, &c.student, id, "?signature_page=false").await);
    assert!(parties_page(&french).contains("le service des stages de l’établissement"), "{french}");
    assert!(french.contains("représenté par son service des stages"), "{french}");
    let english = text_of(&download(&app, &c.student, id, "?lang=en&signature_page=false").await);
    assert!(parties_page(&english).contains("the school's career office"), "{english}");

    let approver = colleague(&app, &c, "Mme Zoé Œuvray").await;
    let designated = designate(&app, &c.staff, id, json!(approver.account_id), "en").await;
    assert_eq!(designated.status(), 200);
    assert_eq!(json(designated).await["terms"]["school_approver_id"], approver.account_id);

    let french = text_of(&download(&app, &c.student, id, "?signature_page=false").await);
    let page = parties_page(&french);
    assert!(page.contains("Approbation pour l’établissement") && page.contains("Mme Zoé Œuvray"), "{page}");
    assert!(french.contains("représenté par Mme Zoé Œuvray"), "{french}");
    let english = text_of(&download(&app, &c.recruiter, id, "?lang=en&signature_page=false").await);
    let page = parties_page(&english);
    assert!(page.contains("Approved for the school by") && page.contains("Mme Zoé Œuvray"), "{page}");
    assert!(english.contains("represented by Mme Zoé Œuvray"), "{english}");

    // Taken back: the career office again.
    assert_eq!(designate(&app, &c.staff, id, Value::Null, "en").await.status(), 200);
    let (_, view) = read(&app, &c.staff, id).await;
    assert!(view["terms"]["school_approver_id"].is_null(), "{view}");
    assert!(text_of(&download(&app, &c.student, id, "?signature_page=false").await)
        .contains("le service des stages de l’établissement"));
}

#[tokio::test]
async fn the_approver_is_an_active_staff_member_of_the_school_designated_by_the_school() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    // Staff of another school, a recruiter, an account that does not exist.
    for (account, code) in [
        (c.other_staff.account_id, "not_allowed"),
        (c.recruiter.account_id, "not_allowed"),
        (c.student.account_id, "not_allowed"),
        (999_999, "unknown"),
    ] {
        let mut texts = Vec::new();
        for language in ["fr", "en"] {
            let problem = assert_problem(designate(&app, &c.staff, id, json!(account), language).await, 422).await;
            assert_eq!(problem["errors"][0]["field"], "school_approver_id", "{problem}");
            assert_eq!(problem["errors"][0]["code"], code, "{problem}");
            texts.push(problem["errors"][0]["message"].as_str().unwrap_or_default().to_owned());
        }
        assert_ne!(texts[0], texts[1], "a text in each language");
    }
    let problem = assert_problem(designate(&app, &c.staff, id, json!(c.other_staff.account_id), "fr").await, 422).await;
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("personnel de l'école"), "{problem}");
    // A disabled colleague.
    let gone = colleague(&app, &c, "Ancien Collègue").await;
    let mut conn = app.connection();
    let disable = format!("UPDATE accounts SET disabled = TRUE WHERE id = {}", gone.account_id);
    diesel::RunQueryDsl::execute(diesel::sql_query(disable), &mut conn).expect("disabled");
    let problem = assert_problem(designate(&app, &c.staff, id, json!(gone.account_id), "en").await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "school_approver_id", "{problem}");
    // The organisation does not choose who approves for the school.
    let approver = colleague(&app, &c, "Mme Zoé Œuvray").await;
    assert_problem(designate(&app, &c.recruiter, id, json!(approver.account_id), "en").await, 403).await;
    let (_, view) = read(&app, &c.staff, id).await;
    assert!(view["terms"]["school_approver_id"].is_null(), "nothing changed: {view}");
    // The recruiter may still change other terms once the school designated one.
    assert_eq!(designate(&app, &c.staff, id, json!(approver.account_id), "en").await.status(), 200);
    let (etag, _) = read(&app, &c.recruiter, id).await;
    assert_eq!(patch(&app, &c.recruiter, id, Some(&etag), &json!({"weekly_hours": 35})).await.status(), 200);
}

#[tokio::test]
async fn the_designated_approver_alone_signs_for_the_school() {
    let app = spawn().await;
    let (c, id) = ready(&app).await;
    let approver = colleague(&app, &c, "Mme Zoé Œuvray").await;
    assert_eq!(designate(&app, &c.staff, id, json!(approver.account_id), "en").await.status(), 200);
    assert_problem(sign_with(&app, &c.staff, id, None).await, 403).await;
    assert_eq!(sign_with(&app, &approver, id, None).await.status(), 200);
    let record = verify(&app, &c.student, id).await;
    assert_eq!(record["versions"][0]["signatures"][0]["account_id"], approver.account_id, "{record}");
    let text = text_of(&download(&app, &c.student, id, "").await);
    let signatures = text.rsplit("Signatures").next().unwrap_or_default();
    assert!(signatures.contains("Mme Zoé Œuvray"), "{signatures}");
}
