//! Sign-in: student activation, staff activation, login, token refresh,
//! logout (of one session or everywhere), and the caller's own account.

use crate::routes::body;
use crate::routes::extract::Json;
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use crate::app::accounts::{
    self as app, Account, LoginRequest, PasswordChange, RefreshRequest, StaffActivation, StudentActivation, TokenPair,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::responses::TooManyAttempts;

/// Sign in with e-mail and password.
///
/// Anyone may call it. Attempts are limited per account and per client
/// address (429 with `Retry-After` past the limit); an unknown e-mail and a
/// wrong password get the same answer in about the same time.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "Invalid e-mail or password", body = Problem, content_type = "application/problem+json"),
        TooManyAttempts,
    )
)]
#[post("/login")]
pub async fn login(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<LoginRequest>,
) -> Result<body::Json<TokenPair>, ApiError> {
    let address = request.peer_addr().map(|a| a.ip());
    Ok(body::Json(app::login(&state, body.into_inner(), address).await?))
}

/// Exchange a refresh token for a new pair.
///
/// Anyone holding a refresh token may call it. Each refresh token works once;
/// presenting one that was already used revokes its whole family, since a
/// reuse means it was stolen.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenPair),
        (status = 401, description = "Unknown, expired, used or revoked refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<body::Json<TokenPair>, ApiError> {
    Ok(body::Json(app::refresh(&state, body.into_inner()).await?))
}

/// Sign out: revoke the refresh token's family.
///
/// Anyone holding a refresh token may call it; an unknown token is accepted
/// silently, so the answer says nothing about tokens.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204, description = "Signed out")))]
#[post("/logout")]
pub async fn logout(state: web::Data<AppState>, body: Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    app::logout(&state, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Create a student account from the school's roster.
///
/// Anyone may call it; it succeeds once per student, and only for a student
/// number and e-mail that the school's roster holds together. Attempts are
/// throttled like logins.
#[utoipa::path(
    tag = "auth",
    request_body = StudentActivation,
    responses(
        (status = 201, description = "Account created; sign in next", body = Account),
        (status = 404, description = "No such student on that school's roster", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The student already has an account, or the e-mail is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password or e-mail rules broken", body = Problem, content_type = "application/problem+json"),
        TooManyAttempts,
    )
)]
#[post("/activate-student")]
pub async fn activate_student(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<StudentActivation>,
) -> Result<HttpResponse, ApiError> {
    let address = request.peer_addr().map(|a| a.ip());
    Ok(body::json(HttpResponse::Created(), &app::activate_student(&state, body.into_inner(), address).await?))
}

/// Set a staff account's password with the one-time activation token.
///
/// Anyone holding an activation token may call it, once, before it expires.
#[utoipa::path(
    tag = "auth",
    request_body = StaffActivation,
    responses(
        (status = 200, description = "Account activated; sign in next", body = Account),
        (status = 401, description = "Unknown, used or expired activation token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password rules broken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/activate")]
pub async fn activate_staff(
    state: web::Data<AppState>,
    body: Json<StaffActivation>,
) -> Result<body::Json<Account>, ApiError> {
    Ok(body::Json(app::activate_staff(&state, body.into_inner()).await?))
}

/// The caller's own account.
///
/// Any signed-in user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Account),
    )
)]
#[get("")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<body::Json<Account>, ApiError> {
    Ok(body::Json(app::me(&state, caller).await?))
}

/// Sign out everywhere: revoke every access and refresh token of the caller.
///
/// Any signed-in user, for their own account. From the next request on, on
/// every server process, the caller's tokens issued so far are refused (401);
/// signing in again gives tokens that work.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every token of the caller revoked"),
    )
)]
#[post("/logout-all")]
pub async fn logout_all(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    crate::app::sessions::logout_all(&state, caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change the caller's password.
///
/// Any signed-in user, for their own account, with its current password.
/// Attempts count against the account's login limit. On success every access and refresh
/// token issued so far, the caller's own included, is refused (401) from the
/// next request on, on every server process: the answer carries no tokens,
/// and the client signs in again with the new password.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Password changed; every token of the caller revoked"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The current password is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new password breaks the password rules", body = Problem, content_type = "application/problem+json"),
        TooManyAttempts,
    )
)]
#[post("/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    app::change_password(&state, caller, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
