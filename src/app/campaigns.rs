//! Allocation campaigns: an organiser opens a campaign over a set of offers;
//! students rank the offers they are eligible for within the preference
//! window; recruiters may rank or exclude the candidates of their offers; a
//! run places everyone at once by student-proposing deferred acceptance
//! ([`crate::allocation`]); publishing turns each assignment into an
//! application in state `offered`, answered through the usual pipeline.

use crate::domain::ViolationCode;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::allocation::{self, Choice, Figures, Instance, MissReason, OfferSeats, Standing, StudentChoices};
use crate::app::AppState;
use crate::auth::policy::{self, CampaignRole};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::application::ApplicationStatus;
use crate::domain::campaign::{
    validate_campaign, validate_choices, validate_ranking, window, CampaignRules, CampaignStatus, Window, MAX_OFFERS,
    MAX_SEED,
};
use crate::domain::{OfferKind, OfferStatus, Role, Violation};
use crate::error::{parse_stored as parse, ApiError};
use crate::pagination::{paginate, Page, PageQuery};
use crate::store::applications::{self as applications, NewApplication};
use crate::store::campaigns::{self as store, AssignmentScope, CampaignRow, CampaignScope, OfferSelection};
use crate::store::students;

/// Which open offers a campaign takes when no ids are given; every given
/// criterion must hold.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferFilter {
    pub kind: Option<OfferKind>,
    /// Offers asking for at least one skill of this domain.
    #[schema(example = "data")]
    pub domain: Option<String>,
    /// Offers starting on or after this day.
    #[schema(example = "2027-02-01")]
    pub start_from: Option<NaiveDate>,
    /// Offers starting on or before this day.
    #[schema(example = "2027-03-31")]
    pub start_until: Option<NaiveDate>,
}

/// What an organiser sends to open a campaign.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignDraft {
    /// 1 to 200 characters.
    #[schema(example = "Stages PFE printemps 2027")]
    pub name: String,
    /// The school whose students the campaign places; absent for the whole
    /// network (admins only). School staff may only give their own.
    #[schema(example = 1)]
    pub school_id: Option<i64>,
    /// The campaign's offers, all open; or give `offer_filter`.
    #[schema(example = json!([7, 8, 9]))]
    pub offer_ids: Option<Vec<i64>>,
    /// Selects the open offers instead of `offer_ids`.
    pub offer_filter: Option<OfferFilter>,
    /// Students rank offers from this instant ...
    #[schema(example = "2027-01-05T08:00:00Z")]
    pub opens_at: DateTime<Utc>,
    /// ... until this one (excluded).
    #[schema(example = "2027-01-19T18:00:00Z")]
    pub closes_at: DateTime<Utc>,
    /// Most offers a student may rank, 1 to 20.
    #[schema(example = 10)]
    pub max_choices: i64,
    /// The published seed that breaks ties between equal scores, 0 to
    /// 2^53 − 1; drawn at random when absent.
    #[schema(example = 20270105)]
    pub seed: Option<i64>,
}

/// An offer of a campaign with its result at the last run.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOffer {
    #[schema(example = 7)]
    pub offer_id: i64,
    /// Free positions at the last run.
    #[schema(example = 2)]
    pub capacity: Option<u32>,
    /// Students admitted at the last run.
    #[schema(example = 2)]
    pub admitted: Option<u32>,
    /// How the offer saw its lowest admitted student at the last run.
    pub cutoff: Option<Standing>,
}

/// A campaign as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Campaign {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "Stages PFE printemps 2027")]
    pub name: String,
    /// Absent for a network campaign.
    #[schema(example = 1)]
    pub school_id: Option<i64>,
    pub status: CampaignStatus,
    #[schema(example = "2027-01-05T08:00:00Z")]
    pub opens_at: DateTime<Utc>,
    #[schema(example = "2027-01-19T18:00:00Z")]
    pub closes_at: DateTime<Utc>,
    #[schema(example = 10)]
    pub max_choices: i64,
    /// Breaks ties between equal scores; see the tag description for the draw.
    #[schema(example = 20270105)]
    pub seed: i64,
    pub offers: Vec<CampaignOffer>,
    /// When it was last run.
    #[schema(example = "2027-01-20T09:00:00Z")]
    pub run_at: Option<DateTime<Utc>>,
    /// Whether the last run saw every preference and ranking written since;
    /// publishing needs it.
    #[schema(example = true)]
    pub run_is_current: bool,
    /// The organiser's figures of the last run.
    pub figures: Option<Figures>,
    #[schema(example = "2027-01-21T09:00:00Z")]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(example = "2026-12-01T09:00:00Z")]
    pub created_at: DateTime<Utc>,
}

/// A student's ordered choices.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesDraft {
    /// Offers of the campaign the student is eligible for, best first, at
    /// most the campaign's `max_choices`, each once.
    #[schema(example = json!([8, 7]))]
    pub offer_ids: Vec<i64>,
}

/// One choice with its match score now.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankedChoice {
    #[schema(example = 8)]
    pub offer_id: i64,
    /// From 1.
    #[schema(example = 1)]
    pub rank: u32,
    /// Match score now, 0 to 1; it orders the student among the offer's
    /// candidates unless the recruiter ranks them.
    #[schema(example = 0.8125)]
    pub score: f64,
    /// Whether the student is eligible now; a choice no longer eligible at run time is skipped.
    #[schema(example = true)]
    pub eligible: bool,
}

/// A student's choices in a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preferences {
    #[schema(example = 3)]
    pub campaign_id: i64,
    #[schema(example = 12)]
    pub student_id: i64,
    pub choices: Vec<RankedChoice>,
}

/// A recruiter's decisions for one offer of a campaign.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RankingDraft {
    /// Candidates (students who ranked the offer), best first; they come
    /// before every candidate not ranked, who follow by match score.
    #[serde(default)]
    #[schema(example = json!([12, 15]))]
    pub ranking: Vec<i64>,
    /// Candidates the offer will not take.
    #[serde(default)]
    #[schema(example = json!([19]))]
    pub excluded: Vec<i64>,
}

/// One student who ranked the offer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Candidate {
    #[schema(example = 12)]
    pub student_id: i64,
    #[schema(example = 0.8125)]
    pub score: f64,
    #[schema(example = true)]
    pub eligible: bool,
    /// In the recruiter's ranking, from 1.
    #[schema(example = 1)]
    pub recruiter_rank: Option<u32>,
    #[schema(example = false)]
    pub excluded: bool,
}

/// An offer's ranking in a campaign and every candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ranking {
    #[schema(example = 3)]
    pub campaign_id: i64,
    #[schema(example = 7)]
    pub offer_id: i64,
    #[schema(example = json!([12, 15]))]
    pub ranking: Vec<i64>,
    #[schema(example = json!([19]))]
    pub excluded: Vec<i64>,
    /// Students who ranked the offer, by id.
    pub candidates: Vec<Candidate>,
}

/// A better choice a student did not get, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissedChoice {
    #[schema(example = 7)]
    pub offer_id: i64,
    /// Its rank in the student's list, from 1.
    #[schema(example = 1)]
    pub choice_rank: u32,
    /// `not_eligible`, `excluded`, `no_position` or `filled`.
    #[schema(example = "filled")]
    pub reason: String,
    #[schema(example = "filled by candidates the offer ranked higher; lowest admitted score 0.81, yours 0.74")]
    pub message: String,
    /// For `filled`: the lowest admitted candidate.
    pub lowest_admitted: Option<Standing>,
    /// For `filled`: how the offer saw this student.
    pub yours: Option<Standing>,
}

/// A student's result in a campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Assignment {
    #[schema(example = 12)]
    pub student_id: i64,
    /// Absent when no choice could be had.
    #[schema(example = 8)]
    pub offer_id: Option<i64>,
    /// The assigned offer's rank in the student's list, from 1.
    #[schema(example = 2)]
    pub choice_rank: Option<u32>,
    /// How the assigned offer saw the student.
    pub standing: Option<Standing>,
    /// Every choice ranked above the assignment (all when unassigned).
    pub missed: Vec<MissedChoice>,
    /// The application in state `offered` made by publishing.
    #[schema(example = 42)]
    pub application_id: Option<i64>,
}

/// Paging of the assignments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AssignmentQuery {
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn view(conn: &mut DbConnection, row: CampaignRow) -> Result<Campaign, ApiError> {
    let offers = store::offers_of(conn, row.id)?
        .into_iter()
        .map(|o| CampaignOffer {
            offer_id: o.offer_id,
            capacity: o.capacity.and_then(|c| u32::try_from(c).ok()),
            admitted: o.admitted.and_then(|c| u32::try_from(c).ok()),
            cutoff: o.cutoff.as_deref().and_then(|c| serde_json::from_str(c).ok()),
        })
        .collect();
    Ok(Campaign {
        id: row.id,
        name: row.name,
        school_id: row.school_id,
        status: parse(&row.status)?,
        opens_at: row.opens_at.and_utc(),
        closes_at: row.closes_at.and_utc(),
        max_choices: i64::from(row.max_choices),
        seed: row.seed,
        offers,
        run_at: row.run_at.map(|t| t.and_utc()),
        run_is_current: row.run_inputs_version == Some(row.inputs_version),
        figures: row.figures.as_deref().and_then(|f| serde_json::from_str(f).ok()),
        published_at: row.published_at.map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
    })
}

/// The school of the caller when a student (their profile), for scoping.
fn student_of(conn: &mut DbConnection, caller: &Caller) -> Result<Option<students::StudentRow>, ApiError> {
    if caller.role != Role::Student {
        return Ok(None);
    }
    Ok(students::find_by_account(conn, caller.account_id)?)
}

/// Loads a campaign and what the caller is for it: 403 for the committee,
/// 404 for a campaign outside the caller's reach.
fn load(
    conn: &mut DbConnection,
    caller: &Caller,
    id: i64,
) -> Result<(CampaignRow, CampaignRole, Option<students::StudentRow>), ApiError> {
    policy::require_campaign_reader(caller)?;
    let row = store::find(conn, id)?.ok_or_else(|| ApiError::not_found("campaign"))?;
    let student = student_of(conn, caller)?;
    let holds = match (caller.role, caller.organisation_id) {
        (Role::Recruiter, Some(organisation)) => store::holds_offer_of(conn, id, organisation)?,
        _ => false,
    };
    let role = policy::campaign_role(caller, row.school_id, student.as_ref().map(|s| s.school_id), holds)
        .ok_or_else(|| ApiError::not_found("campaign"))?;
    Ok((row, role, student))
}

/// Loads an open campaign for its organiser, who alone runs and publishes it.
fn load_for_organiser(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<CampaignRow, ApiError> {
    let (row, role, _) = load(conn, caller, id)?;
    require_organiser(role)?;
    require_open(&row)?;
    Ok(row)
}

/// The campaign as it stands after a write of this request.
fn reread(conn: &mut DbConnection, id: i64) -> Result<Campaign, ApiError> {
    let row = store::find(conn, id)?.ok_or_else(|| ApiError::not_found("campaign"))?;
    view(conn, row)
}

fn require_organiser(role: CampaignRole) -> Result<(), ApiError> {
    if role == CampaignRole::Organiser {
        Ok(())
    } else {
        Err(ApiError::Forbidden(crate::domain::Message::new("only-the-campaign-s-organiser-its-school-s-staff")))
    }
}

fn require_open(row: &CampaignRow) -> Result<(), ApiError> {
    if row.status == store::OPEN {
        Ok(())
    } else {
        Err(ApiError::conflict(crate::domain::Message::new("the-campaign-is-published-its-inputs-and-results-are")))
    }
}

/// Opens a campaign over open offers, given by id or by a filter.
pub async fn create_campaign(state: &AppState, caller: Caller, draft: CampaignDraft) -> Result<Campaign, ApiError> {
    let school_id = policy::campaign_organiser_school(&caller, draft.school_id)?;
    ApiError::check(validate_campaign(&CampaignRules {
        name: &draft.name,
        offer_ids: draft.offer_ids.as_deref(),
        has_filter: draft.offer_filter.is_some(),
        opens_at: draft.opens_at,
        closes_at: draft.closes_at,
        max_choices: draft.max_choices,
        seed: draft.seed,
    }))?;
    let seed = draft.seed.unwrap_or_else(|| rand::thread_rng().gen_range(0..=MAX_SEED));
    crate::db::run(&state.pool, move |conn| {
        if let Some(school) = school_id {
            if !store::school_exists(conn, school)? {
                return Err(ApiError::invalid(
                    "school_id",
                    ViolationCode::Unknown,
                    crate::domain::Message::new("no-school-has-id").arg("id", school),
                ));
            }
        }
        let offer_ids = match (&draft.offer_ids, &draft.offer_filter) {
            (Some(ids), _) => {
                let open: HashSet<i64> = store::open_among(conn, ids)?.into_iter().collect();
                let violations: Vec<Violation> = ids
                    .iter()
                    .enumerate()
                    .filter(|(_, id)| !open.contains(id))
                    .map(|(i, id)| {
                        Violation::new(
                            format!("offer_ids[{i}]"),
                            ViolationCode::NotOpen,
                            crate::domain::Message::new("offer-is-not-open").arg("id", *id),
                        )
                    })
                    .collect();
                ApiError::check(violations)?;
                ids.clone()
            }
            (None, Some(filter)) => {
                let selection = OfferSelection {
                    kind: filter.kind.map(|k| k.as_str().to_owned()),
                    domain: filter.domain.clone(),
                    start_from: filter.start_from,
                    start_until: filter.start_until,
                };
                let ids = store::open_matching(conn, &selection, MAX_OFFERS as i64)?;
                if ids.is_empty() {
                    return Err(ApiError::invalid(
                        "offer_filter",
                        ViolationCode::NoOffer,
                        crate::domain::Message::new("no-open-offer-matches-the-filter"),
                    ));
                }
                if ids.len() > MAX_OFFERS {
                    return Err(ApiError::invalid(
                        "offer_filter",
                        ViolationCode::TooMany,
                        crate::domain::Message::new("filter-matches-too-many-offers").arg("max", MAX_OFFERS),
                    ));
                }
                ids
            }
            (None, None) => Vec::new(),
        };
        let new = store::NewCampaign {
            name: draft.name.trim(),
            school_id,
            created_by: caller.account_id,
            opens_at: draft.opens_at.naive_utc(),
            closes_at: draft.closes_at.naive_utc(),
            max_choices: i32::try_from(draft.max_choices).unwrap_or(i32::MAX),
            seed,
        };
        let id = crate::db::write_transaction(conn, |conn| store::insert(conn, &new, &offer_ids))?;
        reread(conn, id)
    })
    .await
}

/// The campaigns the caller may see, newest first.
pub async fn list_campaigns(state: &AppState, caller: Caller, page: PageQuery) -> Result<Page<Campaign>, ApiError> {
    policy::require_campaign_reader(&caller)?;
    let (limit, before) = (page.limit()?, page.after::<i64>(&state.cursors, "campaigns")?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        let scope = match (caller.role, caller.school_id, caller.organisation_id) {
            (Role::Admin, _, _) => Some(CampaignScope::All),
            (Role::SchoolStaff, Some(school), _) => Some(CampaignScope::School(school)),
            (Role::Recruiter, _, Some(organisation)) => Some(CampaignScope::Organisation(organisation)),
            (Role::Student, _, _) => student_of(conn, &caller)?.map(|s| CampaignScope::School(s.school_id)),
            _ => None,
        };
        let Some(scope) = scope else {
            return Ok(Page { items: Vec::new(), next_cursor: None });
        };
        let rows = store::list(conn, scope, before, limit)?;
        let (rows, next_cursor) = paginate(rows, limit, &cursors, "campaigns", |r| r.id);
        let items = rows.into_iter().map(|row| view(conn, row)).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    })
    .await
}

/// One campaign the caller may see.
pub async fn get_campaign(state: &AppState, caller: Caller, id: i64) -> Result<Campaign, ApiError> {
    crate::db::run(&state.pool, move |conn| {
        let (row, _, _) = load(conn, &caller, id)?;
        view(conn, row)
    })
    .await
}

fn choices_view(state: &AppState, student_id: i64, offer_ids: &[i64]) -> Vec<RankedChoice> {
    let today = Utc::now().date_naive();
    offer_ids
        .iter()
        .enumerate()
        .map(|(i, &offer_id)| {
            let matched = state.index.explain(student_id, offer_id, today, false);
            RankedChoice {
                offer_id,
                rank: i as u32 + 1,
                score: matched.as_ref().map_or(0.0, |m| m.score),
                eligible: matched.is_some_and(|m| m.eligible),
            }
        })
        .collect()
}

fn require_student(
    role: CampaignRole,
    student: Option<students::StudentRow>,
) -> Result<students::StudentRow, ApiError> {
    match (role, student) {
        (CampaignRole::Student, Some(student)) => Ok(student),
        _ => Err(ApiError::Forbidden(crate::domain::Message::new(
            "only-the-students-the-campaign-places-rank-its-offers",
        ))),
    }
}

/// Replaces the student's ordered choices, within the preference window.
pub async fn put_preferences(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    draft: PreferencesDraft,
) -> Result<Preferences, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, role, student) = load(conn, &caller, id)?;
        let student = require_student(role, student)?;
        require_open(&row)?;
        match window(row.opens_at.and_utc(), row.closes_at.and_utc(), Utc::now()) {
            Window::Open => {}
            Window::NotYetOpen => {
                return Err(ApiError::conflict(
                    crate::domain::Message::new("preference-window-not-open")
                        .arg("opens", row.opens_at.and_utc().to_rfc3339()),
                ))
            }
            Window::Closed => {
                return Err(ApiError::conflict(
                    crate::domain::Message::new("preference-window-closed")
                        .arg("closes", row.closes_at.and_utc().to_rfc3339()),
                ))
            }
        }
        let in_campaign: HashSet<i64> = store::offers_of(conn, id)?.into_iter().map(|o| o.offer_id).collect();
        let today = Utc::now().date_naive();
        ApiError::check(validate_choices(
            &draft.offer_ids,
            i64::from(row.max_choices),
            |offer| in_campaign.contains(&offer),
            |offer| shared.index.explain(student.id, offer, today, false).is_some_and(|m| m.eligible),
        ))?;
        crate::db::write_transaction(conn, |conn| -> Result<(), ApiError> {
            if !store::bump_inputs(conn, id)? {
                return Err(ApiError::conflict(crate::domain::Message::new("the-campaign-was-published-meanwhile")));
            }
            store::replace_preferences(conn, id, student.id, &draft.offer_ids)?;
            Ok(())
        })?;
        Ok(Preferences {
            campaign_id: id,
            student_id: student.id,
            choices: choices_view(&shared, student.id, &draft.offer_ids),
        })
    })
    .await
}

/// The calling student's choices.
pub async fn my_preferences(state: &Arc<AppState>, caller: Caller, id: i64) -> Result<Preferences, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (_, role, student) = load(conn, &caller, id)?;
        let student = require_student(role, student)?;
        let offer_ids = store::preferences_of(conn, id, student.id)?;
        Ok(Preferences {
            campaign_id: id,
            student_id: student.id,
            choices: choices_view(&shared, student.id, &offer_ids),
        })
    })
    .await
}

/// Checks that the caller decides for this offer of the campaign: recruiters
/// of its organisation, and admins for support.
fn offer_for_ranking(
    conn: &mut DbConnection,
    caller: &Caller,
    role: CampaignRole,
    campaign: i64,
    offer_id: i64,
) -> Result<(), ApiError> {
    let offer = store::offers_of(conn, campaign)?
        .into_iter()
        .find(|o| o.offer_id == offer_id)
        .ok_or_else(|| ApiError::not_found("offer in this campaign"))?;
    let allowed = caller.role == Role::Admin
        || (role == CampaignRole::Recruiter && caller.organisation_id == Some(offer.organisation_id));
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(crate::domain::Message::new("only-recruiters-of-the-offer-s-organisation-rank-its")))
    }
}

fn ranking_view(state: &AppState, conn: &mut DbConnection, campaign: i64, offer_id: i64) -> Result<Ranking, ApiError> {
    let decisions = store::rankings(conn, campaign, Some(offer_id))?;
    let ranking: Vec<i64> = decisions.iter().filter(|d| !d.excluded).map(|d| d.student_id).collect();
    let excluded: Vec<i64> = decisions.iter().filter(|d| d.excluded).map(|d| d.student_id).collect();
    let today = Utc::now().date_naive();
    let candidates = store::candidates_of(conn, campaign, offer_id)?
        .into_iter()
        .map(|student_id| {
            let matched = state.index.explain(student_id, offer_id, today, false);
            let decision = decisions.iter().find(|d| d.student_id == student_id);
            Candidate {
                student_id,
                score: matched.as_ref().map_or(0.0, |m| m.score),
                eligible: matched.is_some_and(|m| m.eligible),
                recruiter_rank: decision.and_then(|d| d.position).and_then(|p| u32::try_from(p).ok()),
                excluded: decision.is_some_and(|d| d.excluded),
            }
        })
        .collect();
    Ok(Ranking { campaign_id: campaign, offer_id, ranking, excluded, candidates })
}

/// The offer's ranking and its candidates.
pub async fn get_ranking(state: &Arc<AppState>, caller: Caller, id: i64, offer_id: i64) -> Result<Ranking, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (_, role, _) = load(conn, &caller, id)?;
        offer_for_ranking(conn, &caller, role, id, offer_id)?;
        ranking_view(&shared, conn, id, offer_id)
    })
    .await
}

/// Replaces the recruiter's ranking and exclusions for one offer, until the
/// campaign is published.
pub async fn put_ranking(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    offer_id: i64,
    draft: RankingDraft,
) -> Result<Ranking, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, role, _) = load(conn, &caller, id)?;
        offer_for_ranking(conn, &caller, role, id, offer_id)?;
        require_open(&row)?;
        let candidates: HashSet<i64> = store::candidates_of(conn, id, offer_id)?.into_iter().collect();
        ApiError::check(validate_ranking(&draft.ranking, &draft.excluded, |s| candidates.contains(&s)))?;
        crate::db::write_transaction(conn, |conn| -> Result<(), ApiError> {
            if !store::bump_inputs(conn, id)? {
                return Err(ApiError::conflict(crate::domain::Message::new("the-campaign-was-published-meanwhile")));
            }
            store::replace_ranking(conn, id, offer_id, &draft.ranking, &draft.excluded)?;
            Ok(())
        })?;
        ranking_view(&shared, conn, id, offer_id)
    })
    .await
}

/// Loads the inputs of a run: every choice with its score and eligibility now,
/// each offer's free positions and its recruiter's decisions.
fn load_instance(state: &AppState, conn: &mut DbConnection, row: &CampaignRow) -> Result<Instance, ApiError> {
    let today = Utc::now().date_naive();
    let mut offers: Vec<OfferSeats> = store::offers_of(conn, row.id)?
        .into_iter()
        .map(|o| {
            let open = o.status == OfferStatus::Open.as_str();
            let free = if open { (o.positions - o.positions_taken).max(0) } else { 0 };
            OfferSeats { offer_id: o.offer_id, capacity: u32::try_from(free).unwrap_or(0), ..OfferSeats::default() }
        })
        .collect();
    let position: HashMap<i64, usize> = offers.iter().enumerate().map(|(i, o)| (o.offer_id, i)).collect();
    for decision in store::rankings(conn, row.id, None)? {
        let Some(&i) = position.get(&decision.offer_id) else { continue };
        if decision.excluded {
            offers[i].excluded.push(decision.student_id);
        } else {
            offers[i].ranking.push(decision.student_id);
        }
    }
    let mut students: Vec<StudentChoices> = Vec::new();
    for (student_id, offer_id) in store::all_preferences(conn, row.id)? {
        if students.last().is_none_or(|s| s.student_id != student_id) {
            students.push(StudentChoices { student_id, choices: Vec::new() });
        }
        let matched = state.index.explain(student_id, offer_id, today, false);
        let choice = Choice {
            offer_id,
            score: matched.as_ref().map_or(0.0, |m| m.score),
            eligible: matched.is_some_and(|m| m.eligible),
        };
        if let Some(last) = students.last_mut() {
            last.choices.push(choice);
        }
    }
    Ok(Instance { seed: u64::try_from(row.seed).unwrap_or(0), students, offers })
}

/// Places the campaign's students by deferred acceptance on the inputs as
/// they are now, replacing the results of any earlier run.
pub async fn run_campaign(state: &Arc<AppState>, caller: Caller, id: i64) -> Result<Campaign, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let row = load_for_organiser(conn, &caller, id)?;
        let instance = load_instance(&shared, conn, &row)?;
        let outcome = allocation::run(&instance);
        let figures = serde_json::to_string(&outcome.figures).map_err(anyhow::Error::new)?;
        let offers_results: Vec<store::OfferResult> = outcome
            .offers
            .iter()
            .map(|o| store::OfferResult {
                offer_id: o.offer_id,
                capacity: i32::try_from(o.capacity).unwrap_or(i32::MAX),
                admitted: i32::try_from(o.admitted.len()).unwrap_or(i32::MAX),
                cutoff: o.cutoff.and_then(|c| serde_json::to_string(&c).ok()),
            })
            .collect();
        let assignments = outcome
            .students
            .iter()
            .map(|s| {
                Ok(store::NewAssignment {
                    student_id: s.student_id,
                    offer_id: s.assigned.map(|a| a.offer_id),
                    choice_rank: s.assigned.map(|a| a.choice_rank as i32),
                    outcome: serde_json::to_string(s).map_err(anyhow::Error::new)?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let stored = crate::db::write_transaction(conn, |conn| {
            store::store_run(conn, id, row.inputs_version, &figures, &offers_results, &assignments)
        })?;
        if !stored {
            return Err(ApiError::conflict(
                "preferences or rankings changed during the run, or the campaign was published; run it again",
            ));
        }
        reread(conn, id)
    })
    .await
}

fn assignment_view(row: store::AssignmentRow) -> Result<Assignment, ApiError> {
    let outcome: allocation::StudentOutcome =
        serde_json::from_str(&row.outcome).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let missed = outcome
        .missed
        .iter()
        .map(|m| {
            let (reason, lowest_admitted, yours) = match m.reason {
                MissReason::NotEligible => ("not_eligible", None, None),
                MissReason::Excluded => ("excluded", None, None),
                MissReason::NoPosition => ("no_position", None, None),
                MissReason::Filled { lowest_admitted, yours } => ("filled", Some(lowest_admitted), Some(yours)),
            };
            MissedChoice {
                offer_id: m.offer_id,
                choice_rank: m.choice_rank,
                reason: reason.into(),
                message: m.reason.message(),
                lowest_admitted,
                yours,
            }
        })
        .collect();
    Ok(Assignment {
        student_id: row.student_id,
        offer_id: outcome.assigned.map(|a| a.offer_id),
        choice_rank: outcome.assigned.map(|a| a.choice_rank),
        standing: outcome.assigned.map(|a| a.standing),
        missed,
        application_id: row.application_id,
    })
}

/// The assignments of the last run the caller may read: the organiser all of
/// them at any time; a student their own and a recruiter those to their
/// organisation's offers, once published.
pub async fn list_assignments(
    state: &AppState,
    caller: Caller,
    id: i64,
    query: AssignmentQuery,
) -> Result<Page<Assignment>, ApiError> {
    let page = PageQuery { limit: query.limit, cursor: query.cursor };
    let list = format!("assignments {id}");
    let (limit, after) = (page.limit()?, page.after::<i64>(&state.cursors, &list)?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        let (row, role, student) = load(conn, &caller, id)?;
        let published = row.status == store::PUBLISHED;
        let scope = match (role, student, caller.organisation_id) {
            (CampaignRole::Organiser, _, _) => AssignmentScope::All,
            (CampaignRole::Student, Some(student), _) => AssignmentScope::Student(student.id),
            (CampaignRole::Recruiter, _, Some(organisation)) => AssignmentScope::Organisation(organisation),
            _ => return Err(ApiError::Forbidden(crate::domain::Message::new("assignments-readers"))),
        };
        if scope != AssignmentScope::All && !published {
            return Ok(Page { items: Vec::new(), next_cursor: None });
        }
        let rows = store::assignments(conn, id, scope, after, limit)?;
        let (rows, next_cursor) = paginate(rows, limit, &cursors, &list, |r| r.student_id);
        let items = rows.into_iter().map(assignment_view).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    })
    .await
}

/// Makes one assignment an application in state `offered`, in the caller's
/// transaction: a new application, or the student's existing one to the offer
/// moved forward when it is still before `offered`. Returns its id.
fn offer_position(
    state: &AppState,
    conn: &mut DbConnection,
    actor: i64,
    campaign: i64,
    student_id: i64,
    offer_id: i64,
) -> Result<i64, ApiError> {
    let offered = ApplicationStatus::Offered.as_str();
    let note = format!("allocated by campaign {campaign}");
    if let Some((application, status)) = store::existing_application(conn, offer_id, student_id)? {
        let status: ApplicationStatus = parse(&status)?;
        if crate::domain::application::check_move(
            status,
            ApplicationStatus::Offered,
            crate::domain::application::ApplicationActor::Admin,
        )
        .is_ok()
        {
            if !applications::move_status(conn, application, status.as_str(), offered)? {
                return Err(ApiError::conflict(crate::domain::Message::new(
                    "an-application-of-the-campaign-was-moved-meanwhile-publish",
                )));
            }
            applications::record_event(conn, application, actor, Some(status.as_str()), offered, &note)?;
        }
        return Ok(application);
    }
    let offer = crate::store::offers::find(conn, offer_id)?.ok_or_else(|| ApiError::not_found("offer"))?;
    let (score, explanation) = crate::app::applications::scored_now(state, student_id, offer_id)?;
    let source = format!("campaign:{campaign}");
    let new = NewApplication {
        offer_id,
        student_id,
        organisation_id: offer.organisation_id,
        status: offered,
        cover_letter: "",
        source: &source,
        score,
        explanation: &explanation,
    };
    applications::insert(conn, &new, actor)?.ok_or_else(|| {
        ApiError::conflict(crate::domain::Message::new("the-student-applied-to-the-offer-meanwhile-publish-again"))
    })
}

/// Publishes the last run: each assignment becomes an application in state
/// `offered`, all at once; the campaign is then final.
pub async fn publish_campaign(state: &Arc<AppState>, caller: Caller, id: i64) -> Result<Campaign, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let row = load_for_organiser(conn, &caller, id)?;
        if window(row.opens_at.and_utc(), row.closes_at.and_utc(), Utc::now()) != Window::Closed {
            return Err(ApiError::conflict(
                crate::domain::Message::new("preference-window-open")
                    .arg("closes", row.closes_at.and_utc().to_rfc3339()),
            ));
        }
        if row.run_inputs_version != Some(row.inputs_version) {
            return Err(ApiError::conflict(
                "run_not_current: run the campaign after the last preference or ranking change, then publish",
            ));
        }
        crate::db::write_transaction(conn, |conn| -> Result<(), ApiError> {
            if !store::mark_published(conn, id)? {
                return Err(ApiError::conflict(crate::domain::Message::new(
                    "the-campaign-was-run-changed-or-published-meanwhile",
                )));
            }
            for (student_id, offer_id) in store::assigned(conn, id)? {
                let application = offer_position(&shared, conn, caller.account_id, id, student_id, offer_id)?;
                store::link_application(conn, id, student_id, application)?;
            }
            Ok(())
        })?;
        shared.refresh_index(conn);
        reread(conn, id)
    })
    .await
}
