//! French and English: the same codes, the texts in the negotiated language.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};

/// A request in `language` (`None`: no `Accept-Language` at all).
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    language: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    // The suite's client asks for English; a header sent here replaces it,
    // and an empty one names no language of the service.
    request = request.header("accept-language", language.unwrap_or(""));
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("request sent")
}

fn school(code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "city": "Kénitra", "kind": "engineering_school"})
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// Both answers to one failing request, French then English.
async fn in_both(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
    status: u16,
) -> [Value; 2] {
    let french = send(app, method.clone(), path, token, Some("fr"), body).await;
    assert_eq!(header(&french, "content-language"), "fr");
    let english = send(app, method, path, token, Some("en"), body).await;
    assert_eq!(header(&english, "content-language"), "en");
    [assert_problem(french, status).await, assert_problem(english, status).await]
}

#[tokio::test]
async fn a_validation_problem_has_the_same_codes_and_its_texts_in_each_language() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({"code": "ENSA-X", "name": "  ", "city": "c".repeat(101), "kind": "engineering_school"});
    let [fr, en] = in_both(&app, Method::POST, "/api/v1/admin/schools", &admin.token, Some(&body), 422).await;
    assert_eq!(fr["type"], en["type"]);
    assert_eq!(fr["type"], "/problems/validation");
    let codes = |p: &Value| {
        p["errors"].as_array().unwrap().iter().map(|e| (e["field"].clone(), e["code"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(codes(&fr), codes(&en));
    assert_eq!(codes(&en), [(json!("name"), json!("required")), (json!("city"), json!("too_long"))]);
    assert_eq!(en["title"], "Validation failed");
    assert_eq!(fr["title"], "Échec de la validation");
    assert_eq!(en["errors"][0]["message"], "must not be empty");
    assert_eq!(fr["errors"][0]["message"], "ne doit pas être vide");
    assert_eq!(en["errors"][1]["message"], "must be at most 100 characters");
    assert_eq!(fr["errors"][1]["message"], "doit comporter au plus 100 caractères");
    assert_eq!(fr["detail"], "name: ne doit pas être vide; city: doit comporter au plus 100 caractères");
}

#[tokio::test]
async fn a_not_found_and_a_conflict_speak_each_language() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let [fr, en] = in_both(&app, Method::GET, "/api/v1/offers/987654", &admin.token, None, 404).await;
    assert_eq!(fr["type"], en["type"]);
    assert_eq!((en["title"].as_str(), en["detail"].as_str()), (Some("Not found"), Some("offer not found")));
    assert_eq!((fr["title"].as_str(), fr["detail"].as_str()), (Some("Introuvable"), Some("offre introuvable")));

    let created =
        send(&app, Method::POST, "/api/v1/admin/schools", &admin.token, None, Some(&school("ENSA-K", "K"))).await;
    assert_eq!(created.status(), 201);
    let again = school("ENSA-K", "Twice");
    let [fr, en] = in_both(&app, Method::POST, "/api/v1/admin/schools", &admin.token, Some(&again), 409).await;
    assert_eq!(fr["type"], en["type"]);
    assert_eq!(fr["type"], "/problems/conflict");
    assert_eq!(en["detail"], "a school already has this code");
    assert_eq!(fr["detail"], "une école a déjà ce code");
    assert_eq!(fr["title"], "Conflit");
}

#[tokio::test]
async fn q_values_are_honoured_and_other_languages_get_the_default() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let cases = [
        (Some("en;q=0.5, fr;q=0.9"), "fr", "offre introuvable"),
        (Some("fr;q=0.5, en-GB;q=0.9"), "en", "offer not found"),
        (Some("de"), "fr", "offre introuvable"),
        (Some("de, en;q=0.2"), "en", "offer not found"),
        (None, "fr", "offre introuvable"),
    ];
    for (language, expected, detail) in cases {
        let response = send(&app, Method::GET, "/api/v1/offers/987654", &admin.token, language, None).await;
        assert_eq!(header(&response, "content-language"), expected, "{language:?}");
        assert!(header(&response, "vary").to_ascii_lowercase().contains("accept-language"), "{language:?}");
        assert_eq!(assert_problem(response, 404).await["detail"], detail, "{language:?}");
    }
    // A success states its language too.
    let fine = send(&app, Method::GET, "/api/v1/me", &admin.token, Some("en"), None).await;
    assert_eq!(fine.status(), 200);
    assert_eq!(header(&fine, "content-language"), "en");
    assert!(header(&fine, "vary").to_ascii_lowercase().contains("accept-language"));
}

#[tokio::test]
async fn the_default_language_is_a_setting() {
    let app = spawn_app_with(|settings| settings.default_language = passerelle::i18n::Lang::En).await;
    let admin = app.admin().await;
    for language in [None, Some("de")] {
        let response = send(&app, Method::GET, "/api/v1/offers/987654", &admin.token, language, None).await;
        assert_eq!(header(&response, "content-language"), "en");
        assert_eq!(assert_problem(response, 404).await["detail"], "offer not found");
    }
    let french = send(&app, Method::GET, "/api/v1/offers/987654", &admin.token, Some("fr-MA"), None).await;
    assert_eq!(assert_problem(french, 404).await["detail"], "offre introuvable");
}

#[tokio::test]
async fn report_csv_headers_follow_the_language() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let path = "/api/v1/reports/placement-rates?from=2026-01-01&to=2026-01-31&format=csv";
    let first_line = |text: String| text.lines().next().unwrap_or_default().to_owned();
    let english = send(&app, Method::GET, path, &admin.token, Some("en"), None).await;
    assert_eq!(english.status(), 200);
    assert_eq!(
        first_line(english.text().await.unwrap()),
        "school,period,kind,students_seeking,students_placed,placement_rate,students_with_applications,applications,offers_received,median_days_to_first_acceptance,suppressed"
    );
    let french = send(&app, Method::GET, path, &admin.token, Some("fr"), None).await;
    assert_eq!(french.status(), 200);
    assert_eq!(header(&french, "content-language"), "fr");
    assert_eq!(
        first_line(french.text().await.unwrap()),
        "école,période,type,étudiants_en_recherche,étudiants_placés,taux_de_placement,étudiants_ayant_candidaté,candidatures,offres_reçues,délai_médian_première_acceptation_jours,masqué"
    );
    // The JSON form keeps its field names in every language.
    let json_path = "/api/v1/reports/placement-rates?from=2026-01-01&to=2026-01-31";
    let body: Value = send(&app, Method::GET, json_path, &admin.token, Some("fr"), None).await.json().await.unwrap();
    assert!(body["overall"]["students_seeking"].is_number(), "{body}");
}

#[tokio::test]
async fn a_refused_move_and_a_roster_row_error_quote_their_values_in_each_language() {
    let app = crate::applications::spawn().await;
    let c = crate::applications::cast(&app).await;
    let offer = crate::applications::open_offer(&app, &c.recruiter, 1).await;
    let id = crate::applications::apply(&app, &c.student, offer).await["id"].as_i64().unwrap();
    crate::applications::move_to(&app, &c.recruiter, id, "interview").await;
    let path = format!("/api/v1/applications/{id}/transitions");
    let back = json!({"to": "in_review"});
    let [fr, en] = in_both(&app, Method::POST, &path, &c.recruiter.token, Some(&back), 409).await;
    assert_eq!(fr["allowed"], en["allowed"]);
    assert_eq!(en["detail"], "an application cannot move from interview to in_review");
    assert_eq!(fr["detail"], "une candidature ne peut pas passer de interview à in_review");

    let ecc = app.id_of("schools", "ECC").await;
    let rows = json!({"rows": [{"student_number": "ECC-9", "first_name": "Salma", "last_name": "Bennani",
        "email": "pas-un-email", "programme": "Data Science", "degree_level": "bac+5", "graduation_year": "2027"}]});
    let path = format!("/api/v1/schools/{ecc}/roster");
    let [fr, en] = in_both(&app, Method::POST, &path, &c.staff.token, Some(&rows), 422).await;
    assert_eq!(fr["errors"][0]["field"], "line 2.email");
    assert_eq!(en["errors"][0]["message"], "line 2, column email, value \"pas-un-email\": not an email address");
    assert_eq!(fr["errors"][0]["message"], "ligne 2, colonne email, valeur \"pas-un-email\" : pas une adresse e-mail");
}

#[tokio::test]
async fn version_and_polling_refusals_speak_both_languages() {
    let app = crate::applications::spawn().await;
    let c = crate::applications::cast(&app).await;
    let id = crate::placements::placement(&app, &c).await;
    let terms = json!({"company_tutor": "Salma Bennani"});
    let path = format!("/api/v1/placements/{id}");
    let [fr, en] = in_both(&app, Method::PATCH, &path, &c.recruiter.token, Some(&terms), 428).await;
    assert_eq!(fr["detail"], "envoyez If-Match avec l'ETag que vous avez lu");
    assert_eq!(en["detail"], "send If-Match with the ETag you read");

    let path = "/api/v1/applications?updated_since=yesterday";
    let [fr, en] = in_both(&app, Method::GET, path, &c.recruiter.token, None, 400).await;
    assert_eq!(fr["errors"][0]["code"], en["errors"][0]["code"]);
    assert!(fr["errors"][0]["message"].as_str().unwrap().contains("date-heure"), "{fr}");
    assert!(en["errors"][0]["message"].as_str().unwrap().contains("date-time"), "{en}");

    let offer = crate::applications::open_offer(&app, &c.recruiter, 1).await;
    let application = crate::applications::apply(&app, &c.student, offer).await["id"].as_i64().unwrap();
    let long = json!({"to": "in_review", "note": "n".repeat(2_001)});
    let path = format!("/api/v1/applications/{application}/transitions");
    let [fr, en] = in_both(&app, Method::POST, &path, &c.recruiter.token, Some(&long), 422).await;
    assert!(fr["errors"][0]["message"].as_str().unwrap().starts_with("note compte au plus"), "{fr}");
    assert!(en["errors"][0]["message"].as_str().unwrap().starts_with("note is at most"), "{en}");

    let mut offer = crate::offers::offer_body();
    offer["requirements"] = json!([{"skill": "pythn", "min_level": 2, "weight": 2, "required": true}]);
    let [fr, en] = in_both(&app, Method::POST, "/api/v1/offers", &c.recruiter.token, Some(&offer), 422).await;
    assert!(fr["errors"][0]["message"].as_str().unwrap().starts_with("compétence inconnue"), "{fr}");
    assert!(en["errors"][0]["message"].as_str().unwrap().starts_with("unknown skill"), "{en}");
}

/// What the routes refuse before any use case runs (an unknown path, a
/// method the path does not take, a body that is not JSON, a page size out of
/// range, a foreign cursor) speaks the caller's language too.
#[tokio::test]
async fn refusals_before_any_use_case_speak_each_language() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let [fr, en] = in_both(&app, Method::GET, "/api/v1/nowhere", &admin.token, None, 404).await;
    assert_eq!(fr["detail"], "aucune ressource à /api/v1/nowhere");
    assert_eq!(en["detail"], "no resource at /api/v1/nowhere");
    let [fr, en] = in_both(&app, Method::DELETE, "/api/v1/offers", &admin.token, None, 405).await;
    assert!(fr["detail"].as_str().is_some_and(|d| d.starts_with("DELETE n'est pas permis ici ; utilisez ")), "{fr}");
    assert!(en["detail"].as_str().is_some_and(|d| d.starts_with("DELETE is not allowed here; use ")), "{en}");
    let [fr, en] = in_both(&app, Method::GET, "/api/v1/offers?limit=500", &admin.token, None, 400).await;
    assert_eq!(fr["errors"][0]["message"], "limit doit être entre 1 et 100");
    assert_eq!(en["errors"][0]["message"], "limit must be between 1 and 100");
    let [fr, en] = in_both(&app, Method::GET, "/api/v1/offers?cursor=abc.def", &admin.token, None, 400).await;
    assert!(fr["errors"][0]["message"].as_str().is_some_and(|m| m.starts_with("ce curseur n'est pas")), "{fr}");
    assert!(en["errors"][0]["message"].as_str().is_some_and(|m| m.starts_with("cursor is not one")), "{en}");
    for (language, detail) in [
        ("fr", "le corps n'est pas du JSON valide (ligne 1, colonne 6)"),
        ("en", "the body is not valid JSON (line 1, column 6)"),
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/admin/schools"))
            .bearer_auth(&admin.token)
            .header("accept-language", language)
            .header("content-type", "application/json")
            .body("{\"a\" x")
            .send()
            .await
            .expect("request sent");
        assert_eq!(assert_problem(response, 400).await["detail"], detail, "{language}");
    }
}

/// Swagger UI offers the document in both languages; the French one is served
/// beside the English one, with the same operations.
#[tokio::test]
async fn the_document_is_served_in_french_beside_english() {
    let app = spawn_app().await;
    let english: Value = app.get("/api-docs/openapi.json", None).await.json().await.expect("JSON");
    let response = app.get("/api-docs/openapi.fr.json", None).await;
    assert_eq!(response.status(), 200);
    let french: Value = response.json().await.expect("JSON");
    assert_eq!(french["paths"]["/api/v1/offers"]["get"]["summary"], "Liste des offres.");
    assert_eq!(english["paths"]["/api/v1/offers"]["get"]["summary"], "List offers.");
    assert_eq!(
        french["paths"].as_object().map(|p| p.keys().collect::<Vec<_>>()),
        english["paths"].as_object().map(|p| p.keys().collect::<Vec<_>>())
    );
}

/// The domain's own field rules (ranges, counts, dates) speak both languages.
#[tokio::test]
async fn the_domain_s_field_rules_speak_both_languages() {
    let app = crate::applications::spawn().await;
    let c = crate::applications::cast(&app).await;
    let mut offer = crate::offers::offer_body();
    offer["positions"] = json!(0);
    offer["deadline"] = json!("2027-09-01");
    offer["start_date"] = json!("2027-06-01");
    let [fr, en] = in_both(&app, Method::POST, "/api/v1/offers", &c.recruiter.token, Some(&offer), 422).await;
    let message = |p: &Value, field: &str| {
        p["errors"].as_array().unwrap().iter().find(|e| e["field"] == field).map(|e| e["message"].clone())
    };
    assert_eq!(fr["errors"].as_array().map(Vec::len), en["errors"].as_array().map(Vec::len));
    assert_eq!(message(&en, "positions"), Some(json!("must be between 1 and 500")), "{en}");
    assert_eq!(message(&fr, "positions"), Some(json!("doit être compris entre 1 et 500")), "{fr}");
    assert_eq!(message(&en, "deadline"), Some(json!("the deadline must not be after the start date")));
    assert_eq!(message(&fr, "deadline"), Some(json!("la date limite ne doit pas être après la date de début")));

    let mut offer = crate::offers::offer_body();
    offer["city"] = json!("Rabat\u{7}");
    let [fr, en] = in_both(&app, Method::POST, "/api/v1/offers", &c.recruiter.token, Some(&offer), 422).await;
    assert_eq!(message(&en, "city"), Some(json!("must not contain control characters (found U+0007)")), "{en}");
    assert_eq!(
        message(&fr, "city"),
        Some(json!("ne doit pas contenir de caractères de contrôle (trouvé : U+0007)")),
        "{fr}"
    );
}

/// The use cases' own refusals (a staff account missing what its role needs,
/// a record that does not exist) speak both languages too.
#[tokio::test]
async fn the_use_cases_refusals_speak_both_languages() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let body = json!({"email": "r@axa.example.org", "display_name": "R", "role": "recruiter", "school_id": 987654});
    let [fr, en] = in_both(&app, Method::POST, "/api/v1/admin/accounts", &admin.token, Some(&body), 422).await;
    let message = |p: &Value, field: &str| {
        p["errors"].as_array().unwrap().iter().find(|e| e["field"] == field).map(|e| e["message"].clone())
    };
    assert_eq!(message(&en, "organisation_id"), Some(json!("a recruiter account needs it")), "{en}");
    assert_eq!(message(&fr, "organisation_id"), Some(json!("un compte recruiter en a besoin")), "{fr}");
    assert_eq!(message(&en, "school_id"), Some(json!("a recruiter account has none")), "{en}");
    assert_eq!(message(&fr, "school_id"), Some(json!("un compte recruiter n’en a pas")), "{fr}");

    let path = "/api/v1/reports/placement-rates?from=2026-02-01&to=2026-01-01";
    let [fr, en] = in_both(&app, Method::GET, path, &admin.token, None, 400).await;
    assert_eq!(message(&en, "to"), Some(json!("to must not be before from")), "{en}");
    assert_eq!(message(&fr, "to"), Some(json!("to ne doit pas précéder from")), "{fr}");
}

/// A roster body that is not JSON, or JSON of the wrong shape, is refused in
/// the caller's words, never in the parser's.
#[tokio::test]
async fn a_malformed_roster_body_is_refused_in_the_callers_language_without_parser_internals() {
    let app = crate::applications::spawn().await;
    let c = crate::applications::cast(&app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let url = app.url(&format!("/api/v1/schools/{ecc}/roster"));
    let send = |body: &'static str, language: &'static str| {
        app.client
            .post(url.clone())
            .bearer_auth(&c.staff.token)
            .header("content-type", "application/json")
            .header("accept-language", language)
            .body(body)
            .send()
    };
    let fr = assert_problem(send("{\"rows\": [", "fr").await.expect("sent"), 400).await;
    let en = assert_problem(send("{\"rows\": [", "en").await.expect("sent"), 400).await;
    assert_eq!(en["detail"], "the body is not valid JSON: it ends too early", "{en}");
    assert_eq!(fr["detail"], "le corps n'est pas du JSON valide : il se termine trop tôt", "{fr}");
    let fr = assert_problem(send("{\"rows\": 5}", "fr").await.expect("sent"), 422).await;
    let en = assert_problem(send("{\"rows\": 5}", "en").await.expect("sent"), 422).await;
    assert_eq!(fr["errors"][0]["field"], "rows");
    assert_eq!(fr["errors"][0]["code"], en["errors"][0]["code"]);
    assert!(fr["errors"][0]["message"].as_str().unwrap().starts_with("le corps doit être un objet { \"rows\""), "{fr}");
    assert!(!en.to_string().contains("invalid type"), "{en}");
}
