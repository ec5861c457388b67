//! Matching: ranked offers for a student, ranked candidates for an offer, and
//! the score of one pair with what is met and missing.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::offers::visible_offer;
use crate::app::personal_data::record_reading;
use crate::app::students::visible_student;
use crate::app::trainings::{Catalogue, GapTrainings};
use crate::app::AppState;
use crate::auth::policy::{self, StudentView};
use crate::auth::Caller;
use crate::domain::student::ProfileReading;
use crate::domain::OfferKind;
use crate::error::ApiError;
use crate::live_index::LiveIndex;
use crate::matching::{MatchResult, MissingSkill, SkillMatch};
use crate::store::students;

/// A skill the student holds for a requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SkillCredit {
    #[schema(example = "python")]
    pub skill: String,
    /// The student's level (through the taxonomy: a skill counts for its broader skills at the same level).
    #[schema(example = 4)]
    pub student_level: u8,
    /// The requirement's minimum level m.
    #[schema(example = 3)]
    pub required_level: u8,
    /// The requirement's weight w.
    #[schema(example = 4)]
    pub weight: u8,
    /// w when the level meets m; w·l/m below it.
    #[schema(example = 4.0)]
    pub credit: f64,
    #[schema(example = true)]
    pub required: bool,
}

/// A requirement the student does not hold at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MissingRequirement {
    #[schema(example = "python")]
    pub skill: String,
    #[schema(example = 3)]
    pub required_level: u8,
    #[schema(example = 4)]
    pub weight: u8,
}

/// Why a score is what it is. An application keeps the one computed when the
/// student applied, in this same form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    /// Requirements held at or above their level.
    pub met: Vec<SkillCredit>,
    /// Requirements held below their level (partial credit; a required one makes the student ineligible).
    pub partially_met: Vec<SkillCredit>,
    /// Required skills the student lacks.
    pub missing_required: Vec<MissingRequirement>,
    /// Preferred skills the student lacks.
    pub missing_preferred: Vec<MissingRequirement>,
    /// Hard filters that fail.
    #[schema(example = json!(["deadline_passed"]))]
    pub failed_filters: Vec<crate::matching::rules::HardFilter>,
}

/// One scored pair of a student and an offer.
///
/// score = Σ credit ÷ Σ weight over the offer's requirements, in [0, 1]; eligible when every required skill
/// is held at its level and every hard filter passes. Rankings order by score, then number of preferred skills
/// met, then id.
#[derive(Debug, Serialize, ToSchema)]
pub struct Match {
    #[schema(example = 12)]
    pub student_id: i64,
    #[schema(example = 7)]
    pub offer_id: i64,
    #[schema(example = 0.8125)]
    pub score: f64,
    #[schema(example = true)]
    pub eligible: bool,
    /// Preferred skills held at their level.
    #[schema(example = 1)]
    pub preferred_met: u32,
    /// The offer's title (in rankings of offers).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Stage PFE – Data Scientist")]
    pub offer_title: Option<String>,
    /// The candidate's name (in rankings of candidates).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Salma Bennani")]
    pub student_name: Option<String>,
    pub explanation: Explanation,
    /// Near misses only (`include=near_misses`): what closing the gaps would bring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_miss: Option<NearMissGain>,
    /// In the gap view of a pair and in near misses: each skill missing or
    /// held below the offer's level (in a near miss, the required ones that
    /// stand in the way), required ones first, with the trainings that close it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_trainings: Option<Vec<GapTrainings>>,
}

/// What a near miss would gain once its gaps are closed.
#[derive(Debug, Serialize, ToSchema)]
pub struct NearMissGain {
    /// The score with every gap closed at its required level.
    #[schema(example = 0.95)]
    pub score_if_closed: f64,
    /// `score_if_closed - score`: near misses are ranked by it, largest first,
    /// then by fewer gaps, then by the higher score once closed, then by offer id.
    #[schema(example = 0.25)]
    pub gain: f64,
}

/// What a ranking of offers adds to the eligible ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchInclude {
    /// After the eligible offers, up to `limit` open offers the student would
    /// be eligible for with at most two required skills more (or one level
    /// more on a held one), every other rule being met, ranked by gain.
    NearMisses,
}

fn credit_view(index: &LiveIndex, m: &SkillMatch) -> SkillCredit {
    SkillCredit {
        skill: index.slug(m.skill.0),
        student_level: m.student_level,
        required_level: m.required_level,
        weight: m.weight,
        credit: m.credit,
        required: m.required,
    }
}

fn gap_view(index: &LiveIndex, m: &MissingSkill) -> MissingRequirement {
    MissingRequirement { skill: index.slug(m.skill.0), required_level: m.required_level, weight: m.weight }
}

/// The explanation of a scored pair as clients see it: skills by slug.
pub fn explanation_of(index: &LiveIndex, result: &MatchResult) -> Explanation {
    Explanation {
        met: result.met.iter().map(|m| credit_view(index, m)).collect(),
        partially_met: result.partially_met.iter().map(|m| credit_view(index, m)).collect(),
        missing_required: result.missing_required.iter().map(|m| gap_view(index, m)).collect(),
        missing_preferred: result.missing_preferred.iter().map(|m| gap_view(index, m)).collect(),
        failed_filters: result.failed_filters.clone(),
    }
}

fn match_view(index: &LiveIndex, result: MatchResult) -> Match {
    Match {
        explanation: explanation_of(index, &result),
        student_id: result.student_id,
        offer_id: result.offer_id,
        score: result.score,
        eligible: result.eligible,
        preferred_met: result.preferred_met,
        offer_title: None,
        student_name: None,
        near_miss: None,
        suggested_trainings: None,
    }
}

/// Parameters of a ranking of offers for a student.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StudentMatchQuery {
    /// Only offers of this kind.
    #[param(example = "internship")]
    pub kind: Option<OfferKind>,
    /// Results, 1 to 100 (default 20); with near misses, up to as many near misses again.
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    /// `near_misses` adds the near misses after the eligible offers.
    #[param(inline, example = "near_misses")]
    pub include: Option<MatchInclude>,
}

/// Parameters of a ranking.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    /// Only offers of this kind (rankings of offers).
    #[param(example = "internship")]
    pub kind: Option<OfferKind>,
    /// Results, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
}

fn full_view_of(conn: &mut crate::db::DbConnection, caller: &Caller, id: i64) -> Result<(), ApiError> {
    match visible_student(conn, caller, id)? {
        (_, StudentView::Full) => Ok(()),
        _ => Err(ApiError::not_found("student")),
    }
}

/// Open offers ranked for a student the caller sees in full, eligible ones
/// only, then with `include` their near misses.
pub async fn offers_for_student(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    kind: Option<OfferKind>,
    limit: usize,
    include: Option<MatchInclude>,
) -> Result<Vec<Match>, ApiError> {
    let today = Utc::now().date_naive();
    if include.is_none() && policy::is_own_record(&caller, id) {
        // Everything a student's own ranking needs is in memory, and nobody
        // else's reading is recorded: no database round trip.
        return Ok(ranked_offers(&state.index, id, kind, limit, today));
    }
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        full_view_of(conn, &caller, id)?;
        record_reading(conn, &caller, &[id], ProfileReading::OfferRanking, None)?;
        let index = &shared.index;
        let mut results = ranked_offers(index, id, kind, limit, today);
        if include == Some(MatchInclude::NearMisses) {
            let catalogue = shared.catalogue.get_or_load(today, || Catalogue::load(conn, today))?;
            for near in index.near_misses(id, kind, limit, today) {
                let Some(result) = index.explain(id, near.offer_id, today, false) else { continue };
                let gaps = near
                    .gaps
                    .iter()
                    .map(|g| {
                        catalogue.for_gap(
                            i64::from(g.skill.0),
                            index.slug(g.skill.0),
                            g.held_level,
                            g.required_level,
                            true,
                        )
                    })
                    .collect();
                results.push(Match {
                    near_miss: Some(NearMissGain { score_if_closed: near.score_if_closed, gain: near.gain() }),
                    suggested_trainings: Some(gaps),
                    offer_title: index.offer_title(result.offer_id),
                    ..match_view(index, result)
                });
            }
        }
        Ok(results)
    })
    .await
}

/// The eligible open offers for a student, best first, named.
fn ranked_offers(index: &LiveIndex, id: i64, kind: Option<OfferKind>, limit: usize, today: NaiveDate) -> Vec<Match> {
    index
        .offers_for_student(id, kind, limit, today)
        .into_iter()
        .map(|r| Match { offer_title: index.offer_title(r.offer_id), ..match_view(index, r) })
        .collect()
}

/// Eligible candidates ranked for an offer of the caller's organisation.
pub async fn candidates_for_offer(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    limit: usize,
) -> Result<Vec<Match>, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let (offer, _) = visible_offer(conn, &caller, id)?;
        if !(policy::can_edit_offer(&caller, offer.organisation_id) || caller.role == crate::domain::Role::Admin) {
            return Err(ApiError::Forbidden(crate::domain::Message::new(
                "only-recruiters-of-the-offer-s-organisation-rank-its",
            )));
        }
        let results = shared.index.candidates_for_offer(id, limit, Utc::now().date_naive());
        let ids: Vec<i64> = results.iter().map(|r| r.student_id).collect();
        record_reading(conn, &caller, &ids, ProfileReading::CandidateRanking, Some(id))?;
        let names = students::names(conn, &ids)?;
        Ok(results
            .into_iter()
            .map(|r| {
                let name = names.get(&r.student_id).cloned();
                Match { student_name: name, ..match_view(&shared.index, r) }
            })
            .collect())
    })
    .await
}

/// The score and explanation of one offer for a student, eligible or not (the gap view).
pub async fn explain_pair(state: &Arc<AppState>, caller: Caller, id: i64, offer_id: i64) -> Result<Match, ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        full_view_of(conn, &caller, id)?;
        let (offer, _) = visible_offer(conn, &caller, offer_id)?;
        let result = shared
            .index
            .explain(id, offer_id, Utc::now().date_naive(), false)
            .ok_or_else(|| ApiError::not_found("student profile or offer in the matching index"))?;
        record_reading(conn, &caller, &[id], ProfileReading::PairExplanation, Some(offer_id))?;
        let today = Utc::now().date_naive();
        let catalogue = shared.catalogue.get_or_load(today, || Catalogue::load(conn, today))?;
        let index = &shared.index;
        let short = result.partially_met.iter().map(|m| (m.skill, m.student_level, m.required_level, m.required));
        let missing = result.missing_required.iter().map(|m| (m.skill, 0, m.required_level, true));
        let missing = missing.chain(result.missing_preferred.iter().map(|m| (m.skill, 0, m.required_level, false)));
        let mut gaps: Vec<GapTrainings> = short
            .chain(missing)
            .map(|(skill, held, level, required)| {
                catalogue.for_gap(i64::from(skill.0), index.slug(skill.0), held, level, required)
            })
            .collect();
        gaps.sort_by(|a, b| b.required.cmp(&a.required).then_with(|| a.skill.cmp(&b.skill)));
        Ok(Match { offer_title: Some(offer.title), suggested_trainings: Some(gaps), ..match_view(index, result) })
    })
    .await
}
