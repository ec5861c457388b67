//! Applications: a student applies to an open offer, the recruiting side moves
//! the application along, the student answers an offer; accepting takes one of
//! the offer's positions and opens the placement.

use crate::routes::body;
use crate::routes::extract::{Json, Query};
use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use crate::app::applications::{
    self as app, Application, ApplicationDraft, ApplicationEvent, ApplicationQuery, Reply, Transition,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::pagination::Page;
use crate::routes::precondition::conditional_json;
use crate::routes::responses::{
    ApplicationNotFound, InvalidFields, InvalidParameters, NotModified, ReadsNoApplications,
};

/// The reply as sent the first time, with the application's `Location`.
fn answer(reply: Reply) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.insert_header((CONTENT_TYPE, "application/json"));
    if let Some(location) = location_of(&reply.body) {
        response.insert_header((LOCATION, location));
    }
    response.body(reply.body)
}

/// Apply to an offer.
///
/// Students only, for themselves. The offer must be open and its deadline not
/// passed (409), and visible to the student (404); one application per
/// student and offer (409). The match score and its explanation are recorded
/// as they are at the time of applying.
///
/// `Idempotency-Key` is required (400 without): repeating the request with the
/// same key and body answers what the first one answered; the same key with
/// another body is 422; a repeat while the first is still being processed is
/// 409. A request that failed leaves its key free for a corrected retry.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Offer id"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$",
            description = "1 to 200 visible ASCII characters (no spaces), unique per request of this account"),
    ),
    request_body = ApplicationDraft,
    responses(
        (status = 201, description = "The application", body = Application, headers(("Location" = String, description = "The application's URL"))),
        (status = 400, description = "Idempotency-Key missing or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a student", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such offer visible to the student", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already applied, offer not open, deadline passed, or the same request still in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/applications")]
pub async fn create_application(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: Json<ApplicationDraft>,
) -> Result<HttpResponse, ApiError> {
    // An unreadable header counts as an empty key.
    let key = request.headers().get("idempotency-key").map(|v| v.to_str().unwrap_or_default().to_owned());
    let reply = app::create_application(&state, caller, path.into_inner(), body.into_inner(), key).await?;
    Ok(answer(reply))
}

fn location_of(body: &str) -> Option<String> {
    /// The one field read: the others are skipped, not built into a tree
    /// (that tree cost 27,000 instructions, 4 % of an application).
    #[derive(serde::Deserialize)]
    struct Named {
        id: i64,
    }
    let Named { id } = serde_json::from_str(body).ok()?;
    Some(format!("/api/v1/applications/{id}"))
}

/// List applications, oldest first.
///
/// A student sees their own; a recruiter those to their organisation's
/// offers; school staff those of their school's students; admins all. The
/// committee reads aggregated reports only (403).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(ApplicationQuery),
    responses(
        (status = 200, description = "A page of applications", body = Page<Application>),
        InvalidParameters,
        ReadsNoApplications,
    )
)]
#[get("")]
pub async fn list_applications(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ApplicationQuery>,
) -> Result<body::Json<Page<Application>>, ApiError> {
    Ok(body::Json(app::list_applications(&state, caller, query.into_inner()).await?))
}

/// One application.
///
/// Visible to the student who applied, recruiters of the offer's organisation,
/// staff of the student's school and admins; others get 404, the committee 403.
/// The `ETag` names the version; sent back as `If-None-Match`, it answers 304
/// while the application has not changed.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Application id"),
        ("If-None-Match" = Option<String>, Header, description = "ETags already held: 304 when one is current (weak comparison, `*` for any)"),
    ),
    responses(
        (status = 200, description = "The application", body = Application, headers(("ETag" = String, description = "Version"))),
        NotModified,
        ReadsNoApplications,
        ApplicationNotFound,
    )
)]
#[get("")]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (version, application) = app::get_application(&state, caller, path.into_inner()).await?;
    Ok(conditional_json(&request, version, &application))
}

/// Move an application to another status.
///
/// The recruiting side (recruiters of the offer's organisation, and admins for
/// support) moves it forward through submitted → in_review → shortlisted →
/// interview → offered, skipping steps if it likes but never back, or rejects
/// it; the student who applied withdraws it, or answers an offer (accepted or
/// declined). A move that exists but is someone else's is 403, a move that
/// does not exist 409; both list the caller's own moves in `allowed`.
///
/// Accepting takes one of the offer's positions (409 when none is left; the
/// offer becomes filled with its last one) and opens the placement with its
/// agreement, all at once.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Application id")),
    request_body = Transition,
    responses(
        (status = 200, description = "The moved application", body = Application),
        (status = 403, description = "The move is someone else's; `allowed` lists the caller's", body = Problem, content_type = "application/problem+json"),
        ApplicationNotFound,
        (status = 409, description = "No such move (`allowed` lists the caller's), moved meanwhile, or no position left", body = Problem, content_type = "application/problem+json"),
        InvalidFields,
    )
)]
#[post("/transitions")]
pub async fn transition_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<Transition>,
) -> Result<body::Json<Application>, ApiError> {
    Ok(body::Json(app::transition_application(&state, caller, path.into_inner(), body.into_inner()).await?))
}

/// The history of an application, oldest first: who moved it, from what, to
/// what, when, and why.
///
/// Same visibility as the application.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Application id")),
    responses(
        (status = 200, description = "Every status change", body = Vec<ApplicationEvent>),
        ReadsNoApplications,
        ApplicationNotFound,
    )
)]
#[get("/events")]
pub async fn list_application_events(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<Vec<ApplicationEvent>>, ApiError> {
    Ok(body::Json(app::list_application_events(&state, caller, path.into_inner()).await?))
}
