//! The training catalogue: programmes, certificates and modules of the
//! schools and AXA organisations. Any signed-in user reads it; admins and the
//! provider's own staff write it.

use crate::domain::ViolationCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::skills::{resolve_skill_filter, resolve_skills};
use crate::app::AppState;
use crate::auth::policy::{self, TrainingProvider};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::training::{
    closing, validate_training, CatalogueTraining, TaughtSkill, TrainingDraft, TrainingKind, TrainingMode,
    TrainingPatch,
};
use crate::domain::Violation;
use crate::error::ApiError;
use crate::pagination::{paginate, Page, PageQuery};
use crate::store::taxonomy;
use crate::store::trainings::{self as store, TrainingFields, TrainingFilter, TrainingRecord};

/// Whether a provider is a school or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    School,
    Organisation,
}

/// Who offers a training.
#[derive(Debug, Serialize, ToSchema)]
pub struct Provider {
    pub kind: ProviderKind,
    /// The school's or the organisation's id.
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "AXA GO")]
    pub name: String,
}

/// A training of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Training {
    #[schema(example = 7)]
    pub id: i64,
    pub provider: Provider,
    pub kind: TrainingKind,
    #[schema(example = "Certificat Conteneurs et orchestration")]
    pub title_fr: String,
    #[schema(example = "Containers and orchestration certificate")]
    pub title_en: String,
    /// The skills it teaches by slug, with the level reached, by slug.
    pub skills: Vec<TaughtSkill>,
    #[schema(example = 60)]
    pub duration_hours: u32,
    pub mode: TrainingMode,
    /// Next sessions' first days, ascending.
    #[schema(example = json!(["2027-02-01"]))]
    pub start_dates: Vec<chrono::NaiveDate>,
    #[schema(example = 25)]
    pub seats: u32,
    #[schema(example = "https://formation.example.org/conteneurs")]
    pub link: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Filters of the training list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrainingQuery {
    /// Trainings teaching this skill or a narrower one: `machine-learning` finds a PyTorch module.
    #[param(example = "machine-learning")]
    pub skill: Option<String>,
    /// Trainings of this school.
    #[param(example = 1)]
    pub school_id: Option<i64>,
    /// Trainings of this organisation.
    #[param(example = 3)]
    pub organisation_id: Option<i64>,
    #[param(example = "online")]
    pub mode: Option<TrainingMode>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn provider_of(record: &TrainingRecord) -> Option<TrainingProvider> {
    match (record.row.school_id, record.row.organisation_id) {
        (Some(school), _) => Some(TrainingProvider::School(school)),
        (None, Some(organisation)) => Some(TrainingProvider::Organisation(organisation)),
        (None, None) => None,
    }
}

fn view(record: TrainingRecord) -> Result<Training, ApiError> {
    let corrupt =
        |what: &str| ApiError::Internal(anyhow::anyhow!("training {}: stored {what} unreadable", record.row.id));
    let provider = match provider_of(&record).ok_or_else(|| corrupt("provider"))? {
        TrainingProvider::School(id) => Provider { kind: ProviderKind::School, id, name: record.provider_name.clone() },
        TrainingProvider::Organisation(id) => {
            Provider { kind: ProviderKind::Organisation, id, name: record.provider_name.clone() }
        }
    };
    let row = &record.row;
    Ok(Training {
        id: row.id,
        provider,
        kind: row.kind.parse().map_err(|_| corrupt("kind"))?,
        title_fr: row.title_fr.clone(),
        title_en: row.title_en.clone(),
        skills: record
            .skills
            .iter()
            .map(|(skill, level)| TaughtSkill { skill: skill.clone(), level: u8::try_from(*level).unwrap_or(0) })
            .collect(),
        duration_hours: u32::try_from(row.duration_hours).unwrap_or(0),
        mode: row.mode.parse().map_err(|_| corrupt("mode"))?,
        start_dates: store::start_dates(row),
        seats: u32::try_from(row.seats).unwrap_or(0),
        link: row.link.clone(),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// The draft a stored training would be, to patch it.
fn draft_of(record: &TrainingRecord, view: &Training) -> TrainingDraft {
    TrainingDraft {
        school_id: record.row.school_id,
        organisation_id: record.row.organisation_id,
        kind: view.kind,
        title_fr: view.title_fr.clone(),
        title_en: view.title_en.clone(),
        skills: view.skills.clone(),
        duration_hours: view.duration_hours,
        mode: view.mode,
        start_dates: view.start_dates.clone(),
        seats: view.seats,
        link: view.link.clone(),
    }
}

/// Checks a draft and resolves its skills to (id, level).
fn checked_skills(conn: &mut DbConnection, draft: &TrainingDraft) -> Result<Vec<(i64, i32)>, ApiError> {
    ApiError::check(validate_training(draft))?;
    let resolved = resolve_skills(conn, "skills", draft.skills.iter().map(|s| s.skill.clone()))?;
    let mut out: Vec<(i64, i32)> = Vec::with_capacity(resolved.len());
    let mut violations = Vec::new();
    for (i, ((id, _), taught)) in resolved.into_iter().zip(&draft.skills).enumerate() {
        // Two aliases of one skill are the same skill twice.
        if out.iter().any(|(known, _)| *known == id) {
            violations.push(Violation::new(
                format!("skills[{i}].skill"),
                ViolationCode::Duplicate,
                crate::domain::Message::new("this-skill-is-already-listed"),
            ));
        }
        out.push((id, i32::from(taught.level)));
    }
    ApiError::check(violations)?;
    Ok(out)
}

fn fields(draft: &TrainingDraft) -> TrainingFields<'_> {
    TrainingFields {
        school_id: draft.school_id,
        organisation_id: draft.organisation_id,
        kind: draft.kind.as_str(),
        title_fr: draft.title_fr.trim(),
        title_en: draft.title_en.trim(),
        duration_hours: i32::try_from(draft.duration_hours).unwrap_or(i32::MAX),
        mode: draft.mode.as_str(),
        start_dates: &draft.start_dates,
        seats: i32::try_from(draft.seats).unwrap_or(i32::MAX),
        link: draft.link.as_deref(),
    }
}

/// Adds a training for the caller's school or organisation (admins: the one named).
pub async fn create_training(state: &AppState, caller: Caller, draft: TrainingDraft) -> Result<Training, ApiError> {
    let provider = policy::training_provider(&caller, draft.school_id, draft.organisation_id)?;
    let draft = match provider {
        TrainingProvider::School(id) => TrainingDraft { school_id: Some(id), organisation_id: None, ..draft },
        TrainingProvider::Organisation(id) => TrainingDraft { school_id: None, organisation_id: Some(id), ..draft },
    };
    let training = crate::db::run(&state.pool, move |conn| {
        let skills = checked_skills(conn, &draft)?;
        if !store::provider_exists(conn, draft.school_id, draft.organisation_id)? {
            let field = if draft.school_id.is_some() { "school_id" } else { "organisation_id" };
            return Err(ApiError::Validation(vec![Violation::new(
                field,
                ViolationCode::Unknown,
                crate::domain::Message::new("no-such-provider"),
            )]));
        }
        let id = crate::db::write_transaction(conn, |conn| {
            store::insert(conn, &fields(&draft), &skills, caller.account_id)
        })?;
        view(store::find(conn, id)?.ok_or_else(|| ApiError::not_found("training"))?)
    })
    .await;
    state.catalogue.forget();
    training
}

/// A page of the catalogue, by id.
pub async fn list_trainings(state: &AppState, query: TrainingQuery) -> Result<Page<Training>, ApiError> {
    let page = PageQuery { limit: query.limit, cursor: query.cursor.clone() };
    let list = format!("trainings {:?}", (&query.skill, query.school_id, query.organisation_id, query.mode));
    let (limit, after) = (page.limit()?, page.after::<i64>(&state.cursors, &list)?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        let skill_ids = match &query.skill {
            Some(name) => {
                let skill = resolve_skill_filter(conn, name)?;
                Some(taxonomy::descendants_of(conn, skill)?)
            }
            None => None,
        };
        let filter = TrainingFilter {
            skill_ids,
            school_id: query.school_id,
            organisation_id: query.organisation_id,
            mode: query.mode.map(|m| m.as_str().to_owned()),
        };
        let rows = store::list(conn, &filter, after, limit)?;
        let (rows, next_cursor) = paginate(rows, limit, &cursors, &list, |r| r.row.id);
        Ok(Page { items: rows.into_iter().map(view).collect::<Result<_, _>>()?, next_cursor })
    })
    .await
}

/// One training.
pub async fn get_training(state: &AppState, id: i64) -> Result<Training, ApiError> {
    crate::db::run(&state.pool, move |conn| {
        view(store::find(conn, id)?.ok_or_else(|| ApiError::not_found("training"))?)
    })
    .await
}

/// Changes a training: admins and the provider's own staff.
pub async fn patch_training(
    state: &AppState,
    caller: Caller,
    id: i64,
    patch: TrainingPatch,
) -> Result<Training, ApiError> {
    let training = crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            let record = store::find(conn, id)?.ok_or_else(|| ApiError::not_found("training"))?;
            let provider = provider_of(&record).ok_or_else(|| ApiError::not_found("training"))?;
            if !policy::can_manage_training(&caller, provider) {
                return Err(ApiError::Forbidden(crate::domain::Message::new(
                    "only-the-provider-s-staff-and-admins-change-a",
                )));
            }
            let current = view(record.clone())?;
            let draft = draft_of(&record, &current).patched(patch);
            let skills = checked_skills(conn, &draft)?;
            store::update(conn, id, &fields(&draft), &skills)?;
            Ok(())
        })?;
        view(store::find(conn, id)?.ok_or_else(|| ApiError::not_found("training"))?)
    })
    .await;
    state.catalogue.forget();
    training
}

/// A training that closes a skill gap, as suggested next to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestedTraining {
    #[schema(example = 7)]
    pub training_id: i64,
    #[schema(example = "Certificat Conteneurs et orchestration")]
    pub title_fr: String,
    #[schema(example = "Containers and orchestration certificate")]
    pub title_en: String,
    /// The school's or the organisation's name.
    #[schema(example = "AXA GO")]
    pub provider_name: String,
    pub kind: TrainingKind,
    pub mode: TrainingMode,
    /// The level it brings a participant to on the skill of the gap (through a
    /// narrower skill taught, at that skill's level).
    #[schema(example = 3)]
    pub level_reached: u8,
    /// The first start date on or after today; null when none is listed.
    #[schema(example = "2027-02-01")]
    pub next_start_date: Option<chrono::NaiveDate>,
    #[schema(example = 25)]
    pub seats: u32,
    #[schema(example = "https://formation.example.org/conteneurs")]
    pub link: Option<String>,
}

/// A skill the student lacks or holds below an offer's level, with the
/// trainings of the catalogue that close it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapTrainings {
    #[schema(example = "kubernetes")]
    pub skill: String,
    /// The student's level now (through the taxonomy); 0 when not held.
    #[schema(example = 0)]
    pub held_level: u8,
    /// The level the offer asks for.
    #[schema(example = 3)]
    pub required_level: u8,
    /// Whether the offer requires the skill (a preferred one only adds to the score).
    #[schema(example = true)]
    pub required: bool,
    /// Trainings teaching the skill, or a narrower one, up to `required_level`
    /// or above: the soonest next session first (none listed: last), then the
    /// most seats; at most 5.
    pub trainings: Vec<SuggestedTraining>,
}

/// The catalogue loaded for suggesting trainings, read once per request.
pub struct Catalogue {
    entries: Vec<CatalogueTraining>,
    views: std::collections::HashMap<i64, SuggestedTraining>,
}

impl Catalogue {
    /// Every training of the catalogue, with the skills it teaches credited through the taxonomy.
    pub fn load(conn: &mut DbConnection, today: chrono::NaiveDate) -> Result<Self, ApiError> {
        let parents = crate::store::reports::skill_parents(conn)?;
        let mut taught: std::collections::HashMap<i64, Vec<(i64, i32)>> = std::collections::HashMap::new();
        for (training, skill, level, _) in store::teaching(conn)? {
            taught.entry(training).or_default().push((skill, level));
        }
        let mut entries = Vec::new();
        let mut views = std::collections::HashMap::new();
        for record in store::all(conn)? {
            let training = view(record)?;
            let skills = taught.remove(&training.id).unwrap_or_default();
            entries.push(CatalogueTraining::new(
                training.id,
                &skills,
                &parents,
                training.seats,
                &training.start_dates,
                today,
            ));
            let next_start_date = entries.last().and_then(|e| e.next_start);
            views.insert(
                training.id,
                SuggestedTraining {
                    training_id: training.id,
                    title_fr: training.title_fr,
                    title_en: training.title_en,
                    provider_name: training.provider.name,
                    kind: training.kind,
                    mode: training.mode,
                    level_reached: 0,
                    next_start_date,
                    seats: training.seats,
                    link: training.link,
                },
            );
        }
        Ok(Catalogue { entries, views })
    }

    /// A gap on skill `skill_id` (named `slug`) with the trainings closing it.
    pub fn for_gap(
        &self,
        skill_id: i64,
        slug: String,
        held_level: u8,
        required_level: u8,
        required: bool,
    ) -> GapTrainings {
        let trainings = closing(&self.entries, skill_id, i32::from(required_level))
            .into_iter()
            .filter_map(|entry| {
                let reached = entry.level_on(skill_id).and_then(|l| u8::try_from(l).ok()).unwrap_or(0);
                self.views.get(&entry.id).map(|v| SuggestedTraining { level_reached: reached, ..v.clone() })
            })
            .collect();
        GapTrainings { skill: slug, held_level, required_level, required, trainings }
    }
}
