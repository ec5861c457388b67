//! The synthetic data set of `seed synthetic`, as a server started on it serves it.

use passerelle::matching::synthetic::{generate, SyntheticConfig};
use passerelle::store::synthetic as seeded;

use crate::helpers::{json, spawn_app_after, test_settings};

const STUDENTS: usize = 120;
const OFFERS: usize = 200;

fn config() -> SyntheticConfig {
    SyntheticConfig {
        skills: 30,
        students: STUDENTS,
        offers: OFFERS,
        today: chrono::Utc::now().date_naive(),
        ..SyntheticConfig::default()
    }
}

#[tokio::test]
async fn a_synthetic_student_signs_in_and_gets_ranked_offers() {
    let data = generate(&config(), None);
    let mut written = None;
    let app = spawn_app_after(
        |url| {
            let mut conn = passerelle::bench_cli::connect(url).expect("database");
            let hash = passerelle::bench_cli::synthetic_password_hash().expect("hash");
            written = Some(seeded::write(&mut conn, &data, &hash, |_| {}).expect("synthetic data set"));
        },
        // Twenty-one sign-ins from one address in a minute.
        |settings| settings.auth.login_attempts_per_minute = 100,
    )
    .await;
    let ids = written.expect("written");

    // The index of a server started on the database holds every student.
    let state = passerelle::startup::prepare_state(test_settings(app.database.url())).await.expect("state");
    assert_eq!(state.index.size(), (STUDENTS, OFFERS));

    let mut ranked = 0;
    for student in &data.students[..20] {
        let user = app.login(&seeded::student_email(student.id), seeded::PASSWORD).await;
        let me = json(app.get("/api/v1/me", Some(&user.token)).await).await;
        assert_eq!(me["role"], "student", "{me}");
        assert_eq!(me["student_id"], ids.student(student.id), "{me}");
        let response =
            app.get(&format!("/api/v1/students/{}/matches", ids.student(student.id)), Some(&user.token)).await;
        assert_eq!(response.status(), 200);
        let matches = json(response).await;
        let offers = matches.as_array().expect("a list");
        assert!(offers.iter().all(|m| {
            let id = m["offer_id"].as_i64().unwrap_or_default();
            id > ids.offer(0) && id <= ids.offer(OFFERS as i64)
        }));
        ranked += usize::from(!offers.is_empty());
    }
    assert!(ranked > 0, "no synthetic student has a ranked offer");

    // The recruiter signs in too, and ranks only students discoverable in the data.
    let recruiter = app.login(seeded::RECRUITER_EMAIL, seeded::PASSWORD).await;
    let mut candidates_seen = 0;
    for offer in data.offers.iter().filter(|o| o.status == passerelle::domain::OfferStatus::Open).take(5) {
        let response =
            app.get(&format!("/api/v1/offers/{}/matches?limit=100", ids.offer(offer.id)), Some(&recruiter.token)).await;
        assert_eq!(response.status(), 200);
        let candidates = json(response).await;
        for candidate in candidates.as_array().expect("a list") {
            let id = candidate["student_id"].as_i64().expect("student id") - ids.student(0);
            let student = data.students.iter().find(|s| s.id == id).expect("a synthetic student");
            assert!(student.discoverable, "undiscoverable student {id} ranked");
            candidates_seen += 1;
        }
    }
    assert!(candidates_seen > 0, "no candidate ranked for the first open offers");
}
