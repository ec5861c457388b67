//! Allocation campaigns: the campaign, its offers, the students' preferences,
//! the recruiters' rankings and the assignments of the last run.
//!
//! Every write to a campaign's inputs first bumps `inputs_version` under the
//! condition that the campaign is still open; a run stores its results only if
//! the version is the one it read, and publishing only if the stored run saw
//! the current version. A write that loses one of these races changes nothing.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::calendar::{Instant, MaybeInstant};
use crate::db::schema::{
    campaign_assignments, campaign_offers, campaign_preferences, campaign_rankings, campaigns, offer_requirements,
    offers, skills,
};
use crate::db::DbConnection;
use crate::domain::OfferStatus;

/// Rows per multi-row INSERT, well below either backend's limit on bound values.
const CHUNK: usize = 500;

pub const OPEN: &str = "open";
pub const PUBLISHED: &str = "published";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub school_id: Option<i64>,
    pub created_by: i64,
    #[diesel(deserialize_as = Instant)]
    pub opens_at: NaiveDateTime,
    #[diesel(deserialize_as = Instant)]
    pub closes_at: NaiveDateTime,
    pub max_choices: i32,
    pub seed: i64,
    pub status: String,
    pub inputs_version: i64,
    pub run_inputs_version: Option<i64>,
    pub figures: Option<String>,
    #[diesel(deserialize_as = MaybeInstant)]
    pub run_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = MaybeInstant)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
}

/// A new campaign.
pub struct NewCampaign<'a> {
    pub name: &'a str,
    pub school_id: Option<i64>,
    pub created_by: i64,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub max_choices: i32,
    pub seed: i64,
}

/// Inserts the campaign and its offers, in the caller's transaction.
pub fn insert(conn: &mut DbConnection, new: &NewCampaign, offer_ids: &[i64]) -> QueryResult<i64> {
    let id: i64 = diesel::insert_into(campaigns::table)
        .values((
            campaigns::name.eq(new.name),
            campaigns::school_id.eq(new.school_id),
            campaigns::created_by.eq(new.created_by),
            campaigns::opens_at.eq(new.opens_at),
            campaigns::closes_at.eq(new.closes_at),
            campaigns::max_choices.eq(new.max_choices),
            campaigns::seed.eq(new.seed),
            campaigns::status.eq(OPEN),
            campaigns::inputs_version.eq(0i64),
            campaigns::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(campaigns::id)
        .get_result(conn)?;
    let rows: Vec<_> =
        offer_ids.iter().map(|&o| (campaign_offers::campaign_id.eq(id), campaign_offers::offer_id.eq(o))).collect();
    for chunk in rows.chunks(CHUNK) {
        let insert = diesel::insert_into(campaign_offers::table).values(chunk);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(id)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CampaignRow>> {
    campaigns::table.find(id).select(CampaignRow::as_select()).first(conn).optional()
}

/// Which campaigns a caller may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignScope {
    /// Admins.
    All,
    /// Students and staff of a school: network campaigns and the school's own.
    School(i64),
    /// Recruiters: campaigns holding one of the organisation's offers.
    Organisation(i64),
}

/// A page of campaigns in `scope`, newest first, before `before`.
pub fn list(
    conn: &mut DbConnection,
    scope: CampaignScope,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<CampaignRow>> {
    let mut query =
        campaigns::table.select(CampaignRow::as_select()).order(campaigns::id.desc()).limit(limit + 1).into_boxed();
    query = match scope {
        CampaignScope::All => query,
        CampaignScope::School(school) => {
            query.filter(campaigns::school_id.is_null().or(campaigns::school_id.eq(school)))
        }
        CampaignScope::Organisation(organisation) => {
            let holding = campaign_offers::table
                .inner_join(offers::table)
                .filter(offers::organisation_id.eq(organisation))
                .select(campaign_offers::campaign_id);
            query.filter(campaigns::id.eq_any(holding))
        }
    };
    if let Some(before) = before {
        query = query.filter(campaigns::id.lt(before));
    }
    query.load(conn)
}

/// Whether the campaign holds an offer of the organisation.
pub fn holds_offer_of(conn: &mut DbConnection, campaign: i64, organisation: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        campaign_offers::table
            .inner_join(offers::table)
            .filter(campaign_offers::campaign_id.eq(campaign))
            .filter(offers::organisation_id.eq(organisation)),
    ))
    .get_result(conn)
}

/// A campaign offer with the results of the last run and what the run needs of the offer.
#[derive(Debug, Clone, Queryable)]
pub struct CampaignOfferRow {
    pub offer_id: i64,
    pub organisation_id: i64,
    pub status: String,
    pub positions: i32,
    pub positions_taken: i32,
    pub capacity: Option<i32>,
    pub admitted: Option<i32>,
    pub cutoff: Option<String>,
}

/// The campaign's offers, by id.
pub fn offers_of(conn: &mut DbConnection, campaign: i64) -> QueryResult<Vec<CampaignOfferRow>> {
    campaign_offers::table
        .inner_join(offers::table)
        .filter(campaign_offers::campaign_id.eq(campaign))
        .order(campaign_offers::offer_id.asc())
        .select((
            campaign_offers::offer_id,
            offers::organisation_id,
            offers::status,
            offers::positions,
            offers::positions_taken,
            campaign_offers::capacity,
            campaign_offers::admitted,
            campaign_offers::cutoff,
        ))
        .load(conn)
}

/// Of these ids, the offers that exist and are open.
pub fn open_among(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    offers::table
        .filter(offers::id.eq_any(ids))
        .filter(offers::status.eq(OfferStatus::Open.as_str()))
        .select(offers::id)
        .load(conn)
}

/// What selects a campaign's offers when no ids are given.
#[derive(Debug, Clone, Default)]
pub struct OfferSelection {
    pub kind: Option<String>,
    /// Offers asking for at least one skill of this domain.
    pub domain: Option<String>,
    pub start_from: Option<NaiveDate>,
    pub start_until: Option<NaiveDate>,
}

/// The open offers the selection picks, by id, at most `limit + 1`.
pub fn open_matching(conn: &mut DbConnection, selection: &OfferSelection, limit: i64) -> QueryResult<Vec<i64>> {
    let mut query = offers::table
        .filter(offers::status.eq(OfferStatus::Open.as_str()))
        .select(offers::id)
        .order(offers::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(kind) = &selection.kind {
        query = query.filter(offers::kind.eq(kind.clone()));
    }
    if let Some(from) = selection.start_from {
        query = query.filter(offers::start_date.ge(from));
    }
    if let Some(until) = selection.start_until {
        query = query.filter(offers::start_date.le(until));
    }
    if let Some(domain) = &selection.domain {
        let in_domain = offer_requirements::table
            .inner_join(skills::table)
            .filter(skills::domain.eq(domain.clone()))
            .select(offer_requirements::offer_id);
        query = query.filter(offers::id.eq_any(in_domain));
    }
    query.load(conn)
}

/// Marks a change of the campaign's inputs, in the caller's transaction;
/// false when the campaign is no longer open.
pub fn bump_inputs(conn: &mut DbConnection, campaign: i64) -> QueryResult<bool> {
    let updated = diesel::update(campaigns::table.find(campaign).filter(campaigns::status.eq(OPEN)))
        .set(campaigns::inputs_version.eq(campaigns::inputs_version + 1))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Replaces the student's ordered choices, in the caller's transaction.
pub fn replace_preferences(conn: &mut DbConnection, campaign: i64, student: i64, offer_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(
        campaign_preferences::table
            .filter(campaign_preferences::campaign_id.eq(campaign))
            .filter(campaign_preferences::student_id.eq(student)),
    )
    .execute(conn)?;
    let rows: Vec<_> = offer_ids
        .iter()
        .enumerate()
        .map(|(i, &offer)| {
            (
                campaign_preferences::campaign_id.eq(campaign),
                campaign_preferences::student_id.eq(student),
                campaign_preferences::choice_rank.eq(i as i32 + 1),
                campaign_preferences::offer_id.eq(offer),
            )
        })
        .collect();
    if !rows.is_empty() {
        let insert = diesel::insert_into(campaign_preferences::table).values(&rows);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// The student's choices, best first.
pub fn preferences_of(conn: &mut DbConnection, campaign: i64, student: i64) -> QueryResult<Vec<i64>> {
    campaign_preferences::table
        .filter(campaign_preferences::campaign_id.eq(campaign))
        .filter(campaign_preferences::student_id.eq(student))
        .order(campaign_preferences::choice_rank.asc())
        .select(campaign_preferences::offer_id)
        .load(conn)
}

/// Every choice of the campaign as (student, offer), by student then rank.
pub fn all_preferences(conn: &mut DbConnection, campaign: i64) -> QueryResult<Vec<(i64, i64)>> {
    campaign_preferences::table
        .filter(campaign_preferences::campaign_id.eq(campaign))
        .order((campaign_preferences::student_id.asc(), campaign_preferences::choice_rank.asc()))
        .select((campaign_preferences::student_id, campaign_preferences::offer_id))
        .load(conn)
}

/// The students who ranked the offer in the campaign, by id.
pub fn candidates_of(conn: &mut DbConnection, campaign: i64, offer: i64) -> QueryResult<Vec<i64>> {
    campaign_preferences::table
        .filter(campaign_preferences::campaign_id.eq(campaign))
        .filter(campaign_preferences::offer_id.eq(offer))
        .order(campaign_preferences::student_id.asc())
        .select(campaign_preferences::student_id)
        .load(conn)
}

/// One recruiter decision: a rank from 1, or an exclusion.
#[derive(Debug, Clone, Queryable)]
pub struct RankingRow {
    pub offer_id: i64,
    pub student_id: i64,
    pub position: Option<i32>,
    pub excluded: bool,
}

/// Replaces the recruiter's ranking and exclusions for one offer, in the
/// caller's transaction.
pub fn replace_ranking(
    conn: &mut DbConnection,
    campaign: i64,
    offer: i64,
    ranking: &[i64],
    excluded: &[i64],
) -> QueryResult<()> {
    diesel::delete(
        campaign_rankings::table
            .filter(campaign_rankings::campaign_id.eq(campaign))
            .filter(campaign_rankings::offer_id.eq(offer)),
    )
    .execute(conn)?;
    let ranked = ranking.iter().enumerate().map(|(i, &s)| (s, Some(i as i32 + 1), false));
    let rows: Vec<_> = ranked
        .chain(excluded.iter().map(|&s| (s, None, true)))
        .map(|(student, position, excluded)| {
            (
                campaign_rankings::campaign_id.eq(campaign),
                campaign_rankings::offer_id.eq(offer),
                campaign_rankings::student_id.eq(student),
                campaign_rankings::position.eq(position),
                campaign_rankings::excluded.eq(excluded),
            )
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        let insert = diesel::insert_into(campaign_rankings::table).values(chunk);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// The campaign's recruiter decisions, for one offer or all, by offer then rank.
pub fn rankings(conn: &mut DbConnection, campaign: i64, offer: Option<i64>) -> QueryResult<Vec<RankingRow>> {
    let mut query = campaign_rankings::table
        .filter(campaign_rankings::campaign_id.eq(campaign))
        .order((campaign_rankings::offer_id.asc(), campaign_rankings::position.asc()))
        .select((
            campaign_rankings::offer_id,
            campaign_rankings::student_id,
            campaign_rankings::position,
            campaign_rankings::excluded,
        ))
        .into_boxed();
    if let Some(offer) = offer {
        query = query.filter(campaign_rankings::offer_id.eq(offer));
    }
    query.load(conn)
}

/// One offer's result of a run.
pub struct OfferResult {
    pub offer_id: i64,
    pub capacity: i32,
    pub admitted: i32,
    pub cutoff: Option<String>,
}

/// One student's result of a run.
pub struct NewAssignment {
    pub student_id: i64,
    pub offer_id: Option<i64>,
    pub choice_rank: Option<i32>,
    pub outcome: String,
}

/// Replaces the results of the last run, in the caller's transaction; false
/// (and nothing written) when the campaign is no longer open or its inputs
/// changed since `inputs_version` was read.
pub fn store_run(
    conn: &mut DbConnection,
    campaign: i64,
    inputs_version: i64,
    figures: &str,
    offers_results: &[OfferResult],
    assignments: &[NewAssignment],
) -> QueryResult<bool> {
    let updated = diesel::update(
        campaigns::table
            .find(campaign)
            .filter(campaigns::status.eq(OPEN))
            .filter(campaigns::inputs_version.eq(inputs_version)),
    )
    .set((
        campaigns::run_inputs_version.eq(inputs_version),
        campaigns::figures.eq(figures),
        campaigns::run_at.eq(Utc::now().naive_utc()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    for result in offers_results {
        diesel::update(campaign_offers::table.find((campaign, result.offer_id)))
            .set((
                campaign_offers::capacity.eq(result.capacity),
                campaign_offers::admitted.eq(result.admitted),
                campaign_offers::cutoff.eq(result.cutoff.as_deref()),
            ))
            .execute(conn)?;
    }
    diesel::delete(campaign_assignments::table.filter(campaign_assignments::campaign_id.eq(campaign))).execute(conn)?;
    let rows: Vec<_> = assignments
        .iter()
        .map(|a| {
            (
                campaign_assignments::campaign_id.eq(campaign),
                campaign_assignments::student_id.eq(a.student_id),
                campaign_assignments::offer_id.eq(a.offer_id),
                campaign_assignments::choice_rank.eq(a.choice_rank),
                campaign_assignments::outcome.eq(a.outcome.as_str()),
            )
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        let insert = diesel::insert_into(campaign_assignments::table).values(chunk);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(true)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaign_assignments)]
pub struct AssignmentRow {
    pub student_id: i64,
    pub offer_id: Option<i64>,
    pub choice_rank: Option<i32>,
    pub outcome: String,
    pub application_id: Option<i64>,
}

/// Whose assignments a caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentScope {
    All,
    Student(i64),
    /// Students assigned to one of these offers (a recruiter's).
    Organisation(i64),
}

/// A page of the campaign's assignments in `scope`, by student id, after `after`.
pub fn assignments(
    conn: &mut DbConnection,
    campaign: i64,
    scope: AssignmentScope,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AssignmentRow>> {
    let mut query = campaign_assignments::table
        .filter(campaign_assignments::campaign_id.eq(campaign))
        .order(campaign_assignments::student_id.asc())
        .limit(limit + 1)
        .select(AssignmentRow::as_select())
        .into_boxed();
    query = match scope {
        AssignmentScope::All => query,
        AssignmentScope::Student(student) => query.filter(campaign_assignments::student_id.eq(student)),
        AssignmentScope::Organisation(organisation) => {
            let own = offers::table.filter(offers::organisation_id.eq(organisation)).select(offers::id.nullable());
            query.filter(campaign_assignments::offer_id.eq_any(own))
        }
    };
    if let Some(after) = after {
        query = query.filter(campaign_assignments::student_id.gt(after));
    }
    query.load(conn)
}

/// Every assignment to an offer, for publishing.
pub fn assigned(conn: &mut DbConnection, campaign: i64) -> QueryResult<Vec<(i64, i64)>> {
    campaign_assignments::table
        .filter(campaign_assignments::campaign_id.eq(campaign))
        .filter(campaign_assignments::offer_id.is_not_null())
        .order(campaign_assignments::student_id.asc())
        .select((campaign_assignments::student_id, campaign_assignments::offer_id.assume_not_null()))
        .load(conn)
}

/// Closes the campaign for good, in the caller's transaction; false when it
/// is not open, was never run, or its inputs changed since the last run.
pub fn mark_published(conn: &mut DbConnection, campaign: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        campaigns::table
            .find(campaign)
            .filter(campaigns::status.eq(OPEN))
            .filter(campaigns::run_inputs_version.eq(campaigns::inputs_version.nullable())),
    )
    .set((campaigns::status.eq(PUBLISHED), campaigns::published_at.eq(Utc::now().naive_utc())))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Records the application publishing made for an assignment.
pub fn link_application(conn: &mut DbConnection, campaign: i64, student: i64, application: i64) -> QueryResult<()> {
    diesel::update(campaign_assignments::table.find((campaign, student)))
        .set(campaign_assignments::application_id.eq(application))
        .execute(conn)?;
    Ok(())
}

/// Whether a school has this id.
pub fn school_exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    use crate::db::schema::schools;
    diesel::select(diesel::dsl::exists(schools::table.find(id))).get_result(conn)
}

/// The student's application to the offer, if any, with its status.
pub fn existing_application(conn: &mut DbConnection, offer: i64, student: i64) -> QueryResult<Option<(i64, String)>> {
    use crate::db::schema::applications;
    applications::table
        .filter(applications::offer_id.eq(offer))
        .filter(applications::student_id.eq(student))
        .select((applications::id, applications::status))
        .first(conn)
        .optional()
}
