//! Accounts, activation, tokens, rosters and throttling.

use serde_json::{json, Value};

use crate::helpers::{assert_problem, json, spawn_app, spawn_app_with, PASSWORD, SIGNING_KEYS};

const ROSTER_HEADER: &str = "student_number,first_name,last_name,email,programme,degree_level,graduation_year";

#[tokio::test]
async fn the_whole_path_from_cli_admin_to_logout() {
    let app = spawn_app().await;
    // The admin comes from the real command line, password on standard input.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(["create-admin", "--email", "Ops@Passerelle.example.org"])
        .env("PASSERELLE_DATABASE_URL", app.database.url())
        .env("PASSERELLE_AUTH__SIGNING_KEYS", SIGNING_KEYS)
        .env("PASSERELLE_AUTH__PASSWORD__MEMORY_KIB", "64")
        .env("PASSERELLE_AUTH__PASSWORD__ITERATIONS", "1")
        .env("PASSERELLE_ADMIN_PASSWORD", PASSWORD)
        .output()
        .expect("run create-admin");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let admin = app.login("ops@passerelle.example.org", PASSWORD).await;
    let me = json(app.get("/api/v1/me", Some(&admin.token)).await).await;
    assert_eq!(me["role"], "admin");
    assert!(me.get("password_hash").is_none());

    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let csv = format!("{ROSTER_HEADER}\nECC-1,Salma,Bennani,Salma.Bennani@ecc.example.org,Data Science,bac+5,2027\n");
    let imported = json(app.post_csv(&format!("/api/v1/schools/{ecc}/roster"), &staff.token, csv).await).await;
    assert_eq!(
        imported,
        json!({"rows": 1, "created": 1, "updated": 0, "format": "csv", "encoding": "utf-8", "separator": "comma"})
    );

    let activation = json!({"school_code": "ECC", "student_number": "ECC-1", "email": "salma.bennani@ecc.example.org", "password": PASSWORD});
    let created = app.post_json("/api/v1/auth/activate-student", None, &activation).await;
    assert_eq!(created.status(), 201);
    let account = json(created).await;
    assert_eq!(account["role"], "student");
    assert!(account["student_id"].is_i64());
    // Once only.
    assert_problem(app.post_json("/api/v1/auth/activate-student", None, &activation).await, 409).await;

    let student = app.login("salma.bennani@ecc.example.org", PASSWORD).await;
    let refreshed = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": student.refresh_token})).await;
    assert_eq!(refreshed.status(), 200);
    let pair = json(refreshed).await;
    assert_ne!(pair["refresh_token"], json!(student.refresh_token));
    let me = json(app.get("/api/v1/me", pair["access_token"].as_str()).await).await;
    assert_eq!(me["email"], "salma.bennani@ecc.example.org");

    let logout = app.post_json("/api/v1/auth/logout", None, &json!({"refresh_token": pair["refresh_token"]})).await;
    assert_eq!(logout.status(), 204);
    let after = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": pair["refresh_token"]})).await;
    assert_problem(after, 401).await;
}

#[tokio::test]
async fn a_student_not_on_the_roster_cannot_get_an_account() {
    let app = spawn_app().await;
    let cases = [
        json!({"school_code": "ECC", "student_number": "X-1", "email": "nobody@ecc.example.org", "password": PASSWORD}),
        json!({"school_code": "NOPE", "student_number": "X-1", "email": "nobody@ecc.example.org", "password": PASSWORD}),
    ];
    for body in cases {
        assert_problem(app.post_json("/api/v1/auth/activate-student", None, &body).await, 404).await;
    }
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let csv = format!("{ROSTER_HEADER}\nECC-7,Omar,Tazi,omar@ecc.example.org,Génie informatique,bac+5,2026\n");
    app.post_csv(&format!("/api/v1/schools/{ecc}/roster"), &staff.token, csv).await;
    // The right e-mail with the wrong student number is refused too.
    let wrong_number =
        json!({"school_code": "ECC", "student_number": "ECC-8", "email": "omar@ecc.example.org", "password": PASSWORD});
    assert_problem(app.post_json("/api/v1/auth/activate-student", None, &wrong_number).await, 404).await;
    let short_password =
        json!({"school_code": "ECC", "student_number": "ECC-7", "email": "omar@ecc.example.org", "password": "short"});
    let body = assert_problem(app.post_json("/api/v1/auth/activate-student", None, &short_password).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "password");
}

#[tokio::test]
async fn a_roster_with_one_bad_row_imports_nothing_and_names_the_row() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let csv = format!(
        "{ROSTER_HEADER}\nECC-1,Salma,Bennani,salma@ecc.example.org,Data,bac+5,2027\nECC-2,Omar,Tazi,not-an-email,Data,bac+5,2027\nECC-3,Ines,Alami,ines@ecc.example.org,Data,bac+9,2027\n"
    );
    let response = app.post_csv(&format!("/api/v1/schools/{ecc}/roster"), &admin.token, csv).await;
    let body = assert_problem(response, 422).await;
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["line 3.email", "line 4.degree_level"], "{body}");
    let activation = json!({"school_code": "ECC", "student_number": "ECC-1", "email": "salma@ecc.example.org", "password": PASSWORD});
    assert_problem(app.post_json("/api/v1/auth/activate-student", None, &activation).await, 404).await;
}

#[tokio::test]
async fn reimporting_updates_by_student_number_and_json_works_too() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let path = format!("/api/v1/schools/{ecc}/roster");
    let row = |year: u32| {
        json!({"student_number": "ECC-1", "first_name": "Salma", "last_name": "Bennani",
        "email": "salma@ecc.example.org", "programme": "Data", "degree_level": "bac+5", "graduation_year": year.to_string()})
    };
    let first = json(app.post_json(&path, Some(&admin.token), &json!({"rows": [row(2027)]})).await).await;
    assert_eq!(first["created"], 1, "{first}");
    assert_eq!(
        (&first["format"], &first["encoding"], &first["separator"]),
        (&json!("json"), &Value::Null, &Value::Null)
    );
    let second = json(app.post_json(&path, Some(&admin.token), &json!({"rows": [row(2028)]})).await).await;
    assert_eq!((&second["created"], &second["updated"]), (&json!(0), &json!(1)), "{second}");
    // The same e-mail under two student numbers is refused.
    let clash = format!("{ROSTER_HEADER}\nECC-2,Other,Person,salma@ecc.example.org,Data,bac+5,2027\n");
    let body = assert_problem(app.post_csv(&path, &admin.token, clash).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "line 2.email");
    // Neither CSV nor JSON.
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&admin.token)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415).await;
}

#[tokio::test]
async fn a_roster_of_50000_rows_is_imported_in_one_request() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let mut csv = String::from(ROSTER_HEADER);
    for i in 0..50_000 {
        csv.push_str(&format!(
            "\nECC-{i},First{i},Last{i},s{i}@ecc.example.org,Programme {},bac+{},{}",
            i % 7,
            [2, 3, 5][i % 3],
            2026 + i % 3
        ));
    }
    let response = app.post_csv(&format!("/api/v1/schools/{ecc}/roster"), &admin.token, csv).await;
    let imported = json(response).await;
    assert_eq!(
        (&imported["rows"], &imported["created"], &imported["updated"]),
        (&json!(50_000), &json!(50_000), &json!(0))
    );
}

#[tokio::test]
async fn only_admins_create_staff_and_bindings_are_checked() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let body = json!({"email": "r@axa.example.org", "display_name": "R", "role": "recruiter", "organisation_id": 1});
    assert_problem(app.post_json("/api/v1/admin/accounts", Some(&staff.token), &body).await, 403).await;
    let cases = [
        (json!({"email": "r@axa.example.org", "display_name": "R", "role": "recruiter"}), "organisation_id"),
        (
            json!({"email": "r@axa.example.org", "display_name": "R", "role": "committee", "school_id": ecc}),
            "school_id",
        ),
        (json!({"email": "r@axa.example.org", "display_name": "R", "role": "student"}), "role"),
        (
            json!({"email": "r@axa.example.org", "display_name": "R", "role": "recruiter", "organisation_id": 999_999}),
            "organisation_id",
        ),
    ];
    for (body, field) in cases {
        let problem =
            assert_problem(app.post_json("/api/v1/admin/accounts", Some(&admin.token), &body).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // Mass assignment: fields outside the schema are refused.
    let sneaky = json!({"email": "x@ecc.example.org", "password": PASSWORD, "role": "admin"});
    let problem = assert_problem(app.post_json("/api/v1/auth/login", None, &sneaky).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "role");
}

#[tokio::test]
async fn an_activation_token_works_once() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let created = json(
        app.post_json(
            "/api/v1/admin/accounts",
            Some(&admin.token),
            &json!({"email": "c@committee.example.org", "display_name": "C", "role": "committee"}),
        )
        .await,
    )
    .await;
    let body = json!({"activation_token": created["activation_token"], "password": PASSWORD});
    // Not active before activation.
    assert_problem(
        app.post_json("/api/v1/auth/login", None, &json!({"email": "c@committee.example.org", "password": PASSWORD}))
            .await,
        401,
    )
    .await;
    // A lost token is replaced; the first one stops working.
    let path = format!("/api/v1/admin/accounts/{}/activation", created["account"]["id"]);
    let reissued = json(app.post_json(&path, Some(&admin.token), &json!({})).await).await;
    assert_problem(app.post_json("/api/v1/auth/activate", None, &body).await, 401).await;
    let body = json!({"activation_token": reissued["activation_token"], "password": PASSWORD});
    assert_eq!(app.post_json("/api/v1/auth/activate", None, &body).await.status(), 200);
    assert_problem(app.post_json("/api/v1/auth/activate", None, &body).await, 401).await;
    assert_problem(app.post_json(&path, Some(&admin.token), &json!({})).await, 409).await;
    app.login("c@committee.example.org", PASSWORD).await;
}

#[tokio::test]
async fn refresh_token_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let first =
        json(app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": admin.refresh_token})).await).await;
    // The stolen original is presented again: refused, and the family dies.
    let reuse = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": admin.refresh_token})).await;
    assert_problem(reuse, 401).await;
    let legit = app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": first["refresh_token"]})).await;
    assert_problem(legit, 401).await;
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let me = json(app.get("/api/v1/me", Some(&admin.token)).await).await;
    let wrong = assert_problem(
        app.post_json("/api/v1/auth/login", None, &json!({"email": me["email"], "password": "wrong-password-123"}))
            .await,
        401,
    )
    .await;
    let unknown = assert_problem(
        app.post_json(
            "/api/v1/auth/login",
            None,
            &json!({"email": "ghost@example.org", "password": "wrong-password-123"}),
        )
        .await,
        401,
    )
    .await;
    assert_eq!(wrong["detail"], unknown["detail"]);
    assert_eq!(wrong["type"], unknown["type"]);
}

#[tokio::test]
async fn login_is_throttled_with_retry_after_and_recovers() {
    let app = spawn_app_with(|s| s.auth.login_attempts_per_minute = 60).await;
    let body = json!({"email": "ghost@example.org", "password": "wrong-password-123"});
    let mut limited = None;
    for _ in 0..70 {
        let response = app.post_json("/api/v1/auth/login", None, &body).await;
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
    }
    let response = limited.expect("429 within the burst");
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_problem(response, 429).await;
    // 60 a minute replenishes one attempt a second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = app.post_json("/api/v1/auth/login", None, &body).await;
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn json_errors_are_problems() {
    let app = spawn_app().await;
    let malformed = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(malformed, 400).await["type"], "/problems/bad-request");
    let wrong_type = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_problem(wrong_type, 415).await["type"], "/problems/unsupported-media-type");
    let huge = json!({"email": "x".repeat(300_000), "password": "y"});
    let too_large = app.post_json("/api/v1/auth/login", None, &huge).await;
    assert_eq!(assert_problem(too_large, 413).await["type"], "/problems/payload-too-large");
    let missing = app.post_json("/api/v1/auth/login", None, &json!({"email": "a@b.org"})).await;
    assert_eq!(assert_problem(missing, 422).await["errors"][0]["field"], "password");
}
