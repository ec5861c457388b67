//! Matching: ranked offers for a student, ranked candidates for an offer, and
//! the score of one pair with what is met and missing.

use crate::routes::extract::Query;
use actix_web::{get, web};

use crate::app::matches::{self as app, Match, MatchQuery};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::pagination::validate_limit;
use crate::routes::responses::{NotOfferRecruiter, OfferNotFound, StudentNotFound};

fn limit_of(query: &MatchQuery) -> Result<usize, ApiError> {
    Ok(usize::try_from(validate_limit(query.limit, 20, 100)?).unwrap_or(20))
}

/// Open offers ranked for a student, eligible ones only, each with its explanation.
///
/// The student, staff of their school and admins; others get 404. A reading
/// by school staff is listed to the student (`GET /students/{id}/profile-views`).
#[utoipa::path(
    tag = "matching",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id"), MatchQuery),
    responses(
        (status = 200, description = "Ranked offers", body = Vec<Match>),
        (status = 400, description = "Invalid limit", body = Problem, content_type = "application/problem+json"),
        StudentNotFound,
    )
)]
#[get("/students/{id}/matches")]
pub async fn offers_for_student(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<MatchQuery>,
) -> Result<web::Json<Vec<Match>>, ApiError> {
    let (id, limit) = (path.into_inner(), limit_of(&query)?);
    Ok(web::Json(app::offers_for_student(&state, caller, id, query.kind, limit).await?))
}

/// Eligible candidates ranked for an offer: students who consented to be
/// discoverable, or who applied to it, each with the explanation.
///
/// Recruiters of the offer's organisation and admins; other callers who can
/// see the offer get 403, others 404. Each candidate ranked for a recruiter
/// learns it (`GET /students/{id}/profile-views`).
#[utoipa::path(
    tag = "matching",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Offer id"), MatchQuery),
    responses(
        (status = 200, description = "Ranked candidates", body = Vec<Match>),
        NotOfferRecruiter,
        OfferNotFound,
    )
)]
#[get("/offers/{id}/matches")]
pub async fn candidates_for_offer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<MatchQuery>,
) -> Result<web::Json<Vec<Match>>, ApiError> {
    let (id, limit) = (path.into_inner(), limit_of(&query)?);
    Ok(web::Json(app::candidates_for_offer(&state, caller, id, limit).await?))
}

/// The score and explanation of one offer for a student, eligible or not: the
/// gap view, showing what is met and what is missing.
///
/// The student, staff of their school and admins, for an offer they can see;
/// others get 404. A reading by school staff is listed to the student.
#[utoipa::path(
    tag = "matching",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id"), ("offer_id" = i64, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The scored pair", body = Match),
        (status = 404, description = "No such student or offer visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/students/{id}/matches/{offer_id}")]
pub async fn explain_pair(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<web::Json<Match>, ApiError> {
    let (id, offer_id) = path.into_inner();
    Ok(web::Json(app::explain_pair(&state, caller, id, offer_id).await?))
}
