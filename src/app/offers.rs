//! Internship and work-study offers: drafting, publishing, closing, listing.

use crate::domain::ViolationCode;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::memo::{Memo, Serialised};
use crate::app::skills::{resolve_skill_filter, resolve_skills};
use crate::app::version::IfMatch;
use crate::app::AppState;
use crate::auth::{policy, Caller};
use crate::db::DbConnection;
use crate::domain::offer::{offer_status_move, validate_offer, validate_publish, OfferDraft, RequirementDraft};
use crate::domain::webhook::{EventIds, EventType};
use crate::domain::{DegreeLevel, OfferKind, OfferStatus, Role, WorkMode};
use crate::error::{parse_stored as parse, ApiError};
use crate::pagination::{paginate, PageQuery};
use crate::store::offers::{
    self, OfferCursor, OfferFields, OfferFilter, OfferKey, OfferRow, OfferSort, RequirementKey,
};
use crate::store::webhooks::{self, NewEvent};

/// A skill requirement of an offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Requirement {
    #[schema(example = "python")]
    pub skill: String,
    /// Lowest useful level, 1 to 5.
    #[schema(example = 3)]
    pub min_level: u8,
    /// Importance in matching, 1 to 5.
    #[schema(example = 4)]
    pub weight: u8,
    /// A student without it at `min_level` is not eligible.
    #[schema(example = true)]
    pub required: bool,
}

/// An offer as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Offer {
    #[schema(example = 42)]
    pub id: i64,
    /// The AXA organisation that posted it.
    #[schema(example = 2)]
    pub organisation_id: i64,
    /// draft → open → closed; filled when every position is taken.
    pub status: OfferStatus,
    pub kind: OfferKind,
    #[schema(example = "Stage PFE – Data Scientist")]
    pub title: String,
    #[schema(example = "Conception de modèles de tarification automobile avec l'équipe Data d'AXA Maroc.")]
    pub description: String,
    #[schema(example = "Casablanca")]
    pub city: String,
    pub work_mode: WorkMode,
    #[schema(example = "2027-02-01")]
    pub start_date: Option<NaiveDate>,
    #[schema(example = 6)]
    pub duration_months: Option<u8>,
    /// Students the offer takes, 1 to 500.
    #[schema(example = 2)]
    pub positions: u32,
    /// Positions taken by accepted applications.
    #[schema(example = 1)]
    pub positions_taken: u32,
    pub min_degree_level: Option<DegreeLevel>,
    /// Last day to apply.
    #[schema(example = "2027-01-15")]
    pub deadline: Option<NaiveDate>,
    /// Monthly stipend in dirhams.
    #[schema(example = 4000)]
    pub stipend_mad: Option<u32>,
    #[schema(example = json!(["French", "English"]))]
    pub languages: Vec<String>,
    #[schema(example = json!([{"skill": "python", "min_level": 3, "weight": 5, "required": true}]))]
    pub requirements: Vec<Requirement>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub published_at: Option<DateTime<Utc>>,
}

fn offer_views(conn: &mut DbConnection, rows: Vec<OfferRow>) -> Result<Vec<Offer>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut requirements = offers::requirements_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let mine: Vec<Requirement> = requirements
                .extract_if(.., |r| r.offer_id == row.id)
                .map(|r| Requirement {
                    skill: r.slug,
                    min_level: u8::try_from(r.min_level).unwrap_or(0),
                    weight: u8::try_from(r.weight).unwrap_or(0),
                    required: r.required,
                })
                .collect();
            Ok(Offer {
                id: row.id,
                organisation_id: row.organisation_id,
                status: parse(&row.status)?,
                kind: parse(&row.kind)?,
                title: row.title,
                description: row.description,
                city: row.city,
                work_mode: parse(&row.work_mode)?,
                start_date: row.start_date,
                duration_months: row.duration_months.and_then(|m| u8::try_from(m).ok()),
                positions: u32::try_from(row.positions).unwrap_or(0),
                positions_taken: u32::try_from(row.positions_taken).unwrap_or(0),
                min_degree_level: row.min_degree_level.as_deref().map(parse).transpose()?,
                deadline: row.deadline,
                stipend_mad: row.stipend_mad.and_then(|s| u32::try_from(s).ok()),
                languages: serde_json::from_str(&row.languages).unwrap_or_default(),
                requirements: mine,
                created_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
                published_at: row.published_at.map(|at| at.and_utc()),
            })
        })
        .collect()
}

fn offer_view(conn: &mut DbConnection, row: OfferRow) -> Result<Offer, ApiError> {
    offer_views(conn, vec![row])?.pop().ok_or_else(|| ApiError::not_found("offer"))
}

/// The stored offer and its version, to answer with.
fn current(conn: &mut DbConnection, id: i64) -> Result<(i64, Offer), ApiError> {
    let row = offers::find(conn, id)?.ok_or_else(|| ApiError::not_found("offer"))?;
    let version = row.version;
    Ok((version, offer_view(conn, row)?))
}

/// Canonicalises requirement skills, validates, and encodes the offer for storage.
fn prepare(
    conn: &mut DbConnection,
    mut draft: OfferDraft,
) -> Result<(OfferDraft, OfferFields, Vec<RequirementKey>), ApiError> {
    let resolved = resolve_skills(conn, "requirements", draft.requirements.iter().map(|r| r.skill.clone()))?;
    for (requirement, (_, slug)) in draft.requirements.iter_mut().zip(&resolved) {
        requirement.skill = slug.clone();
    }
    ApiError::check(validate_offer(&draft))?;
    let keys = resolved
        .iter()
        .zip(&draft.requirements)
        .map(|((id, _), r)| (*id, i32::from(r.min_level), i32::from(r.weight), r.required))
        .collect();
    let fields = OfferFields::from_draft(&draft);
    Ok((draft, fields, keys))
}

/// The stored offer as a draft, to merge a patch into or to check for publishing.
fn draft_of(view: &Offer) -> OfferDraft {
    OfferDraft {
        kind: view.kind,
        title: view.title.clone(),
        description: view.description.clone(),
        city: view.city.clone(),
        work_mode: view.work_mode,
        start_date: view.start_date,
        duration_months: view.duration_months,
        positions: view.positions,
        min_degree_level: view.min_degree_level,
        deadline: view.deadline,
        stipend_mad: view.stipend_mad,
        languages: view.languages.clone(),
        requirements: view
            .requirements
            .iter()
            .map(|r| RequirementDraft {
                skill: r.skill.clone(),
                min_level: r.min_level,
                weight: r.weight,
                required: r.required,
            })
            .collect(),
    }
}

/// An offer row the caller may see, with its status; 404 otherwise.
pub fn visible_offer(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<(OfferRow, OfferStatus), ApiError> {
    visible_row(caller, offers::find(conn, id)?)
}

/// An offer read already, if it exists and the caller may see it: a 404
/// otherwise, the same for both, so that nobody learns of others' drafts.
pub fn visible_row(caller: &Caller, row: Option<OfferRow>) -> Result<(OfferRow, OfferStatus), ApiError> {
    let row = row.ok_or_else(|| ApiError::not_found("offer"))?;
    let status: OfferStatus = parse(&row.status)?;
    if !policy::can_view_offer(caller, row.organisation_id, status) {
        return Err(ApiError::not_found("offer"));
    }
    Ok((row, status))
}

/// Loads an offer the caller may see (404 otherwise) and may change (403).
fn load_to_edit(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<(OfferRow, Offer), ApiError> {
    let (row, _) = visible_offer(conn, caller, id)?;
    if !policy::can_edit_offer(caller, row.organisation_id) {
        return Err(ApiError::Forbidden(crate::domain::Message::new(
            "only-recruiters-of-the-offer-s-organisation-change-it",
        )));
    }
    let view = offer_view(conn, row.clone())?;
    Ok((row, view))
}

/// Filters and order of the offer list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OfferQuery {
    #[param(example = "internship")]
    pub kind: Option<OfferKind>,
    /// City, case-insensitive.
    #[param(example = "Casablanca")]
    pub city: Option<String>,
    #[param(example = "on_site")]
    pub work_mode: Option<WorkMode>,
    /// Offers with a requirement in this domain (cybersecurity, data, ai, cloud, devops, testing, ...).
    #[param(example = "data")]
    pub domain: Option<String>,
    /// Offers asking for this skill or a narrower one: `machine-learning` finds an offer asking for PyTorch.
    #[param(example = "python")]
    pub skill: Option<String>,
    #[param(example = 2)]
    pub organisation_id: Option<i64>,
    /// Only offers in this state (recruiters see their own drafts and closed offers).
    #[param(example = "open")]
    pub status: Option<OfferStatus>,
    /// Text in the title, description, city or organisation name; accents and
    /// case are ignored (`ingenieur` finds Ingénieur).
    #[param(example = "python")]
    pub q: Option<String>,
    /// Only offers changed strictly after this instant (RFC 3339). Pollers pass
    /// the greatest `updated_at` they have seen; the order and the cursor work
    /// as without it, so paging through finds every one.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-12-01T08:00:00Z")]
    pub updated_since: Option<String>,
    /// `newest` (default) or `deadline` (earliest first).
    #[param(example = "deadline", value_type = Option<crate::domain::OfferOrder>, inline)]
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Changes to an offer; absent fields stay as they are, `requirements`
/// replaces the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferPatch {
    pub kind: Option<OfferKind>,
    #[schema(example = "Stage PFE – Data Scientist", min_length = 3, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    #[schema(
        example = "Conception de modèles de tarification automobile avec l'équipe Data d'AXA Maroc.",
        max_length = 10_000
    )]
    pub description: Option<String>,
    #[schema(example = "Casablanca", min_length = 1, max_length = 100, pattern = "\\S")]
    pub city: Option<String>,
    pub work_mode: Option<WorkMode>,
    #[schema(example = "2027-02-01")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 6, minimum = 1, maximum = 36)]
    pub duration_months: Option<u8>,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 2, minimum = 1, maximum = 500)]
    pub positions: Option<u32>,
    pub min_degree_level: Option<DegreeLevel>,
    #[schema(example = "2027-01-15")]
    pub deadline: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 4000, minimum = 0, maximum = 100_000)]
    pub stipend_mad: Option<u32>,
    #[schema(
        example = json!(["French", "English"]),
        value_type = Option<Vec<crate::domain::texts::LanguageName>>,
        max_items = 10
    )]
    pub languages: Option<Vec<String>>,
    #[schema(
        example = json!([{"skill": "python", "min_level": 3, "weight": 5, "required": true}]),
        min_items = 1,
        max_items = 30
    )]
    pub requirements: Option<Vec<RequirementDraft>>,
}

fn move_in(
    state: &AppState,
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
    to: OfferStatus,
) -> Result<(i64, Offer), ApiError> {
    let (row, view) = load_to_edit(conn, caller, id)?;
    if !offer_status_move(view.status, to) {
        return Err(ApiError::Conflict {
            detail: crate::domain::Message::new("offer-cannot-become")
                .arg("status", view.status.as_str())
                .arg("to", to.as_str()),
            allowed: Some(
                [OfferStatus::Open, OfferStatus::Closed]
                    .into_iter()
                    .filter(|s| offer_status_move(view.status, *s))
                    .map(|s| s.as_str().to_owned())
                    .collect(),
            ),
        });
    }
    if to == OfferStatus::Open {
        ApiError::check(validate_publish(&draft_of(&view), Utc::now().date_naive()))?;
    }
    // The status and its webhook event commit together, or neither does.
    crate::db::write_transaction(conn, |conn| {
        if !offers::set_status(conn, id, view.status, to)? {
            return Err(ApiError::conflict(crate::domain::Message::new("the-offer-changed-meanwhile-read-it-again")));
        }
        let event_type = match to {
            OfferStatus::Open => Some(EventType::OfferPublished),
            OfferStatus::Closed => Some(EventType::OfferClosed),
            OfferStatus::Filled => Some(EventType::OfferFilled),
            OfferStatus::Draft => None,
        };
        if let Some(event_type) = event_type {
            webhooks::record_event(conn, event_type, offer_event(id, row.organisation_id))?;
        }
        Ok::<_, ApiError>(())
    })?;
    state.refresh_index(conn);
    if to == OfferStatus::Open {
        crate::app::alerts::alert_matching_students(state, conn, id, view.kind);
    }
    current(conn, id)
}

/// The scope of an event about an offer: its organisation, and partner
/// portals, since every offer that leaves the draft state was public.
pub(crate) fn offer_event(offer_id: i64, organisation_id: i64) -> NewEvent {
    NewEvent {
        ids: EventIds { offer_id: Some(offer_id), ..EventIds::default() },
        organisation_id: Some(organisation_id),
        public_offer: true,
        ..NewEvent::default()
    }
}

/// Posts a new offer, as a draft of the recruiter's own organisation.
pub async fn create_offer(state: &Arc<AppState>, caller: Caller, draft: OfferDraft) -> Result<(i64, Offer), ApiError> {
    let organisation = policy::offer_author_organisation(&caller)?;
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (_, fields, requirements) = prepare(conn, draft)?;
        let id = offers::insert(conn, organisation, caller.account_id, &fields, &requirements)?;
        shared.refresh_index(conn);
        current(conn, id)
    })
    .await
}

/// A page of the offers the caller may see.
pub async fn list_offers(state: &Arc<AppState>, caller: Caller, query: OfferQuery) -> Result<OfferPage, ApiError> {
    let sort = match query.sort.as_deref() {
        None | Some("newest") => OfferSort::Newest,
        Some("deadline") => OfferSort::Deadline,
        Some(_) => {
            return Err(ApiError::InvalidParameters(vec![crate::domain::Violation::new(
                "sort",
                ViolationCode::UnknownValue,
                crate::domain::Message::new("sort-newest-or-deadline"),
            )]))
        }
    };
    let page = PageQuery { limit: query.limit, cursor: query.cursor.clone() };
    let updated_since = crate::app::version::updated_since(query.updated_since.as_deref())?;
    // The order and every filter: a cursor carried over to others would skip or repeat offers.
    let list = format!(
        "offers {:?}",
        (
            &query.sort,
            query.kind,
            &query.city,
            query.work_mode,
            &query.domain,
            &query.skill,
            query.organisation_id,
            query.status,
            &query.q,
            updated_since
        )
    );
    let (limit, after) = (page.limit()?, page.after::<OfferCursor>(&state.cursors, &list)?);
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let skill_id = match &query.skill {
            Some(name) => Some(resolve_skill_filter(conn, name)?),
            None => None,
        };
        let filter = OfferFilter {
            kind: query.kind.map(|k| k.as_str().into()),
            city: query.city,
            work_mode: query.work_mode.map(|w| w.as_str().into()),
            domain: query.domain,
            skill_id,
            organisation_id: query.organisation_id,
            status: query.status.map(|s| s.as_str().into()),
            q: query.q,
            updated_since,
            own_organisation: caller.organisation_id.filter(|_| caller.role == Role::Recruiter),
            see_all: caller.role == Role::Admin,
        };
        let keys = offers::list(conn, &filter, sort, after, limit)?;
        let (keys, next_cursor) = paginate(keys, limit, &shared.cursors, &list, |k| match sort {
            OfferSort::Newest => OfferCursor::Newest(k.id),
            OfferSort::Deadline => OfferCursor::Deadline(k.deadline, k.id),
        });
        Ok(OfferPage { items: serialised_views(conn, &shared.offer_json, &caller, &keys)?, next_cursor })
    })
    .await
}

/// A page of offers as sent: [`crate::pagination::Page`] of [`Offer`], each offer's JSON
/// written once for its version.
#[derive(Debug, Serialize)]
pub struct OfferPage {
    pub items: Vec<Serialised>,
    pub next_cursor: Option<String>,
}

/// The JSON of the offers of `keys`, in their order. An offer's view is
/// written once per version and kept: a page of offers seen before reads no
/// requirements and serialises nothing again.
fn serialised_views(
    conn: &mut DbConnection,
    memo: &Memo<(i64, i64), Serialised>,
    caller: &Caller,
    keys: &[OfferKey],
) -> Result<Vec<Serialised>, ApiError> {
    let kept: Vec<Option<Serialised>> = keys.iter().map(|k| memo.get(&(k.id, k.version))).collect();
    let missing: Vec<i64> = keys.iter().zip(&kept).filter(|(_, view)| view.is_none()).map(|(k, _)| k.id).collect();
    let mut written = std::collections::HashMap::new();
    if !missing.is_empty() {
        let mut rows = Vec::with_capacity(missing.len());
        for row in offers::rows(conn, &missing)? {
            // Changed since the page was chosen: the newer version is shown,
            // unless it is no longer the caller's to see.
            if policy::can_view_offer(caller, row.organisation_id, parse(&row.status)?) {
                rows.push(row);
            }
        }
        let versions: Vec<i64> = rows.iter().map(|r| r.version).collect();
        for (view, version) in offer_views(conn, rows)?.into_iter().zip(versions) {
            written.insert(view.id, memo.write((view.id, version), &view)?);
        }
    }
    Ok(keys.iter().zip(kept).filter_map(|(key, view)| view.or_else(|| written.remove(&key.id))).collect())
}

/// One offer the caller may see, with its version.
pub async fn get_offer(state: &Arc<AppState>, caller: Caller, id: i64) -> Result<(i64, Serialised), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, _) = visible_offer(conn, &caller, id)?;
        let version = row.version;
        let view = shared.offer_json.get_or_write((id, version), || offer_view(conn, row))?;
        Ok((version, view))
    })
    .await
}

/// Changes a draft or open offer, at the version the caller read.
pub async fn patch_offer(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    patch: OfferPatch,
    if_match: IfMatch,
) -> Result<(i64, Offer), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, view) = load_to_edit(conn, &caller, id)?;
        if !matches!(view.status, OfferStatus::Draft | OfferStatus::Open) {
            return Err(ApiError::conflict(
                crate::domain::Message::new("offer-cannot-be-changed").arg("status", view.status.as_str()),
            ));
        }
        let stored = draft_of(&view);
        let merged = OfferDraft {
            kind: patch.kind.unwrap_or(stored.kind),
            title: patch.title.unwrap_or(stored.title),
            description: patch.description.unwrap_or(stored.description),
            city: patch.city.unwrap_or(stored.city),
            work_mode: patch.work_mode.unwrap_or(stored.work_mode),
            start_date: patch.start_date.or(stored.start_date),
            duration_months: patch.duration_months.or(stored.duration_months),
            positions: patch.positions.unwrap_or(stored.positions),
            min_degree_level: patch.min_degree_level.or(stored.min_degree_level),
            deadline: patch.deadline.or(stored.deadline),
            stipend_mad: patch.stipend_mad.or(stored.stipend_mad),
            languages: patch.languages.unwrap_or(stored.languages),
            requirements: patch.requirements.unwrap_or(stored.requirements),
        };
        if merged.positions < view.positions_taken {
            return Err(ApiError::invalid(
                "positions",
                ViolationCode::BelowTaken,
                crate::domain::Message::new("positions-already-taken").arg("taken", view.positions_taken),
            ));
        }
        let kind = merged.kind;
        // Invalid content is refused as such (422) before its precondition is looked at.
        let (_, fields, requirements) = prepare(conn, merged)?;
        if_match.require(row.version)?;
        if !offers::update(conn, id, row.version, &fields, &requirements)? {
            return Err(ApiError::PreconditionFailed(crate::domain::Message::new("offer-changed-since-read")));
        }
        shared.refresh_index(conn);
        if view.status == OfferStatus::Open {
            crate::app::alerts::alert_matching_students(&shared, conn, id, kind);
        }
        current(conn, id)
    })
    .await
}

/// Publishes or closes an offer.
pub async fn move_offer(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    to: OfferStatus,
) -> Result<(i64, Offer), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| move_in(&shared, conn, &caller, id, to)).await
}
