//! Public reference data: the skill taxonomy, the participating schools and
//! the AXA organisations. No token needed.

use serde::Serialize;
use utoipa::ToSchema;

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
    #[schema(value_type = crate::domain::SkillDomain, example = "devops")]
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
    #[schema(value_type = crate::domain::SchoolKind, example = "engineering_school")]
    pub kind: String,
    /// Postal address as the agreement prints it; absent until an admin gives it.
    #[schema(example = "12, rue de l'Exemple, 20250 Casablanca")]
    pub postal_address: Option<String>,
}

impl From<SchoolRow> for School {
    fn from(row: SchoolRow) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            city: row.city,
            kind: row.kind,
            postal_address: row.postal_address,
        }
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

/// A page of the skill taxonomy, ordered by slug.
pub async fn list_skills(
    state: &AppState,
    q: Option<String>,
    domain: Option<String>,
    page: PageQuery,
) -> Result<Page<Skill>, ApiError> {
    let scope = format!("skills {:?}", (&q, &domain));
    let filter = SkillFilter { q, domain };
    let (limit, after) = (page.limit()?, page.after::<String>(&state.cursors, &scope)?);
    let rows =
        crate::db::run(&state.pool, move |conn| Ok(reference::list_skills(conn, &filter, after, limit)?)).await?;
    Ok(Page::from_rows(rows, limit, &state.cursors, &scope, |s| s.skill.slug.clone(), Skill::from))
}

/// One skill, by slug or alias.
pub async fn get_skill(state: &AppState, slug: String) -> Result<Skill, ApiError> {
    let detail = crate::db::run(&state.pool, move |conn| Ok(reference::find_skill(conn, &slug)?)).await?;
    detail.map(Skill::from).ok_or_else(|| ApiError::not_found("skill"))
}

/// A page of the participating schools, ordered by code.
pub async fn list_schools(state: &AppState, page: PageQuery) -> Result<Page<School>, ApiError> {
    let (limit, after) = (page.limit()?, page.after::<String>(&state.cursors, "schools")?);
    let rows = crate::db::run(&state.pool, move |conn| Ok(reference::list_schools(conn, after, limit)?)).await?;
    Ok(Page::from_rows(rows, limit, &state.cursors, "schools", |s| s.code.clone(), School::from))
}

/// A page of the AXA organisations, ordered by code.
pub async fn list_organisations(state: &AppState, page: PageQuery) -> Result<Page<Organisation>, ApiError> {
    let (limit, after) = (page.limit()?, page.after::<String>(&state.cursors, "organisations")?);
    let rows = crate::db::run(&state.pool, move |conn| Ok(reference::list_organisations(conn, after, limit)?)).await?;
    Ok(Page::from_rows(rows, limit, &state.cursors, "organisations", |o| o.code.clone(), Organisation::from))
}
