//! Public reference data: the skill taxonomy, the participating schools and
//! the AXA organisations. No token needed.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::error::ApiError;
use crate::pagination::{Page, PageQuery};
use crate::store::reference::{self, OrganisationRow, SchoolRow, SkillDetail, SkillFilter};

/// A skill of the curated taxonomy.
#[derive(Debug, Serialize, ToSchema)]
pub struct Skill {
    /// Stable identifier, used everywhere a skill is named.
    #[schema(example = "kubernetes")]
    pub slug: String,
    #[schema(example = "Kubernetes")]
    pub label_fr: String,
    #[schema(example = "Kubernetes")]
    pub label_en: String,
    /// One of cybersecurity, data, ai, cloud, devops, testing, software_engineering, transversal, languages.
    #[schema(example = "devops")]
    pub domain: String,
    /// The broader skill this one counts for in matching.
    #[schema(example = "container-orchestration")]
    pub parent: Option<String>,
    /// Other names accepted wherever a skill is given.
    #[schema(example = json!(["k8s"]))]
    pub aliases: Vec<String>,
}

impl From<SkillDetail> for Skill {
    fn from(detail: SkillDetail) -> Self {
        Self {
            slug: detail.skill.slug,
            label_fr: detail.skill.label_fr,
            label_en: detail.skill.label_en,
            domain: detail.skill.domain,
            parent: detail.parent_slug,
            aliases: detail.aliases,
        }
    }
}

/// A school taking part in the convention.
#[derive(Debug, Serialize, ToSchema)]
pub struct School {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "ECC")]
    pub code: String,
    #[schema(example = "École Centrale Casablanca")]
    pub name: String,
    #[schema(example = "Casablanca")]
    pub city: String,
    /// engineering_school, business_school, university or institute.
    #[schema(example = "engineering_school")]
    pub kind: String,
}

impl From<SchoolRow> for School {
    fn from(row: SchoolRow) -> Self {
        Self { id: row.id, code: row.code, name: row.name, city: row.city, kind: row.kind }
    }
}

/// An AXA organisation that posts offers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organisation {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "AXA-GO")]
    pub code: String,
    #[schema(example = "AXA Assurance Maroc")]
    pub name: String,
    #[schema(example = "Casablanca")]
    pub city: String,
}

impl From<OrganisationRow> for Organisation {
    fn from(row: OrganisationRow) -> Self {
        Self { id: row.id, code: row.code, name: row.name, city: row.city }
    }
}

/// Filters of the skill list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SkillQuery {
    /// Matches slugs, French and English labels and aliases, case-insensitively (`k8s` finds Kubernetes).
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
        (status = 400, description = "Invalid limit or cursor", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/skills")]
pub async fn list_skills(
    state: web::Data<AppState>,
    query: web::Query<SkillQuery>,
) -> Result<web::Json<Page<Skill>>, ApiError> {
    let query = query.into_inner();
    let page = PageQuery { limit: query.limit, cursor: query.cursor };
    let (limit, after) = (page.limit()?, page.after::<String>()?);
    let filter = SkillFilter { q: query.q, domain: query.domain };
    let rows =
        crate::db::run(&state.pool, move |conn| Ok(reference::list_skills(conn, &filter, after, limit)?)).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |s| s.skill.slug.clone(), Skill::from)))
}

/// One skill, by slug or alias.
///
/// Anyone may call it, without a token.
#[utoipa::path(
    tag = "reference",
    params(("slug" = String, Path, description = "Slug or alias of the skill", example = "k8s")),
    responses(
        (status = 200, description = "The skill", body = Skill),
        (status = 404, description = "No such skill", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/skills/{slug}")]
pub async fn get_skill(state: web::Data<AppState>, slug: web::Path<String>) -> Result<web::Json<Skill>, ApiError> {
    let slug = slug.into_inner();
    let detail = crate::db::run(&state.pool, move |conn| Ok(reference::find_skill(conn, &slug)?)).await?;
    detail.map(|d| web::Json(d.into())).ok_or_else(|| ApiError::not_found("skill"))
}

/// List the participating schools, ordered by code.
///
/// Anyone may call it, without a token.
#[utoipa::path(
    tag = "reference",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of schools", body = Page<School>),
        (status = 400, description = "Invalid limit or cursor", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/schools")]
pub async fn list_schools(
    state: web::Data<AppState>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<School>>, ApiError> {
    let (limit, after) = (page.limit()?, page.after::<String>()?);
    let rows = crate::db::run(&state.pool, move |conn| Ok(reference::list_schools(conn, after, limit)?)).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |s| s.code.clone(), School::from)))
}

/// List the AXA organisations, ordered by code.
///
/// Anyone may call it, without a token.
#[utoipa::path(
    tag = "reference",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of organisations", body = Page<Organisation>),
        (status = 400, description = "Invalid limit or cursor", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<Organisation>>, ApiError> {
    let (limit, after) = (page.limit()?, page.after::<String>()?);
    let rows = crate::db::run(&state.pool, move |conn| Ok(reference::list_organisations(conn, after, limit)?)).await?;
    Ok(web::Json(Page::from_rows(rows, limit, |o| o.code.clone(), Organisation::from)))
}
