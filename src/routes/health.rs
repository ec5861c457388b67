//! Liveness and readiness probes for the load balancer and the orchestrator.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::ApiError;
use crate::routes::body;

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// The process is up. It never touches the database.
///
/// Anyone may call it.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive", body = Health)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    body::json(HttpResponse::Ok(), &Health { status: "ok".into() })
}

/// The service can answer requests: the database answers a query.
///
/// Answers 503 while the database is unreachable and 200 again once it is
/// back, without a restart. Anyone may call it.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    crate::app::health::ready(&state).await?;
    Ok(body::json(HttpResponse::Ok(), &Health { status: "ok".into() }))
}
