//! Student profiles, skills and consents, and the school's student list.

use crate::routes::body;
use crate::routes::extract::{Json, Query};
use actix_web::{get, patch, put, web, HttpRequest, HttpResponse};

use crate::app::alerts::{self as alerts, AlertSettings, OfferAlerts};
use crate::app::memo::Serialised;
use crate::app::students::{self as app, ProfilePatch, SkillSet, StudentProfile, StudentQuery};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::pagination::Page;
use crate::routes::precondition::{if_match_of, tagged_json};
use crate::routes::responses::{
    ChangedSinceRead, IfMatchMissing, InvalidFields, InvalidParameters, NotTheStudent, StudentNotFound,
};

fn answer((version, profile): (i64, Serialised)) -> HttpResponse {
    tagged_json(HttpResponse::Ok(), version, &profile)
}

/// A student's profile.
///
/// The student, staff of their school and admins see all of it; a recruiter
/// sees the professional view, and only of a student who is discoverable or
/// applied to their organisation. Anyone else gets 404. The `ETag` is needed
/// to change it. Each reading by a recruiter or school staff is recorded and
/// listed to the student (`GET /students/{id}/profile-views`).
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    responses(
        (status = 200, description = "The profile", body = StudentProfile, headers(("ETag" = String, description = "Version, for If-Match"))),
        StudentNotFound,
    )
)]
#[get("")]
pub async fn get_student(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    Ok(answer(app::get_student(&state, caller, path.into_inner()).await?))
}

/// The signed-in student's own profile.
///
/// Students only.
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = StudentProfile, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 404, description = "The caller is not a student", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/profile")]
pub async fn my_profile(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(answer(app::my_profile(&state, caller).await?))
}

/// Change a student's profile.
///
/// The student only. Needs `If-Match` with the profile's `ETag` (428 without
/// it, 412 when someone changed the profile since).
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id"), ("If-Match" = String, Header, description = "The ETag read")),
    request_body = ProfilePatch,
    responses(
        (status = 200, description = "The updated profile", body = StudentProfile, headers(("ETag" = String, description = "New version"))),
        NotTheStudent,
        StudentNotFound,
        ChangedSinceRead,
        InvalidFields,
        IfMatchMissing,
    )
)]
#[patch("")]
pub async fn patch_student(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: Json<ProfilePatch>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_of(&request);
    Ok(answer(app::patch_student(&state, caller, path.into_inner(), body.into_inner(), if_match).await?))
}

/// Replace a student's skills.
///
/// The student only. Skills are given by slug or alias and stored by their
/// canonical skill; unknown skills are a 422 naming each one, with close
/// matches suggested. `If-Match` is optional here; when sent, it must match.
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    request_body = SkillSet,
    responses(
        (status = 200, description = "The updated profile", body = StudentProfile, headers(("ETag" = String, description = "New version, for If-Match"))),
        NotTheStudent,
        StudentNotFound,
        ChangedSinceRead,
        (status = 422, description = "Unknown skills, bad levels, duplicates or more than 60", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/skills")]
pub async fn put_skills(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: Json<SkillSet>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_of(&request);
    Ok(answer(app::put_skills(&state, caller, path.into_inner(), body.into_inner().skills, if_match).await?))
}

/// List students.
///
/// School staff see their own school's students; admins see every school's
/// (optionally one with `school_id`). Others get 403. Each student listed to
/// school staff learns it (`GET /students/{id}/profile-views`).
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(StudentQuery),
    responses(
        (status = 200, description = "A page of students", body = Page<StudentProfile>),
        InvalidParameters,
        (status = 403, description = "Not school staff or admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
pub async fn list_students(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<StudentQuery>,
) -> Result<body::Json<Page<StudentProfile>>, ApiError> {
    Ok(body::Json(app::list_students(&state, caller, query.into_inner()).await?))
}

/// A student's offer alerts.
///
/// The student only: who sees the student gets 403, anyone else 404. Never
/// set, they read as disabled.
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    responses(
        (status = 200, description = "The alerts as set", body = OfferAlerts),
        NotTheStudent,
        StudentNotFound,
    )
)]
#[get("/alerts")]
pub async fn get_alerts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<OfferAlerts>, ApiError> {
    Ok(body::Json(alerts::get_alerts(&state, caller, path.into_inner()).await?))
}

/// Set a student's offer alerts.
///
/// The student only: who sees the student gets 403, anyone else 404. The
/// whole set is replaced. When an offer is published, or an open offer is
/// edited, each opted-in student it makes eligible with at least `min_score`,
/// of one of `kinds`, is announced once per offer to the partner portal named
/// by an `alert.matching_offer` webhook event. `portal` must name a partner
/// portal's subscription (422 naming `portal` otherwise).
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    request_body = AlertSettings,
    responses(
        (status = 200, description = "The alerts as stored", body = OfferAlerts),
        NotTheStudent,
        StudentNotFound,
        InvalidFields,
    )
)]
#[put("/alerts")]
pub async fn put_alerts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<AlertSettings>,
) -> Result<body::Json<OfferAlerts>, ApiError> {
    Ok(body::Json(alerts::put_alerts(&state, caller, path.into_inner(), body.into_inner()).await?))
}
