//! Skill suggestions from free text, to pre-fill an offer's requirements or a
//! student's skills. Nothing is saved.

use crate::routes::body;
use crate::routes::extract::Json;
use actix_web::{post, web};

use crate::app::skills::{self as app, SkillSuggestions, SuggestionRequest};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};

/// Find the taxonomy skills a text names.
///
/// Any signed-in user (a recruiter drafting an offer, a student pasting a CV
/// summary). Labels in French and English, slugs and aliases (`k8s`,
/// `apprentissage automatique`) are found case- and accent-blind on word
/// boundaries; names of a single letter are not ("R language" is, "R" alone
/// is not). Positions count Unicode characters. Suggestions only: nothing is
/// saved. Rules, each a 422 naming the field: a title of at most 300
/// characters, a description of at most 20,000, not both empty.
#[utoipa::path(
    tag = "skills",
    security(("bearer" = [])),
    request_body = SuggestionRequest,
    responses(
        (status = 200, description = "The skills found, in the order they are first named", body = SkillSuggestions),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/skill-suggestions")]
pub async fn suggest_skills(
    state: web::Data<AppState>,
    _caller: Caller,
    body: Json<SuggestionRequest>,
) -> Result<body::Json<SkillSuggestions>, ApiError> {
    Ok(body::Json(app::suggest_skills(&state, &body.into_inner())?))
}
