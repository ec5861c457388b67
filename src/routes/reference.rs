//! Public reference data: the skill taxonomy, the participating schools and
//! the AXA organisations. No token needed.

use crate::routes::body;
use crate::routes::extract::Query;
use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::reference::{self, Organisation, School, Skill};
use crate::app::AppState;
use crate::error::ApiError;
use crate::pagination::{Page, PageQuery};
use crate::routes::responses::{InvalidParameters, SkillNotFound};

/// Filters of the skill list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SkillQuery {
    /// Matches slugs, French and English labels and aliases, accents and case ignored (`k8s` finds
    /// Kubernetes, `securite` Sécurité).
    #[param(example = "python")]
    pub q: Option<String>,
    /// Only skills of this domain.
    #[param(example = "data")]
    pub domain: Option<String>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// List the skill taxonomy, ordered by slug.
///
/// Anyone may call it, without a token.
#[utoipa::path(
    tag = "reference",
    params(SkillQuery),
    responses(
        (status = 200, description = "A page of skills", body = Page<Skill>),
        InvalidParameters,
    )
)]
#[get("")]
pub async fn list_skills(
    state: web::Data<AppState>,
    query: Query<SkillQuery>,
) -> Result<body::Json<Page<Skill>>, ApiError> {
    let query = query.into_inner();
    let page = PageQuery { limit: query.limit, cursor: query.cursor };
    Ok(body::Json(reference::list_skills(&state, query.q, query.domain, page).await?))
}

/// One skill, by slug or alias.
///
/// Anyone may call it, without a token.
#[utoipa::path(
    tag = "reference",
    params(("slug" = String, Path, description = "Slug or alias of the skill", example = "k8s")),
    responses(
        (status = 200, description = "The skill", body = Skill),
        SkillNotFound,
    )
)]
#[get("/{slug}")]
pub async fn get_skill(state: web::Data<AppState>, slug: web::Path<String>) -> Result<body::Json<Skill>, ApiError> {
    Ok(body::Json(reference::get_skill(&state, slug.into_inner()).await?))
}

/// List the participating schools, ordered by code.
///
/// Anyone may call it, without a token.
#[utoipa::path(
    tag = "reference",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of schools", body = Page<School>),
        InvalidParameters,
    )
)]
#[get("")]
pub async fn list_schools(
    state: web::Data<AppState>,
    page: Query<PageQuery>,
) -> Result<body::Json<Page<School>>, ApiError> {
    Ok(body::Json(reference::list_schools(&state, page.into_inner()).await?))
}

/// List the AXA organisations, ordered by code.
///
/// Anyone may call it, without a token.
#[utoipa::path(
    tag = "reference",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of organisations", body = Page<Organisation>),
        InvalidParameters,
    )
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    page: Query<PageQuery>,
) -> Result<body::Json<Page<Organisation>>, ApiError> {
    Ok(body::Json(reference::list_organisations(&state, page.into_inner()).await?))
}
