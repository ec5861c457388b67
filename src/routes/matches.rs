//! Matching: ranked offers for a student, ranked candidates for an offer, and
//! the score of one pair with what is met and missing.

use crate::routes::body;
use crate::routes::extract::Query;
use actix_web::{get, web};

use crate::app::matches::{self as app, Match, MatchQuery, StudentMatchQuery};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::pagination::validate_limit;
use crate::routes::responses::{NotOfferRecruiter, OfferNotFound, StudentNotFound};

fn limit_of(limit: Option<i64>) -> Result<usize, ApiError> {
    Ok(usize::try_from(validate_limit(limit, 20, 100)?).unwrap_or(20))
}

/// Open offers ranked for a student, eligible ones only, each with its explanation.
///
/// With `include=near_misses`, the eligible offers are followed by the near
/// misses: open offers the student would be eligible for with at most two
/// required skills more, or one level more on a held required skill, every
/// other rule (kind, dates, degree, city) being met. Each has `eligible:
/// false`, its explanation, `near_miss` (the score once the gaps are closed
/// and the gain) and `suggested_trainings`: per gap, the trainings of the
/// catalogue teaching the skill, or a narrower one, up to the required level.
/// They are ranked by gain, largest first, at most `limit` of them. Without
/// `include` the answer holds the eligible offers only.
///
/// The student, staff of their school and admins; others get 404. A reading
/// by school staff is listed to the student (`GET /students/{id}/profile-views`).
#[utoipa::path(
    tag = "matching",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Student id"), StudentMatchQuery),
    responses(
        (status = 200, description = "Ranked offers, then near misses when asked", body = Vec<Match>),
        (status = 400, description = "Invalid limit", body = Problem, content_type = "application/problem+json"),
        StudentNotFound,
    )
)]
#[get("/matches")]
pub async fn offers_for_student(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<StudentMatchQuery>,
) -> Result<body::Json<Vec<Match>>, ApiError> {
    let (id, limit) = (path.into_inner(), limit_of(query.limit)?);
    Ok(body::Json(app::offers_for_student(&state, caller, id, query.kind, limit, query.include).await?))
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
#[get("/matches")]
pub async fn candidates_for_offer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<MatchQuery>,
) -> Result<body::Json<Vec<Match>>, ApiError> {
    let (id, limit) = (path.into_inner(), limit_of(query.limit)?);
    Ok(body::Json(app::candidates_for_offer(&state, caller, id, limit).await?))
}

/// The score and explanation of one offer for a student, eligible or not: the
/// gap view, showing what is met and what is missing. `suggested_trainings`
/// lists every skill missing or held below its level, required ones first,
/// each with the trainings of the catalogue teaching it, or a narrower one,
/// up to the level asked.
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
#[get("/matches/{offer_id}")]
pub async fn explain_pair(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<body::Json<Match>, ApiError> {
    let (id, offer_id) = path.into_inner();
    Ok(body::Json(app::explain_pair(&state, caller, id, offer_id).await?))
}
