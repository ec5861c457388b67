//! Reports over a small data set whose every figure is computed by hand:
//! school placement statistics, network placement rates, the skills gap, the
//! committee's suppression of groups under 5, and the CSV forms.

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::applications::{apply, move_to, open_offer, spawn};
use crate::helpers::{assert_problem, json, TestApp, User, PASSWORD};
use crate::offers::recruiters;

/// A student on ECC's roster (programme Data Science, cohort 2027) with the
/// given names, activated and signed in; returns the user and the student id.
pub async fn student_named(app: &TestApp, staff: &User, number: &str, first: &str, last: &str) -> (User, i64) {
    student_in(app, staff, "ECC", number, &format!("{first},{last}"), "Data Science").await
}

/// A student on a school's roster (cohort 2027) in `programme` (a CSV field,
/// quoted as needed), activated and signed in; `names` is `first,last`.
pub async fn student_in(
    app: &TestApp,
    staff: &User,
    school: &str,
    number: &str,
    names: &str,
    programme: &str,
) -> (User, i64) {
    let school_id = app.id_of("schools", school).await;
    let email = format!("{}@student.example.org", number.to_lowercase());
    let csv = format!(
        "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n{number},{names},{email},{programme},bac+5,2027\n"
    );
    let imported = app.post_csv(&format!("/api/v1/schools/{school_id}/roster"), &staff.token, csv).await;
    assert_eq!(imported.status(), 200, "roster import");
    let activated = app
        .post_json(
            "/api/v1/auth/activate-student",
            None,
            &json!({"school_code": school, "student_number": number, "email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(activated.status(), 201, "student activation");
    let user = app.login(&email, PASSWORD).await;
    let id = json(app.get("/api/v1/me/profile", Some(&user.token)).await).await["id"].as_i64().unwrap();
    (user, id)
}

/// Changes a profile with the `If-Match` it needs.
pub async fn patch_profile(app: &TestApp, student: &User, id: i64, body: &Value) {
    let read = app.get("/api/v1/me/profile", Some(&student.token)).await;
    let etag = read.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/students/{id}")))
        .bearer_auth(&student.token)
        .header("if-match", etag)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "profile change");
}

pub async fn set_skills(app: &TestApp, student: &User, id: i64, skills: Value) {
    let response = app
        .client
        .put(app.url(&format!("/api/v1/students/{id}/skills")))
        .bearer_auth(&student.token)
        .json(&json!({ "skills": skills }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "skills");
}

/// Moves an application's creation `days` back, so that the days to acceptance are known.
pub fn backdate_application(app: &TestApp, id: i64, days: i64) {
    use passerelle::db::schema::applications;
    let at = chrono::Utc::now().naive_utc() - chrono::Duration::days(days);
    let mut conn = app.connection();
    diesel::update(applications::table.find(id)).set(applications::created_at.eq(at)).execute(&mut conn).unwrap();
}

/// Names the tutor and referent, then has the three parties sign.
pub async fn sign_placement(app: &TestApp, placement: i64, tutor: &str, signers: [&User; 3]) {
    let path = format!("/api/v1/placements/{placement}");
    let read = app.get(&path, Some(&signers[2].token)).await;
    let etag = read.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let named = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&signers[2].token)
        .header("if-match", etag)
        .json(&json!({"company_tutor": tutor, "academic_referent": "Pr. Referent Daoudi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), 200, "terms named");
    for signer in signers {
        let signed = app.post_json(&format!("{path}/signatures"), Some(&signer.token), &json!({})).await;
        assert!(signed.status().is_success(), "signature: {}", signed.status());
    }
    assert_eq!(json(app.get(&path, Some(&signers[0].token)).await).await["status"], "signed");
}

/// The hand-computed data set: six students of ECC, cohort 2027.
///
/// * S1 applied 10 days ago (backdated), was offered, accepted today; the
///   placement is signed by all three: placed, 10 days to acceptance.
/// * S2 applied 3 days ago, was offered, accepted today; placement pending: 3 days.
/// * S3 applied today; still submitted.
/// * S4 turned `seeking` off and never applied: not counted.
/// * S5 and S6 seek and never applied.
///
/// Hence 5 seeking, 1 placed (rate 0.2), 3 with applications, 3 applications,
/// 2 offers received, median days (3, 10) = 6.5. Offers A, B (1 position
/// each) and C (2 positions) ask pytorch (required, weight 5, level 3) and sql
/// (preferred, weight 3, level 2): demand pytorch 20, sql 12. Supply: pytorch
/// at 3+ held by S1, S2, S3 (S5 only at 2, S4 not seeking): 3; sql at 2+ only
/// through S6's postgresql, a narrower skill: 1.
pub struct Dataset {
    pub admin: User,
    pub staff: User,
    pub other_staff: User,
    pub committee: User,
    pub recruiter: User,
    pub ecc: i64,
    /// S1 to S6, with their ids.
    pub students: Vec<(User, i64)>,
    /// S1's application and placement.
    pub s1_application: i64,
    pub s1_placement: i64,
}

/// Builds the data set up to S5: 4 students seeking.
pub async fn dataset(app: &TestApp) -> Dataset {
    let r = recruiters(app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let staff = app.staff(&r.admin, "school_staff", Some(ecc), None).await;
    let other_staff = app.staff(&r.admin, "school_staff", Some(ensam), None).await;
    let committee = app.staff(&r.admin, "committee", None, None).await;
    let mut students = Vec::new();
    for (n, (first, last)) in
        [("Nour", "Berrada"), ("Imane", "Chraibi"), ("Omar", "Fassi"), ("Hind", "Kettani"), ("Reda", "Lahlou")]
            .into_iter()
            .enumerate()
    {
        students.push(student_named(app, &staff, &format!("ECC-R{}", n + 1), first, last).await);
    }
    let offer_a = open_offer(app, &r.own, 1).await;
    let offer_b = open_offer(app, &r.own, 1).await;
    let offer_c = open_offer(app, &r.own, 2).await;

    let (s1, _) = &students[0];
    let s1_application = apply(app, s1, offer_a).await["id"].as_i64().unwrap();
    backdate_application(app, s1_application, 10);
    move_to(app, &r.own, s1_application, "offered").await;
    let s1_placement = move_to(app, s1, s1_application, "accepted").await["placement_id"].as_i64().unwrap();
    sign_placement(app, s1_placement, "Tutor Mansouri", [s1, &staff, &r.own]).await;

    let (s2, _) = &students[1];
    let s2_application = apply(app, s2, offer_b).await["id"].as_i64().unwrap();
    backdate_application(app, s2_application, 3);
    move_to(app, &r.own, s2_application, "offered").await;
    move_to(app, s2, s2_application, "accepted").await;

    apply(app, &students[2].0, offer_c).await;
    patch_profile(app, &students[3].0, students[3].1, &json!({"seeking": false})).await;

    for (index, skill, level) in
        [(0, "pytorch", 3), (1, "pytorch", 4), (2, "pytorch", 3), (3, "pytorch", 5), (4, "pytorch", 2)]
    {
        let (user, id) = &students[index];
        set_skills(app, user, *id, json!([{"skill": skill, "level": level}])).await;
    }
    Dataset {
        admin: r.admin,
        staff,
        other_staff,
        committee,
        recruiter: r.own,
        ecc,
        students,
        s1_application,
        s1_placement,
    }
}

/// Adds S6, the fifth seeking student, holding postgresql at level 2.
pub async fn add_sixth(app: &TestApp, data: &mut Dataset) {
    let sixth = student_named(app, &data.staff, "ECC-R6", "Sara", "Ziani").await;
    set_skills(app, &sixth.0, sixth.1, json!([{"skill": "postgresql", "level": 2}])).await;
    data.students.push(sixth);
}

pub fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

async fn stats(app: &TestApp, user: &User, school: i64, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/schools/{school}/placement-stats?{query}"), Some(&user.token)).await;
    assert_eq!(response.status(), 200, "{query}");
    json(response).await
}

fn figures(seeking: u32, placed: u32, rate: Value, with: u32, apps: u32, offers: u32, median: Value) -> Value {
    json!({
        "students_seeking": seeking, "students_placed": placed, "placement_rate": rate,
        "students_with_applications": with, "applications": apps, "offers_received": offers,
        "median_days_to_first_acceptance": median, "suppressed": false
    })
}

fn withheld() -> Value {
    json!({
        "students_seeking": null, "students_placed": null, "placement_rate": null,
        "students_with_applications": null, "applications": null, "offers_received": null,
        "median_days_to_first_acceptance": null, "suppressed": true
    })
}

#[tokio::test]
async fn an_xlsx_report_holds_the_json_figures_and_csv_downloads_have_a_file_name() {
    use calamine::Reader;
    let app = spawn().await;
    let mut data = dataset(&app).await;
    add_sixth(&app, &mut data).await;
    let ecc = data.ecc;
    let path = format!("/api/v1/schools/{ecc}/placement-stats?cohort=2027&group_by=kind");
    let body = stats(&app, &data.staff, ecc, "cohort=2027&group_by=kind").await;
    assert_eq!(body["groups"][0]["figures"]["placement_rate"], json!(1.0_f64 / 3.0), "exact in JSON");

    let response = app.get(&format!("{path}&format=xlsx"), Some(&data.staff.token)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"placement-stats-ECC-2027-by-kind.xlsx\""
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows: Vec<Vec<calamine::Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let cell = |row: usize, column: &str| {
        let index = header.iter().position(|h| h == column).unwrap_or_else(|| panic!("{column} in {header:?}"));
        match &rows[row][index] {
            calamine::Data::Float(f) => json!(f),
            calamine::Data::Int(i) => json!(i),
            calamine::Data::String(s) if s == "true" || s == "false" => json!(s == "true"),
            calamine::Data::String(s) => json!(s),
            calamine::Data::Empty => Value::Null,
            other => panic!("{other:?}"),
        }
    };
    let figures_of = |row: usize| {
        let mut figures = serde_json::Map::new();
        for column in &header[2..] {
            figures.insert(column.clone(), cell(row, column));
        }
        Value::Object(figures)
    };
    // Whole numbers come back from the sheet as floats: compare as numbers.
    let same = |sheet: Value, json: &Value| {
        let sheet = sheet.as_object().unwrap().clone();
        for (key, value) in sheet {
            let expected = &json[&key];
            match (value.as_f64(), expected.as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{key}: {a} != {b}"),
                _ => assert_eq!(&value, expected, "{key}"),
            }
        }
    };
    same(figures_of(1), &body["overall"]);
    for (index, group) in body["groups"].as_array().unwrap().iter().enumerate() {
        assert_eq!(cell(index + 2, "group"), group["group"]);
        same(figures_of(index + 2), &group["figures"]);
    }

    // The Excel CSV dialect, asked from a link rather than by Accept.
    let response = app.get(&format!("{path}&format=csv&csv_dialect=excel"), Some(&data.staff.token)).await;
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"placement-stats-ECC-2027-by-kind.csv\""
    );
    let text = response.text().await.unwrap();
    assert!(text.starts_with("\u{feff}scope;group;students_seeking;"), "{text}");
    assert!(text.contains("\r\nkind;internship;3;1;0,3333;3;3;2;6,5;false\r\n"), "{text}");

    // The network's report and the skills gap too; an unknown format is a 400.
    let today = today();
    for (report, stem) in [("placement-rates", "placement-rates"), ("skills-gap", "skills-gap")] {
        let response = app
            .get(&format!("/api/v1/reports/{report}?from={today}&to={today}&format=xlsx"), Some(&data.admin.token))
            .await;
        assert_eq!(response.status(), 200, "{report}");
        assert_eq!(
            response.headers()["content-disposition"].to_str().unwrap(),
            format!("attachment; filename=\"{stem}-{today}-{today}.xlsx\"")
        );
    }
    assert_problem(app.get(&format!("{path}&format=pdf"), Some(&data.staff.token)).await, 400).await;
}

#[tokio::test]
async fn a_workbook_names_its_sheet_and_chart_in_the_callers_language() {
    use calamine::Reader;
    use std::io::Read;
    let app = spawn().await;
    let data = dataset(&app).await;
    let path = format!("/api/v1/schools/{}/placement-stats?cohort=2027&group_by=kind&format=xlsx", data.ecc);
    for (language, sheet, chart, column) in [
        ("fr", "Statistiques de placement", "Taux de placement", "taux_de_placement"),
        ("en", "Placement statistics", "Placement rate", "placement_rate"),
    ] {
        let response = reqwest::Client::new()
            .get(app.url(&path))
            .bearer_auth(&data.staff.token)
            .header("accept-language", language)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{language}");
        let bytes = response.bytes().await.expect("body").to_vec();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("a workbook");
        assert_eq!(book.sheet_names(), vec![sheet.to_owned()], "{language}");
        let header: Vec<String> = book
            .worksheet_range_at(0)
            .expect("a sheet")
            .expect("readable")
            .rows()
            .next()
            .expect("a header row")
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert!(header.contains(&column.to_owned()), "{language}: {header:?}");
        let mut parts = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut xml = String::new();
        parts.by_name("xl/charts/chart1.xml").expect("a chart").read_to_string(&mut xml).expect("utf-8");
        assert!(xml.contains(&format!("<a:t>{chart}</a:t>")), "{language}: {xml}");
    }
}

#[tokio::test]
async fn school_statistics_match_the_hand_computed_figures() {
    let app = spawn().await;
    let mut data = dataset(&app).await;
    let ecc = data.ecc;
    let four = figures(4, 1, json!(0.25), 3, 3, 2, json!(6.5));
    assert_eq!(stats(&app, &data.staff, ecc, "cohort=2027").await["overall"], four);
    // Exactly 4 seeking students: withheld from the committee.
    assert_eq!(stats(&app, &data.committee, ecc, "cohort=2027").await["overall"], withheld());

    add_sixth(&app, &mut data).await;
    let five = figures(5, 1, json!(0.2), 3, 3, 2, json!(6.5));
    for user in [&data.staff, &data.admin] {
        let body = stats(&app, user, ecc, "cohort=2027").await;
        assert_eq!(body["overall"], five, "{body}");
    }
    // ECC is the only school with students: shown, it would tell by subtraction
    // from the network's total that every other school has none.
    assert_eq!(stats(&app, &data.committee, ecc, "cohort=2027").await["overall"], withheld());
    // Another cohort has nobody: no rate rather than 0.
    let empty = stats(&app, &data.staff, ecc, "cohort=2030").await;
    assert_eq!(empty["overall"], figures(0, 0, Value::Null, 0, 0, 0, Value::Null));

    // Groups: every applicant applied to an internship in the ai domain (pytorch weighs most).
    let by_kind = stats(&app, &data.staff, ecc, "cohort=2027&group_by=kind").await;
    assert_eq!(
        by_kind["groups"],
        json!([
            {"group": "internship", "figures": figures(3, 1, json!(1.0 / 3.0), 3, 3, 2, json!(6.5))},
            // Every kind is listed, so that a missing one does not tell its 0.
            {"group": "work_study", "figures": figures(0, 0, Value::Null, 0, 0, 0, Value::Null)}
        ])
    );
    let by_domain = stats(&app, &data.admin, ecc, "cohort=2027&group_by=domain").await;
    assert_eq!(by_domain["groups"][0]["group"], "ai");
    let by_programme = stats(&app, &data.committee, ecc, "cohort=2027&group_by=programme").await;
    assert_eq!(by_programme["groups"], json!([{"group": "Data Science", "figures": withheld()}]));
    // The kind group has 3 students: withheld from the committee, shown to staff.
    let committee_kind = stats(&app, &data.committee, ecc, "cohort=2027&group_by=kind").await;
    assert_eq!(committee_kind["groups"][0]["figures"], withheld());

    // A period of today: only S3's application was created today; both offers,
    // acceptances and the signature happened today.
    let today = today();
    let period = stats(&app, &data.staff, ecc, &format!("from={today}&to={today}")).await;
    assert_eq!(period["overall"], figures(5, 1, json!(0.2), 1, 1, 2, json!(6.5)));
    // Before anything happened: the flags only, nothing else.
    let past = stats(&app, &data.staff, ecc, "from=2020-01-01&to=2020-12-31").await;
    assert_eq!(past["overall"], figures(5, 0, json!(0.0), 0, 0, 0, Value::Null));

    // CSV: one header row, then the overall row and one per group.
    let response = app
        .client
        .get(app.url(&format!("/api/v1/schools/{ecc}/placement-stats?cohort=2027&group_by=kind")))
        .bearer_auth(&data.staff.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "scope,group,students_seeking,students_placed,placement_rate,students_with_applications,applications,offers_received,median_days_to_first_acceptance,suppressed",
            "overall,,5,1,0.2,3,3,2,6.5,false",
            // A third, rounded for people to four decimals (exact in JSON).
            "kind,internship,3,1,0.3333,3,3,2,6.5,false",
            "kind,work_study,0,0,,0,0,0,,false",
        ]
    );
    let committee_csv = app
        .client
        .get(app.url(&format!("/api/v1/schools/{ecc}/placement-stats?cohort=2027&group_by=kind")))
        .bearer_auth(&data.committee.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(committee_csv.lines().nth(2), Some("kind,internship,,,,,,,,true"));

    // Refusals: others 403, an unknown school 404, no cohort nor period 400.
    for user in [&data.students[0].0, &data.recruiter, &data.other_staff] {
        let response = app.get(&format!("/api/v1/schools/{ecc}/placement-stats?cohort=2027"), Some(&user.token)).await;
        assert_problem(response, 403).await;
    }
    assert_problem(app.get("/api/v1/schools/999999/placement-stats?cohort=2027", Some(&data.admin.token)).await, 404)
        .await;
    assert_problem(app.get(&format!("/api/v1/schools/{ecc}/placement-stats"), Some(&data.admin.token)).await, 400)
        .await;
    let reversed = format!("/api/v1/schools/{ecc}/placement-stats?from=2026-02-01&to=2026-01-01");
    assert_problem(app.get(&reversed, Some(&data.admin.token)).await, 400).await;
}

#[tokio::test]
async fn network_rates_and_the_skills_gap_match_the_hand_computed_figures() {
    let app = spawn().await;
    let mut data = dataset(&app).await;
    add_sixth(&app, &mut data).await;
    let today = today();
    let window = figures(5, 1, json!(0.2), 1, 1, 2, json!(6.5));

    let path = format!("/api/v1/reports/placement-rates?from={today}&to={today}&period=month");
    let admin = json(app.get(&path, Some(&data.admin.token)).await).await;
    assert_eq!(admin["overall"], window, "{admin}");
    assert_eq!(
        admin["by_kind"][0],
        json!({"group": "internship", "figures": figures(3, 1, json!(1.0 / 3.0), 1, 1, 2, json!(6.5))})
    );
    assert_eq!(admin["by_kind"][1]["figures"], figures(0, 0, Value::Null, 0, 0, 0, Value::Null));
    let school = |report: &Value, code: &str| {
        report["schools"].as_array().unwrap().iter().find(|s| s["code"] == code).cloned().unwrap()
    };
    assert_eq!(school(&admin, "ECC")["figures"], window);
    assert_eq!(school(&admin, "ENSAM-RABAT")["figures"], figures(0, 0, Value::Null, 0, 0, 0, Value::Null));
    assert_eq!(admin["periods"].as_array().unwrap().len(), 1);
    assert_eq!(admin["periods"][0]["figures"], window);
    assert_eq!(admin["periods"][0]["period"], today[..7]);

    let committee = json(app.get(&path, Some(&data.committee.token)).await).await;
    assert_eq!(committee["overall"], window, "{committee}");
    // The only school with students is withheld with the empty ones, which the
    // network's total minus ECC would otherwise show to be empty.
    assert_eq!(school(&committee, "ECC")["figures"], withheld());
    assert_eq!(school(&committee, "ENSAM-RABAT")["figures"], withheld());
    // The internship group has 3 students.
    assert_eq!(committee["by_kind"][0]["figures"], withheld());

    let csv =
        app.client.get(app.url(&path)).bearer_auth(&data.committee.token).header("accept", "text/csv").send().await;
    let csv = csv.unwrap().text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("school,period,kind,students_seeking,"), "{csv}");
    assert_eq!(lines[1], "all,all,all,5,1,0.2,1,1,2,6.5,false");
    assert_eq!(lines[2], "all,all,internship,,,,,,,,true");
    assert!(lines.contains(&"ENSAM-RABAT,all,all,,,,,,,,true"), "{csv}");

    // The skills gap.
    let gap_path = format!("/api/v1/reports/skills-gap?from={today}&to={today}");
    let admin_gap = json(app.get(&gap_path, Some(&data.admin.token)).await).await;
    let sql = json!({"skill": "sql", "label_fr": "SQL", "label_en": "SQL", "domain": "data", "level": 2, "demand_required": 0,
        "demand_preferred": 12, "demand": 12, "supply": 1, "ratio": 12.0, "suppressed": false});
    let pytorch = json!({"skill": "pytorch", "label_fr": "PyTorch", "label_en": "PyTorch", "domain": "ai", "level": 3, "demand_required": 20,
        "demand_preferred": 0, "demand": 20, "supply": 3, "ratio": 20.0 / 3.0, "suppressed": false});
    assert_eq!(admin_gap["skills"], json!([sql, pytorch]), "{admin_gap}");
    assert_eq!(admin_gap["trend"], json!([{"month": &today[..7], "skills": [sql, pytorch]}]));
    // Staff of ECC count ECC's students: all of them; ENSAM's staff count none.
    assert_eq!(json(app.get(&gap_path, Some(&data.staff.token)).await).await["skills"], json!([sql, pytorch]));
    let ensam = json(app.get(&gap_path, Some(&data.other_staff.token)).await).await;
    assert_eq!(ensam["skills"][0]["supply"], 0);
    assert_eq!(ensam["skills"][0]["ratio"], Value::Null);
    // The committee: both supplies under 5 are withheld; the larger demand first.
    let committee_gap = json(app.get(&gap_path, Some(&data.committee.token)).await).await;
    let skills: Vec<(&str, &Value, bool)> = committee_gap["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["skill"].as_str().unwrap(), &s["supply"], s["suppressed"].as_bool().unwrap()))
        .collect();
    assert_eq!(skills, [("pytorch", &Value::Null, true), ("sql", &Value::Null, true)]);
    // One domain only.
    let data_only = json(app.get(&format!("{gap_path}&domain=data"), Some(&data.admin.token)).await).await;
    assert_eq!(data_only["skills"], json!([sql]));
    // CSV.
    let csv =
        app.client.get(app.url(&gap_path)).bearer_auth(&data.admin.token).header("accept", "text/csv").send().await;
    let csv = csv.unwrap().text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "month,skill,label_fr,label_en,domain,level,demand_required,demand_preferred,demand,supply,ratio,suppressed"
    );
    assert_eq!(lines[1], "all,sql,SQL,SQL,data,2,0,12,12,1,12,false");
    assert_eq!(lines.len(), 5, "{csv}");

    // Refusals.
    for user in [&data.students[0].0, &data.recruiter, &data.staff, &data.other_staff] {
        assert_problem(app.get(&path, Some(&user.token)).await, 403).await;
    }
    for user in [&data.students[0].0, &data.recruiter] {
        assert_problem(app.get(&gap_path, Some(&user.token)).await, 403).await;
    }
    let too_long = "/api/v1/reports/placement-rates?from=2000-01-01&to=2026-01-01";
    assert_problem(app.get(too_long, Some(&data.admin.token)).await, 400).await;
}

async fn csv_of(app: &TestApp, user: &User, path: &str, accept: &str) -> (String, String) {
    let response =
        app.client.get(app.url(path)).bearer_auth(&user.token).header("accept", accept).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    (content_type, response.text().await.unwrap())
}

/// Reproduces issue 11, item 3: a roster's programme and an admin's skill
/// label that a spreadsheet would run as formulas came out as they were.
#[tokio::test]
async fn csv_exports_neutralise_text_a_spreadsheet_would_run() {
    let app = spawn().await;
    let r = recruiters(&app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&r.admin, "school_staff", Some(ecc), None).await;
    let formula = r#"=HYPERLINK("http://evil.example","Rapport")"#;
    let field = format!("\"{}\"", formula.replace('"', "\"\""));
    student_in(&app, &staff, "ECC", "ECC-F1", "Nour,Berrada", &field).await;
    let (_, stats) = csv_of(
        &app,
        &staff,
        &format!("/api/v1/schools/{ecc}/placement-stats?cohort=2027&group_by=programme"),
        "text/csv",
    )
    .await;
    let row = stats.lines().nth(2).unwrap();
    assert_eq!(row, format!("programme,\"'{}\",1,0,0,0,0,0,,false", formula.replace('"', "\"\"")), "{stats}");

    open_offer(&app, &r.own, 1).await;
    let patched = app
        .client
        .patch(app.url("/api/v1/admin/skills/pytorch"))
        .bearer_auth(&r.admin.token)
        .json(&json!({"label_en": "@SUM(1+1)*cmd|' /C calc'!A0", "label_fr": "=Réseaux « profonds »"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let today = today();
    let (_, gap) =
        csv_of(&app, &r.admin, &format!("/api/v1/reports/skills-gap?from={today}&to={today}"), "text/csv").await;
    let pytorch = gap.lines().find(|l| l.starts_with("all,pytorch,")).unwrap();
    assert!(pytorch.starts_with("all,pytorch,'=Réseaux « profonds »,'@SUM(1+1)*cmd|' /C calc'!A0,ai,3,"), "{gap}");
}

/// Reproduces issue 11, item 9: `text/csv;q=0.1` won over `application/json` (q=1).
#[tokio::test]
async fn reports_honour_the_weights_of_accept() {
    let app = spawn().await;
    let admin = app.admin().await;
    let path = "/api/v1/reports/skills-gap";
    let (json_type, body) = csv_of(&app, &admin, path, "application/json, text/csv;q=0.1").await;
    assert!(json_type.starts_with("application/json"), "{json_type}");
    assert!(serde_json::from_str::<Value>(&body).is_ok());
    let (csv_type, _) = csv_of(&app, &admin, path, "application/json;q=0.5, text/csv").await;
    assert!(csv_type.starts_with("text/csv"), "{csv_type}");
}

/// Applies to a new offer, is offered it, accepts, and has the placement signed.
async fn place(app: &TestApp, recruiter: &User, student: &User, staff: &User) {
    let offer = open_offer(app, recruiter, 1).await;
    let application = apply(app, student, offer).await["id"].as_i64().unwrap();
    move_to(app, recruiter, application, "offered").await;
    let placement = move_to(app, student, application, "accepted").await["placement_id"].as_i64().unwrap();
    sign_placement(app, placement, "Tutor Mansouri", [student, staff, recruiter]).await;
}

/// What subtraction tells of the withheld children of a shown total: nothing
/// when none is withheld; else at least two withheld whose sum (total minus
/// the shown) leaves each open: someone in them, some but not all placed.
fn assert_open(total: &Value, children: &[&Value], what: &str) {
    let figure = |f: &Value, name: &str| f[name].as_u64();
    let withheld: Vec<&&Value> = children.iter().filter(|c| c["suppressed"] == true).collect();
    if withheld.is_empty() || total["suppressed"] == true {
        return;
    }
    let shown = |name: &str| -> u64 { children.iter().filter_map(|c| figure(c, name)).sum() };
    let seeking = figure(total, "students_seeking").unwrap() - shown("students_seeking");
    let placed = figure(total, "students_placed").unwrap() - shown("students_placed");
    assert!(withheld.len() >= 2, "{what}: one group withheld, {seeking} seeking / {placed} placed by subtraction");
    assert!(seeking > 0 && 0 < placed && placed < seeking, "{what}: withheld groups hold {seeking} / {placed}");
}

/// Reproduces issue 11, item 2: the committee recovered a programme of one
/// student (6 / 1 overall, 5 / 0 shown) and a school of two (the network
/// minus the schools shown) by subtraction.
#[tokio::test]
async fn withheld_groups_cannot_be_recovered_by_subtraction() {
    let app = spawn().await;
    let r = recruiters(&app).await;
    let committee = app.staff(&r.admin, "committee", None, None).await;
    let mut staff = Vec::new();
    for code in ["ECC", "ENSAM-RABAT", "ESITH"] {
        let id = app.id_of("schools", code).await;
        staff.push((id, app.staff(&r.admin, "school_staff", Some(id), None).await));
    }
    let (ecc, ensam, esith) = (&staff[0], &staff[1], &staff[2]);
    for n in 1..=5 {
        student_in(&app, &ecc.1, "ECC", &format!("ECC-D{n}"), "Nour,Berrada", "Data Science").await;
    }
    let finance = student_in(&app, &ecc.1, "ECC", "ECC-F1", "Omar,Fassi", "Finance").await;
    place(&app, &r.own, &finance.0, &ecc.1).await;
    let mut first = None;
    for n in 1..=5 {
        let student = student_in(&app, &ensam.1, "ENSAM-RABAT", &format!("EN-{n}"), "Hind,Kettani", "Génie").await;
        first.get_or_insert(student);
    }
    place(&app, &r.own, &first.unwrap().0, &ensam.1).await;
    for n in 1..=2 {
        student_in(&app, &esith.1, "ESITH", &format!("ES-{n}"), "Reda,Lahlou", "Textile").await;
    }

    let stats = json(
        app.get(
            &format!("/api/v1/schools/{}/placement-stats?cohort=2027&group_by=programme", ecc.0),
            Some(&committee.token),
        )
        .await,
    )
    .await;
    assert_eq!((&stats["overall"]["students_seeking"], &stats["overall"]["students_placed"]), (&json!(6), &json!(1)));
    let groups: Vec<&Value> = stats["groups"].as_array().unwrap().iter().map(|g| &g["figures"]).collect();
    assert_eq!(groups.len(), 2);
    assert_open(&stats["overall"], &groups, "ECC by programme");
    for by in ["kind", "domain"] {
        let view = json(
            app.get(
                &format!("/api/v1/schools/{}/placement-stats?cohort=2027&group_by={by}", ecc.0),
                Some(&committee.token),
            )
            .await,
        )
        .await;
        assert_eq!(view["overall"], stats["overall"], "the total is the same in every view");
    }
    // Staff of the school see their own students exactly.
    let exact = json(
        app.get(
            &format!("/api/v1/schools/{}/placement-stats?cohort=2027&group_by=programme", ecc.0),
            Some(&ecc.1.token),
        )
        .await,
    )
    .await;
    assert_eq!(exact["groups"][1]["figures"]["students_placed"], 1);

    let today = today();
    let path = format!("/api/v1/reports/placement-rates?from={today}&to={today}&cohort=2027");
    let network = json(app.get(&path, Some(&committee.token)).await).await;
    assert_eq!(network["overall"]["students_seeking"], 13, "{network}");
    let schools: Vec<&Value> = network["schools"].as_array().unwrap().iter().map(|s| &s["figures"]).collect();
    assert_open(&network["overall"], &schools, "the network by school");
    let esith_row = network["schools"].as_array().unwrap().iter().find(|s| s["code"] == "ESITH").unwrap();
    assert_eq!(esith_row["figures"]["suppressed"], true);
    for (i, bucket) in network["periods"].as_array().unwrap().iter().enumerate() {
        assert_eq!(bucket["figures"]["suppressed"], network["overall"]["suppressed"], "bucket {i}");
    }
}
