//! Operator endpoints: staff accounts.

use actix_web::{post, web, HttpResponse};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{policy, secret, Caller};
use crate::domain::student::{normalise_email, validate_email};
use crate::domain::{check_text, Role, Violation};
use crate::error::{ApiError, Problem};
use crate::routes::auth::{account_view, unknown, Account};
use crate::startup::AppState;
use crate::store::{accounts, reference};

/// A staff account to create. Students never get one this way: they activate
/// from their school's roster.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaffAccount {
    #[schema(example = "nadia.alaoui@axa.example.org")]
    pub email: String,
    #[schema(example = "Nadia Alaoui")]
    pub display_name: String,
    /// `recruiter` (needs `organisation_id`), `school_staff` (needs `school_id`), `committee` or `admin`.
    pub role: Role,
    pub school_id: Option<i64>,
    pub organisation_id: Option<i64>,
}

/// The created account and its one-time activation token.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedStaffAccount {
    pub account: Account,
    /// Shown once and stored only as a digest: hand it to the person over a
    /// trusted channel; they set their password with `POST /api/v1/auth/activate`.
    pub activation_token: String,
    pub activation_expires_at: chrono::DateTime<Utc>,
}

fn validate_staff(body: &NewStaffAccount) -> Vec<Violation> {
    let mut violations = validate_email(&body.email);
    check_text("display_name", &body.display_name, 1, 200, &mut violations);
    let (needs_school, needs_organisation) = match body.role {
        Role::Student => {
            violations.push(Violation::new(
                "role",
                "not_allowed",
                "students activate their account from their school's roster",
            ));
            (false, false)
        }
        Role::Recruiter => (false, true),
        Role::SchoolStaff => (true, false),
        Role::Committee | Role::Admin => (false, false),
    };
    for (field, given, needed) in [
        ("school_id", body.school_id.is_some(), needs_school),
        ("organisation_id", body.organisation_id.is_some(), needs_organisation),
    ] {
        if needed && !given {
            violations.push(Violation::new(field, "required", format!("a {} account needs it", body.role)));
        } else if given && !needed {
            violations.push(Violation::new(field, "not_allowed", format!("a {} account has none", body.role)));
        }
    }
    violations
}

/// Create a recruiter, school staff, committee or admin account.
///
/// Admins only. No e-mail is sent: the answer carries the one-time activation token.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewStaffAccount,
    responses(
        (status = 201, description = "Account created, waiting for activation", body = CreatedStaffAccount),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/accounts")]
pub async fn create_staff_account(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewStaffAccount>,
) -> Result<HttpResponse, ApiError> {
    policy::require_admin(&caller)?;
    let body = body.into_inner();
    ApiError::check(validate_staff(&body))?;
    let email = normalise_email(&body.email);
    let token = secret::random_token();
    let expires_at = Utc::now() + Duration::hours(state.settings.auth.activation_ttl_hours);
    let digest = secret::token_digest(&token);
    let account = crate::db::run(&state.pool, move |conn| {
        if let Some(id) = body.school_id {
            reference::find_school(conn, id)?.ok_or_else(|| unknown("school_id", "school"))?;
        }
        if let Some(id) = body.organisation_id {
            reference::find_organisation(conn, id)?.ok_or_else(|| unknown("organisation_id", "organisation"))?;
        }
        if accounts::email_taken(conn, &email)? {
            return Err(ApiError::conflict("an account already uses this e-mail"));
        }
        let id = accounts::insert(
            conn,
            &accounts::NewAccount {
                email: &email,
                display_name: body.display_name.trim(),
                role: body.role,
                password_hash: None,
                school_id: body.school_id,
                organisation_id: body.organisation_id,
                activation: Some((&digest, expires_at.naive_utc())),
            },
        )?;
        let row = accounts::find(conn, id)?.ok_or_else(|| ApiError::not_found("account"))?;
        account_view(&row, None)
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedStaffAccount {
        account,
        activation_token: token,
        activation_expires_at: expires_at,
    }))
}
