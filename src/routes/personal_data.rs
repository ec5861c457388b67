//! A student's rights over their personal data under Morocco's law 09-08:
//! access to everything held (export), knowing who read the profile, and
//! erasure.

use crate::routes::body;
use crate::routes::extract::Query;
use actix_web::{delete, get, web, HttpResponse};

use crate::app::personal_data::{self as app, PersonalDataExport, ProfileView};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageQuery};
use crate::routes::responses::{InvalidParameters, NeitherStudentNorAdmin, StudentNotFound};

/// Everything held about a student (right of access, law 09-08).
///
/// The student themselves, or an admin. Staff of the student's school and
/// recruiters who can see the profile get 403; anyone who cannot see the
/// student gets 404. Holds the roster fields, the profile, skills, every
/// consent given or withdrawn, every application with its history, every
/// placement with each agreement version, its signatures and its documents
/// (hash and download link of each PDF, rather than the bytes), and who read the
/// profile.
#[utoipa::path(
    tag = "personal data",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    responses(
        (status = 200, description = "Everything held about the student", body = PersonalDataExport),
        NeitherStudentNorAdmin,
        StudentNotFound,
    )
)]
#[get("/export")]
pub async fn export_student(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<PersonalDataExport>, ApiError> {
    Ok(body::Json(app::export_student(&state, caller, path.into_inner()).await?))
}

/// Who read a student's profile.
///
/// The student themselves, or an admin (others as for the export: 403 when
/// they see the student, 404 otherwise). Every reading of the student's data
/// by a recruiter or a member of school staff is listed, oldest first: the
/// profile (`GET /students/{id}`), a list of students showing it
/// (`GET /students`), the ranked candidates of an offer naming the student
/// (`GET /offers/{id}/matches`), the offers ranked for the student and one
/// offer's score (`GET /students/{id}/matches`, `.../matches/{offer_id}`).
#[utoipa::path(
    tag = "personal data",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id"), PageQuery),
    responses(
        (status = 200, description = "A page of readings", body = Page<ProfileView>),
        InvalidParameters,
        NeitherStudentNorAdmin,
        StudentNotFound,
    )
)]
#[get("/profile-views")]
pub async fn list_profile_views(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<PageQuery>,
) -> Result<body::Json<Page<ProfileView>>, ApiError> {
    Ok(body::Json(app::list_profile_views(&state, caller, path.into_inner(), query.into_inner()).await?))
}

/// Erase a student's personal data (right to erasure, law 09-08).
///
/// The student themselves, or an admin (others as for the export: 403 when
/// they see the student, 404 otherwise). In one transaction: names, e-mail,
/// student number, bio, links, cities, languages, availability, cover letters,
/// the applications' `source`, application notes, termination reasons and the
/// tutor and referent names of agreements are overwritten; the stored PDFs
/// of the agreements are erased (their SHA-256 kept, so that a copy a party
/// filed can still be checked); consents and profile readings are deleted; the account is disabled, its e-mail
/// anonymised and its password removed. Every access and refresh token of the
/// student is revoked: refused (401) from the next request on, by every
/// server process. On SQLite, deleted content is overwritten in the database
/// file too (secure delete), so the old e-mail and password hash do not stay
/// in its free space.
///
/// What is kept, and why: the convention's follow-up committee and the
/// schools evaluate placement rates and the skills gap, and a report must not
/// change because a student left. So the facts those reports count are kept,
/// attached to no name, e-mail or number: the student's school, programme,
/// degree level, cohort, `seeking` flag, wanted kinds and skills, the
/// applications' offers, statuses and dates, and the placements with their
/// dates, signatures and document hashes. Reports computed before and after the erasure are
/// the same. The student then no longer exists for the API (404).
#[utoipa::path(
    tag = "personal data",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id")),
    responses(
        (status = 204, description = "Erased"),
        NeitherStudentNorAdmin,
        (status = 404, description = "No such student visible to the caller, or erased already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("")]
pub async fn erase_student(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    app::erase_student(&state, caller, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
