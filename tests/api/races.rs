//! Concurrent requests racing for the same unique record: one wins, the
//! others get a 409 that says what already exists, never a 500.

use serde_json::{json, Value};

use crate::applications::{cast, spawn};
use crate::helpers::{assert_problem, TestApp, PASSWORD};

/// The statuses of six concurrent sends of one request, sorted, with their bodies.
async fn six<F, Fut>(send: F) -> Vec<(u16, Value)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    let responses = futures_util::future::join_all((0..6).map(|_| send())).await;
    let mut answers = Vec::new();
    for response in responses {
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        answers.push((status, serde_json::from_str(&body).unwrap_or(Value::String(body))));
    }
    answers.sort_by_key(|(status, _)| *status);
    answers
}

fn statuses(answers: &[(u16, Value)]) -> Vec<u16> {
    answers.iter().map(|(status, _)| *status).collect()
}

fn roster_csv(numbers: std::ops::Range<u32>) -> String {
    let mut csv = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\n".to_owned();
    for n in numbers {
        csv.push_str(&format!("ECC-R{n},Amine,Tazi,ecc-r{n}@student.example.org,Data Science,bac+5,2027\n"));
    }
    csv
}

#[tokio::test]
async fn six_activations_of_one_roster_row_make_one_account() {
    let app = spawn().await;
    let c = cast(&app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let imported = app.post_csv(&format!("/api/v1/schools/{ecc}/roster"), &c.staff.token, roster_csv(0..1)).await;
    assert_eq!(imported.status(), 200);
    let body = json!({"school_code": "ECC", "student_number": "ECC-R0", "email": "ecc-r0@student.example.org",
        "password": PASSWORD});
    let answers = six(|| app.post_json("/api/v1/auth/activate-student", None, &body)).await;
    assert_eq!(statuses(&answers), [201, 409, 409, 409, 409, 409], "{answers:?}");
    for (_, problem) in &answers[1..] {
        assert_eq!(problem["type"], "/problems/conflict", "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            ["this student already has an account; sign in instead", "an account already uses this e-mail"]
                .contains(&detail),
            "{detail}"
        );
    }
    app.login("ecc-r0@student.example.org", PASSWORD).await;
}

#[tokio::test]
async fn six_concurrent_imports_of_the_same_new_rows_leave_them_once() {
    let app = spawn().await;
    let c = cast(&app).await;
    let ecc = app.id_of("schools", "ECC").await;
    let path = format!("/api/v1/schools/{ecc}/roster");
    let answers = six(|| app.post_csv(&path, &c.staff.token, roster_csv(0..200))).await;
    // An import that starts after another committed updates the rows (200);
    // one that raced it loses on the student numbers (409).
    assert!(statuses(&answers).iter().all(|s| [200, 409].contains(s)), "{answers:?}");
    assert_eq!(answers[0].0, 200, "{answers:?}");
    for (_, problem) in answers.iter().filter(|(status, _)| *status == 409) {
        assert_eq!(problem["detail"], "a student with this number is already on the school's roster", "{problem}");
    }
    let created: u64 = answers.iter().filter(|(s, _)| *s == 200).map(|(_, b)| b["created"].as_u64().unwrap()).sum();
    assert_eq!(created, 200, "{answers:?}");
    assert_eq!(count_students(&app, ecc), 201, "the cast's student and the 200 rows");
}

fn count_students(app: &TestApp, school: i64) -> i64 {
    use diesel::prelude::*;
    use passerelle::db::schema::students;
    let mut conn = app.connection();
    students::table.filter(students::school_id.eq(school)).count().get_result(&mut conn).unwrap()
}

#[tokio::test]
async fn six_schools_with_one_code_make_one_school() {
    let app = spawn().await;
    let admin = app.admin().await;
    let body = json!({"code": "ENSA-KENITRA", "name": "ENSA Kénitra", "city": "Kénitra", "kind": "engineering_school"});
    let answers = six(|| app.post_json("/api/v1/admin/schools", Some(&admin.token), &body)).await;
    assert_eq!(statuses(&answers), [201, 409, 409, 409, 409, 409], "{answers:?}");
    for (_, problem) in &answers[1..] {
        assert_eq!(problem["detail"], "a school already has this code", "{problem}");
    }
    // The answer of a later, unraced request is the same.
    let later = assert_problem(app.post_json("/api/v1/admin/schools", Some(&admin.token), &body).await, 409).await;
    assert_eq!(later["detail"], "a school already has this code");
}
