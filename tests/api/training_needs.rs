//! Training needs over a small data set whose every figure is computed by
//! hand, the committee's withholding included.
//!
//! Offers, published today: X (2 positions) requires Kubernetes at 3; Y (1)
//! Docker at 2 and Terraform at 2; V (1) GCP at 2. ECC students K1–K7 and
//! ENSAM's E1 look for internships in Casablanca:
//!
//! | student | holds                      | near misses (gaps)              |
//! |---------|----------------------------|---------------------------------|
//! | K1      | docker 2, gcp 2            | X (kubernetes), Y (terraform)   |
//! | K2      | kubernetes 2, gcp 2        | X (kubernetes 2→3), Y (docker, terraform) |
//! | K3      | kubernetes 1, docker 2, gcp 2 | Y (terraform); X is two levels short |
//! | K4      | gcp 2                      | X, Y (docker, terraform)        |
//! | K5, K6, E1 | nothing                 | X, Y (docker, terraform), V (gcp) |
//! | K7      | not seeking                | not counted                     |
//!
//! Hence, every school: kubernetes 6 students, 12 positions; docker 5, 5;
//! terraform 7, 7; gcp 3, 3. Cloud (kubernetes, docker, gcp): K1, K2, K4,
//! K5, K6, E1 = 6 students, positions 2 + 3 + 3 + 4 + 4 + 4 = 20; devops
//! (terraform) 7, 7. Trainings: T1 Kubernetes at 3 (25 seats), T2 Helm at 4
//! (10 seats, narrower than Kubernetes), T3 Docker at 1 (30 seats, too low),
//! T4 Terraform and Docker at 2 (15 seats): Kubernetes 35 seats in 2
//! trainings, Docker 15 in 1, Terraform 15 in 1, GCP none; cloud T1, T2, T4 =
//! 50 seats, devops 15.

use serde_json::{json, Value};

use crate::applications::spawn;
use crate::helpers::{assert_problem, json, TestApp, User};
use crate::offers::{create_offer, offer_body, publish, recruiters};
use crate::reports::{patch_profile, set_skills, student_in, today};

struct Scene {
    admin: User,
    staff: User,
    other_staff: User,
    committee: User,
    student: User,
    ecc: i64,
}

async fn offer(app: &TestApp, recruiter: &User, positions: u32, requirements: Value) {
    let mut body = offer_body();
    body["positions"] = json!(positions);
    body["requirements"] = requirements;
    let id = create_offer(app, recruiter, &body).await["id"].as_i64().unwrap();
    publish(app, recruiter, id).await;
}

async fn training(app: &TestApp, recruiter: &User, skills: Value, seats: u32) {
    let mut body = crate::trainings::training_body(skills);
    body["seats"] = json!(seats);
    crate::trainings::create(app, recruiter, &body).await;
}

async fn scene(app: &TestApp) -> Scene {
    let r = recruiters(app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let ensam = app.id_of("schools", "ENSAM-RABAT").await;
    let staff = app.staff(&r.admin, "school_staff", Some(ecc), None).await;
    let other_staff = app.staff(&r.admin, "school_staff", Some(ensam), None).await;
    let committee = app.staff(&r.admin, "committee", None, None).await;
    let req = |skill: &str, level: u8| json!({"skill": skill, "min_level": level, "weight": 3, "required": true});
    offer(app, &r.own, 2, json!([req("kubernetes", 3)])).await;
    offer(app, &r.own, 1, json!([req("docker", 2), req("terraform", 2)])).await;
    offer(app, &r.own, 1, json!([req("gcp", 2)])).await;
    training(app, &r.own, json!([{"skill": "kubernetes", "level": 3}]), 25).await;
    training(app, &r.own, json!([{"skill": "helm", "level": 4}]), 10).await;
    training(app, &r.own, json!([{"skill": "docker", "level": 1}]), 30).await;
    training(app, &r.own, json!([{"skill": "terraform", "level": 2}, {"skill": "docker", "level": 2}]), 15).await;
    let held: [(&str, &str, Value); 8] = [
        ("ECC", "ECC-K1", json!([{"skill": "docker", "level": 2}, {"skill": "gcp", "level": 2}])),
        ("ECC", "ECC-K2", json!([{"skill": "kubernetes", "level": 2}, {"skill": "gcp", "level": 2}])),
        (
            "ECC",
            "ECC-K3",
            json!([{"skill": "kubernetes", "level": 1}, {"skill": "docker", "level": 2}, {"skill": "gcp", "level": 2}]),
        ),
        ("ECC", "ECC-K4", json!([{"skill": "gcp", "level": 2}])),
        ("ECC", "ECC-K5", json!([])),
        ("ECC", "ECC-K6", json!([])),
        ("ECC", "ECC-K7", json!([])),
        ("ENSAM-RABAT", "ENSAM-E1", json!([])),
    ];
    let mut first = None;
    for (school, number, skills) in held {
        let roster_staff = if school == "ECC" { &staff } else { &other_staff };
        let (user, id) = student_in(app, roster_staff, school, number, "Test,Student", "Informatique").await;
        let mut profile = json!({"wanted_kinds": ["internship"], "cities": ["casablanca"]});
        if number == "ECC-K7" {
            profile["seeking"] = json!(false);
        }
        patch_profile(app, &user, id, &profile).await;
        set_skills(app, &user, id, skills).await;
        first.get_or_insert(user);
    }
    Scene { admin: r.admin, staff, other_staff, committee, student: first.unwrap(), ecc }
}

/// (skill, students, positions, seats, trainings) of each skill, in the report's order.
fn skills_of(report: &Value) -> Vec<(&str, Value, Value, u64, u64)> {
    report["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let count = |field: &str| s[field].as_u64().unwrap();
            (
                s["skill"].as_str().unwrap(),
                s["students"].clone(),
                s["positions"].clone(),
                count("seats"),
                count("trainings"),
            )
        })
        .collect()
}

fn domains_of(report: &Value) -> Vec<(String, Value, Value, u64)> {
    report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["domain"].as_str().unwrap().to_owned(),
                d["students"].clone(),
                d["positions"].clone(),
                d["seats"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn training_needs_match_the_hand_computed_figures_and_the_committee_sees_them_withheld() {
    let app = spawn().await;
    let s = scene(&app).await;
    let today = today();
    let path = format!("/api/v1/reports/training-needs?from={today}&to={today}");

    let admin = json(app.get(&path, Some(&s.admin.token)).await).await;
    assert_eq!(
        skills_of(&admin),
        [
            ("terraform", json!(7), json!(7), 15, 1),
            ("kubernetes", json!(6), json!(12), 35, 2),
            ("docker", json!(5), json!(5), 15, 1),
            ("gcp", json!(3), json!(3), 0, 0),
        ],
        "{admin}"
    );
    assert_eq!(admin["skills"][1]["level"], 3);
    assert_eq!(admin["skills"][1]["domain"], "cloud");
    assert_eq!(
        domains_of(&admin),
        [("devops".to_owned(), json!(7), json!(7), 15), ("cloud".to_owned(), json!(6), json!(20), 50)]
    );
    // One month: the same figures.
    assert_eq!(admin["trend"].as_array().unwrap().len(), 1);
    assert_eq!(admin["trend"][0]["month"], today[..7]);
    assert_eq!(admin["trend"][0]["skills"], admin["skills"]);

    // The committee: GCP (3) is withheld, and with it Docker, the smallest
    // other cloud skill, lest the cloud total give GCP away; the month too.
    let committee = json(app.get(&path, Some(&s.committee.token)).await).await;
    assert_eq!(
        skills_of(&committee),
        [
            ("terraform", json!(7), json!(7), 15, 1),
            ("kubernetes", json!(6), json!(12), 35, 2),
            ("docker", Value::Null, Value::Null, 15, 1),
            ("gcp", Value::Null, Value::Null, 0, 0),
        ],
        "{committee}"
    );
    assert_eq!(committee["skills"][3]["suppressed"], true);
    assert_eq!(committee["skills"][0]["suppressed"], false);
    assert_eq!(committee["trend"][0]["skills"], committee["skills"]);
    assert_eq!(domains_of(&committee), domains_of(&admin));

    // ECC's staff count ECC's students: E1 leaves every figure.
    let ecc = json(app.get(&path, Some(&s.staff.token)).await).await;
    assert_eq!(ecc["school_id"], s.ecc);
    assert_eq!(
        skills_of(&ecc),
        [
            ("terraform", json!(6), json!(6), 15, 1),
            ("kubernetes", json!(5), json!(10), 35, 2),
            ("docker", json!(4), json!(4), 15, 1),
            ("gcp", json!(2), json!(2), 0, 0),
        ]
    );
    let named = json(app.get(&format!("{path}&school_id={}", s.ecc), Some(&s.staff.token)).await).await;
    assert_eq!(named["skills"], ecc["skills"]);
    // The committee on ECC alone: Docker (4) and GCP (2) withheld protect each other.
    let committee_ecc = json(app.get(&format!("{path}&school_id={}", s.ecc), Some(&s.committee.token)).await).await;
    let shown: Vec<(&str, Value)> = skills_of(&committee_ecc).into_iter().map(|n| (n.0, n.1)).collect();
    assert_eq!(
        shown,
        [("terraform", json!(6)), ("kubernetes", json!(5)), ("docker", Value::Null), ("gcp", Value::Null)]
    );
    // ENSAM's staff: E1 alone.
    let ensam = json(app.get(&path, Some(&s.other_staff.token)).await).await;
    assert!(skills_of(&ensam).iter().all(|n| n.1 == json!(1)), "{ensam}");
    // One domain.
    let devops = json(app.get(&format!("{path}&domain=devops"), Some(&s.admin.token)).await).await;
    assert_eq!(skills_of(&devops), [("terraform", json!(7), json!(7), 15, 1)]);

    // CSV: withheld figures are empty cells.
    let csv = app.client.get(app.url(&path)).bearer_auth(&s.committee.token).header("accept", "text/csv").send().await;
    let csv = csv.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("training-needs-{today}-{today}.csv")));
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "month,skill,label_fr,label_en,domain,level,students,positions,seats,trainings,suppressed");
    assert_eq!(lines[1], "all,terraform,Terraform,Terraform,devops,2,7,7,15,1,false");
    assert!(lines.contains(&"all,gcp,Google Cloud Platform,Google Cloud Platform,cloud,2,,,0,0,true"), "{csv}");
    assert!(lines.contains(&"all,all,,,cloud,,6,20,50,3,false"), "{csv}");
    assert_eq!(lines.len(), 1 + 2 * (4 + 2), "{csv}");

    // Refusals.
    for user in [&s.student] {
        assert_problem(app.get(&path, Some(&user.token)).await, 403).await;
    }
    assert_problem(app.get(&format!("{path}&school_id={}", s.ecc), Some(&s.other_staff.token)).await, 403).await;
    assert_problem(app.get(&format!("{path}&school_id=999999"), Some(&s.admin.token)).await, 404).await;
    assert_problem(
        app.get("/api/v1/reports/training-needs?from=2000-01-01&to=2026-01-01", Some(&s.admin.token)).await,
        400,
    )
    .await;
}
