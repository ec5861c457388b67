//! Revoked tokens: after erasure, signing out everywhere or an admin disabling
//! the account, the tokens issued before are refused on every route, by this
//! server process at once and by the others within the change feed's period.

use reqwest::Response;
use serde_json::{json, Value};

use crate::applications::{apply, cast, move_to, open_offer, spawn};
use crate::helpers::{assert_problem, json, TestApp, User, PASSWORD};

async fn delete_student(app: &TestApp, user: &User, id: i64) -> Response {
    app.client.delete(app.url(&format!("/api/v1/students/{id}"))).bearer_auth(&user.token).send().await.unwrap()
}

async fn logout_all(app: &TestApp, user: &User) -> Response {
    app.post_json("/api/v1/auth/logout-all", Some(&user.token), &json!({})).await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Response {
    app.post_json("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh_token})).await
}

async fn student_id(app: &TestApp, student: &User) -> i64 {
    json(app.get("/api/v1/me/profile", Some(&student.token)).await).await["id"].as_i64().unwrap()
}

/// The four routes of the report: an erased student read their applications
/// and placements, accepted an offer and signed an agreement with the token
/// they held before the erasure.
#[tokio::test]
async fn an_erased_students_token_is_refused_by_every_route_at_once() {
    let app = spawn().await;
    let c = cast(&app).await;
    let id = student_id(&app, &c.student).await;
    // One application offered (to accept), one accepted (a placement to sign, its people named).
    let offered = apply(&app, &c.student, open_offer(&app, &c.recruiter, 1).await).await["id"].as_i64().unwrap();
    move_to(&app, &c.recruiter, offered, "offered").await;
    let accepted = apply(&app, &c.student, open_offer(&app, &c.recruiter, 1).await).await["id"].as_i64().unwrap();
    move_to(&app, &c.recruiter, accepted, "offered").await;
    let placement = move_to(&app, &c.student, accepted, "accepted").await["placement_id"].as_i64().unwrap();
    let path = format!("/api/v1/placements/{placement}");
    let read = app.get(&path, Some(&c.recruiter.token)).await;
    let etag = read.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let named = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&c.recruiter.token)
        .header("if-match", etag)
        .json(&json!({"company_tutor": "Tutor Mansouri", "academic_referent": "Pr. Daoudi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(named.status(), 200);
    // The control: the token works on the reads before the erasure.
    assert_eq!(app.get("/api/v1/applications", Some(&c.student.token)).await.status(), 200);
    assert_eq!(app.get("/api/v1/placements", Some(&c.student.token)).await.status(), 200);

    assert_eq!(delete_student(&app, &c.student, id).await.status(), 204);

    let token = Some(c.student.token.as_str());
    let transition = format!("/api/v1/applications/{offered}/transitions");
    for response in [
        app.get("/api/v1/applications", token).await,
        app.get("/api/v1/placements", token).await,
        app.post_json(&transition, token, &json!({"to": "accepted"})).await,
        app.post_json(&format!("{path}/signatures"), token, &json!({})).await,
        app.get("/api/v1/offers", token).await,
        app.get("/api/v1/me", token).await,
    ] {
        let problem = assert_problem(response, 401).await;
        assert_eq!(problem["type"], "/problems/unauthenticated", "{problem}");
    }
    // Nothing moved: the offer is still only offered, the agreement unsigned.
    let application = json(app.get(&format!("/api/v1/applications/{offered}"), Some(&c.recruiter.token)).await).await;
    assert_eq!(application["status"], "offered");
    let agreement = json(app.get(&path, Some(&c.recruiter.token)).await).await;
    assert_eq!(agreement["signatures"], json!([]), "{agreement}");
    assert_problem(refresh(&app, &c.student.refresh_token).await, 401).await;
}

#[tokio::test]
async fn signing_out_everywhere_revokes_every_session_and_the_next_login_works() {
    let app = spawn().await;
    let c = cast(&app).await;
    let email = "ecc-1@student.example.org";
    let other_session = app.login(email, PASSWORD).await;
    assert_problem(app.post_json("/api/v1/auth/logout-all", None, &json!({})).await, 401).await;

    assert_eq!(logout_all(&app, &c.student).await.status(), 204);
    for session in [&c.student, &other_session] {
        assert_problem(app.get("/api/v1/applications", Some(&session.token)).await, 401).await;
        assert_problem(refresh(&app, &session.refresh_token).await, 401).await;
    }
    // Tokens of the same second as the revocation, issued after it, work:
    // twice in a row, so that at least one login shares its second with the
    // sign-out before it.
    for _ in 0..2 {
        let again = app.login(email, PASSWORD).await;
        assert_eq!(app.get("/api/v1/applications", Some(&again.token)).await.status(), 200);
        let pair = json(refresh(&app, &again.refresh_token).await).await;
        let refreshed = pair["access_token"].as_str().unwrap();
        assert_eq!(app.get("/api/v1/applications", Some(refreshed)).await.status(), 200);
        assert_eq!(logout_all(&app, &User { token: refreshed.to_owned(), ..again.clone() }).await.status(), 204);
        assert_problem(app.get("/api/v1/applications", Some(&again.token)).await, 401).await;
        assert_problem(app.get("/api/v1/applications", Some(refreshed)).await, 401).await;
    }
    // Other accounts are untouched.
    assert_eq!(app.get("/api/v1/applications", Some(&c.recruiter.token)).await.status(), 200);
}

/// Polls `path` on another server with `token` until it answers `status`,
/// within a bounded number of tries; returns the last status.
async fn poll(app: &TestApp, address: &str, path: &str, token: &str, status: u16) -> u16 {
    let mut last = 0;
    for _ in 0..50 {
        last = app.client.get(format!("{address}{path}")).bearer_auth(token).send().await.unwrap().status().as_u16();
        if last == status {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

#[tokio::test]
async fn another_server_process_refuses_a_revoked_token_from_the_change_feed() {
    let app = spawn().await;
    let c = cast(&app).await;
    let other = app.process().await;
    let path = "/api/v1/applications";
    assert_eq!(poll(&app, &other.address, path, &c.student.token, 200).await, 200, "the control");
    assert_eq!(poll(&app, &other.address, path, &c.staff.token, 200).await, 200, "the control");

    assert_eq!(logout_all(&app, &c.student).await.status(), 204);
    assert_eq!(poll(&app, &other.address, path, &c.student.token, 401).await, 401, "signed out everywhere");
    // A login after the sign-out works on the other process too.
    let again = app.login("ecc-1@student.example.org", PASSWORD).await;
    assert_eq!(poll(&app, &other.address, path, &again.token, 200).await, 200);

    let disabled = app
        .post_json(&format!("/api/v1/admin/accounts/{}/disable", c.staff.account_id), Some(&c.admin.token), &json!({}))
        .await;
    assert_eq!(disabled.status(), 200);
    assert_eq!(poll(&app, &other.address, path, &c.staff.token, 401).await, 401, "disabled");

    // A process started afterwards loads the revocations at start.
    let late = app.process().await;
    for token in [&c.student.token, &c.staff.token] {
        let status =
            app.client.get(format!("{}{path}", late.address)).bearer_auth(token).send().await.unwrap().status();
        assert_eq!(status, 401);
    }
    let status =
        app.client.get(format!("{}{path}", late.address)).bearer_auth(&again.token).send().await.unwrap().status();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_admin_disables_an_account_which_then_cannot_sign_in() {
    let app = spawn().await;
    let c = cast(&app).await;
    let path = |id: i64| format!("/api/v1/admin/accounts/{id}/disable");
    let account: Value =
        json(app.post_json(&path(c.recruiter.account_id), Some(&c.admin.token), &json!({})).await).await;
    assert_eq!(account["id"], c.recruiter.account_id);
    assert_eq!(account["active"], false);
    assert_problem(app.get("/api/v1/offers", Some(&c.recruiter.token)).await, 401).await;
    assert_problem(refresh(&app, &c.recruiter.refresh_token).await, 401).await;
    // Again: nothing changes.
    let again = app.post_json(&path(c.recruiter.account_id), Some(&c.admin.token), &json!({})).await;
    assert_eq!(json(again).await["active"], false);

    // A disabled student cannot sign in either; nor can a disabled staff member.
    let student = json(app.post_json(&path(c.student.account_id), Some(&c.admin.token), &json!({})).await).await;
    assert_eq!((student["active"].as_bool(), student["student_id"].is_i64()), (Some(false), true));
    let login = app
        .post_json("/api/v1/auth/login", None, &json!({"email": "ecc-1@student.example.org", "password": PASSWORD}))
        .await;
    assert_problem(login, 401).await;

    let own =
        assert_problem(app.post_json(&path(c.admin.account_id), Some(&c.admin.token), &json!({})).await, 409).await;
    assert_eq!(own["detail"], "an admin cannot disable their own account");
    assert_problem(app.post_json(&path(999_999), Some(&c.admin.token), &json!({})).await, 404).await;
    assert_problem(app.post_json(&path(c.admin.account_id), Some(&c.staff.token), &json!({})).await, 403).await;
    // The admin is still signed in.
    assert_eq!(app.get("/api/v1/me", Some(&c.admin.token)).await.status(), 200);
}

/// A password change revokes every token issued before it, on this process
/// at once and on another from the change feed; the new password signs in.
#[tokio::test]
async fn a_password_change_revokes_every_earlier_token_and_the_new_password_signs_in() {
    let app = spawn().await;
    let c = cast(&app).await;
    let email = "ecc-1@student.example.org";
    let other_session = app.login(email, PASSWORD).await;
    let other = app.process().await;
    let path = "/api/v1/applications";
    assert_eq!(poll(&app, &other.address, path, &c.student.token, 200).await, 200, "the control");
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let new_password = "a-new-and-longer-test-password";

    // Refused without changing anything: the wrong current password, a short new one.
    let wrong = app.post_json("/api/v1/auth/password", Some(&c.student.token), &change("wrong", new_password)).await;
    let problem = assert_problem(wrong, 403).await;
    assert_eq!(problem["detail"], "current_password is not the account's password");
    let short = app.post_json("/api/v1/auth/password", Some(&c.student.token), &change(PASSWORD, "short")).await;
    let problem = assert_problem(short, 422).await;
    assert_eq!(problem["errors"][0]["field"], "new_password", "{problem}");
    assert_eq!(app.get(path, Some(&c.student.token)).await.status(), 200);

    let changed = app.post_json("/api/v1/auth/password", Some(&c.student.token), &change(PASSWORD, new_password)).await;
    assert_eq!(changed.status(), 204);
    for session in [&c.student, &other_session] {
        assert_problem(app.get(path, Some(&session.token)).await, 401).await;
        assert_problem(refresh(&app, &session.refresh_token).await, 401).await;
    }
    assert_eq!(poll(&app, &other.address, path, &c.student.token, 401).await, 401, "on the other process");
    let old = app.post_json("/api/v1/auth/login", None, &json!({"email": email, "password": PASSWORD})).await;
    assert_problem(old, 401).await;
    let again = app.login(email, new_password).await;
    assert_eq!(app.get(path, Some(&again.token)).await.status(), 200);
    assert_eq!(poll(&app, &other.address, path, &again.token, 200).await, 200);
    // Other accounts are untouched.
    assert_eq!(app.get(path, Some(&c.recruiter.token)).await.status(), 200);
}
