//! The training catalogue of the schools and AXA organisations.

use crate::routes::body;
use crate::routes::extract::{Json, Query};
use actix_web::http::header::LOCATION;
use actix_web::{get, patch, post, web, HttpResponse};

use crate::app::trainings::{self as app, Training, TrainingQuery};
use crate::app::AppState;
use crate::auth::Caller;
use crate::domain::training::{TrainingDraft, TrainingPatch};
use crate::error::{ApiError, Problem};
use crate::pagination::Page;

/// Add a training to the catalogue.
///
/// School staff add their school's, recruiters their organisation's (naming
/// another provider is 403); admins name exactly one of `school_id` and
/// `organisation_id`. Skills by slug or alias. Rules, each a 422 naming the
/// field: titles of 3 to 200 characters, 1 to 30 skills each once at level 1
/// to 5, 1 to 5,000 hours, 1 to 10,000 seats, at most 12 distinct start
/// dates, an `https://` link.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    request_body = TrainingDraft,
    responses(
        (status = 201, description = "The training", body = Training, headers(("Location" = String, description = "The training's URL"))),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the provider, nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("")]
pub async fn create_training(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TrainingDraft>,
) -> Result<HttpResponse, ApiError> {
    let training = app::create_training(&state, caller, body.into_inner()).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((LOCATION, format!("/api/v1/trainings/{}", training.id)));
    Ok(body::json(created, &training))
}

/// List the catalogue, by id.
///
/// Any signed-in user. `skill` finds trainings teaching that skill or a
/// narrower one of the taxonomy.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(TrainingQuery),
    responses(
        (status = 200, description = "A page of trainings", body = Page<Training>),
        (status = 400, description = "Invalid parameters (an unknown skill among them)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
pub async fn list_trainings(
    state: web::Data<AppState>,
    _caller: Caller,
    query: Query<TrainingQuery>,
) -> Result<body::Json<Page<Training>>, ApiError> {
    Ok(body::Json(app::list_trainings(&state, query.into_inner()).await?))
}

/// One training.
///
/// Any signed-in user.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training id")),
    responses(
        (status = 200, description = "The training", body = Training),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{id}")]
pub async fn get_training(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<i64>,
) -> Result<body::Json<Training>, ApiError> {
    Ok(body::Json(app::get_training(&state, id.into_inner()).await?))
}

/// Change a training.
///
/// Admins and the provider's own staff (school staff of its school,
/// recruiters of its organisation); the provider itself does not change.
/// Absent fields are kept; `skills` replaces the list; the rules of creation apply.
#[utoipa::path(
    tag = "trainings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training id")),
    request_body = TrainingPatch,
    responses(
        (status = 200, description = "The training", body = Training),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of the provider, nor an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/{id}")]
pub async fn patch_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: Json<TrainingPatch>,
) -> Result<body::Json<Training>, ApiError> {
    Ok(body::Json(app::patch_training(&state, caller, id.into_inner(), body.into_inner()).await?))
}
