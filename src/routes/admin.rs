//! Operator endpoints: staff accounts.

use crate::routes::body;
use crate::routes::extract::Json;
use actix_web::{patch, post, web, HttpResponse};
use serde::Serialize;

use crate::app::accounts::{account_view, Account};
use crate::app::admin::{
    self as app, ActivationToken, CreatedStaffAccount, NewAlias, NewOrganisation, NewSchool, NewSkill, NewStaffAccount,
    OrganisationPatch, SchoolPatch, SkillPatch,
};
use crate::app::reference::{Organisation, School, Skill};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::responses::{AccountNotFound, CodeTaken, InvalidFields, NotAdmin, SchoolNotFound, SkillNotFound};

/// Create a recruiter, school staff, committee or admin account.
///
/// Admins only. No e-mail is sent: the answer carries the one-time activation token.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewStaffAccount,
    responses(
        (status = 201, description = "Account created, waiting for activation", body = CreatedStaffAccount),
        NotAdmin,
        (status = 409, description = "The e-mail is taken", body = Problem, content_type = "application/problem+json"),
        InvalidFields,
    )
)]
#[post("/accounts")]
pub async fn create_staff_account(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewStaffAccount>,
) -> Result<HttpResponse, ApiError> {
    Ok(body::json(HttpResponse::Created(), &app::create_staff_account(&state, caller, body.into_inner()).await?))
}

fn created<T: Serialize>(body: T) -> HttpResponse {
    body::json(HttpResponse::Created(), &body)
}

/// Add a participating school.
///
/// Admins only.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewSchool,
    responses(
        (status = 201, description = "Added", body = School),
        NotAdmin,
        CodeTaken,
        InvalidFields,
    )
)]
#[post("/schools")]
pub async fn create_school(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewSchool>,
) -> Result<HttpResponse, ApiError> {
    Ok(created(app::create_school(&state, caller, body.into_inner()).await?))
}

/// Rename a school or change its city or kind.
///
/// Admins only.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "School id")),
    request_body = SchoolPatch,
    responses(
        (status = 200, description = "Changed", body = School),
        NotAdmin,
        SchoolNotFound,
        InvalidFields,
    )
)]
#[patch("/schools/{id}")]
pub async fn patch_school(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<SchoolPatch>,
) -> Result<body::Json<School>, ApiError> {
    Ok(body::Json(app::patch_school(&state, caller, path.into_inner(), body.into_inner()).await?))
}

/// Add an AXA organisation.
///
/// Admins only.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewOrganisation,
    responses(
        (status = 201, description = "Added", body = Organisation),
        NotAdmin,
        CodeTaken,
        InvalidFields,
    )
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewOrganisation>,
) -> Result<HttpResponse, ApiError> {
    Ok(created(app::create_organisation(&state, caller, body.into_inner()).await?))
}

/// Rename an organisation or change its city.
///
/// Admins only.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    request_body = OrganisationPatch,
    responses(
        (status = 200, description = "Changed", body = Organisation),
        NotAdmin,
        (status = 404, description = "No such organisation", body = Problem, content_type = "application/problem+json"),
        InvalidFields,
    )
)]
#[patch("/organisations/{id}")]
pub async fn patch_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<OrganisationPatch>,
) -> Result<body::Json<Organisation>, ApiError> {
    Ok(body::Json(app::patch_organisation(&state, caller, path.into_inner(), body.into_inner()).await?))
}

/// Add a skill to the taxonomy.
///
/// Admins only. The slug and aliases must not name another skill (409); a
/// parent must exist (422).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewSkill,
    responses(
        (status = 201, description = "Added", body = Skill),
        NotAdmin,
        (status = 409, description = "The slug or an alias is taken", body = Problem, content_type = "application/problem+json"),
        InvalidFields,
    )
)]
#[post("/skills")]
pub async fn create_skill(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewSkill>,
) -> Result<HttpResponse, ApiError> {
    Ok(created(app::create_skill(&state, caller, body.into_inner()).await?))
}

/// Change a skill's labels, domain or parent.
///
/// Admins only. A parent that would close a loop (the skill itself or one of
/// its descendants) is refused with 422 on `parent`.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Slug or alias of the skill")),
    request_body = SkillPatch,
    responses(
        (status = 200, description = "Changed", body = Skill),
        NotAdmin,
        SkillNotFound,
        (status = 422, description = "Invalid fields or a parent loop", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/skills/{slug}")]
pub async fn patch_skill(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<SkillPatch>,
) -> Result<body::Json<Skill>, ApiError> {
    Ok(body::Json(app::patch_skill(&state, caller, path.into_inner(), body.into_inner()).await?))
}

/// Add an alias to a skill: wherever skills are given, the alias then names it.
///
/// Admins only. An alias that already names a skill is refused (409).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Slug or alias of the skill")),
    request_body = NewAlias,
    responses(
        (status = 201, description = "Added", body = Skill),
        NotAdmin,
        SkillNotFound,
        (status = 409, description = "The alias names a skill already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid alias", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/skills/{slug}/aliases")]
pub async fn add_skill_alias(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<NewAlias>,
) -> Result<HttpResponse, ApiError> {
    Ok(created(app::add_skill_alias(&state, caller, path.into_inner(), body.into_inner()).await?))
}

/// Issue a new activation token for a staff account that has not set its
/// password yet (the first one was lost or expired).
///
/// Admins only. An account already activated is refused (409).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 201, description = "A new token", body = ActivationToken),
        NotAdmin,
        AccountNotFound,
        (status = 409, description = "Already activated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{id}/activation")]
pub async fn reissue_activation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(created(app::reissue_activation(&state, caller, path.into_inner()).await?))
}
/// Disable an account: it can no longer sign in, and every token it holds is
/// refused from the next request on, on every server process.
///
/// Admins only; an admin cannot disable their own account (409), so that the
/// last admin cannot lock everyone out by mistake. Disabling a disabled
/// account changes nothing. There is no re-enabling: a person coming back gets
/// a new staff account, a student activates again from the roster.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, description = "Disabled", body = Account),
        NotAdmin,
        AccountNotFound,
        (status = 409, description = "The caller's own account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{id}/disable")]
pub async fn disable_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<Account>, ApiError> {
    let (row, student_id) = crate::app::sessions::disable_account(&state, caller, path.into_inner()).await?;
    Ok(body::Json(account_view(&row, student_id)?))
}
