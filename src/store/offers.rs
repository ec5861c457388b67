//! Offers and their skill requirements.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::calendar::{Instant, MaybeDay, MaybeInstant};
use crate::db::schema::{offer_requirements, offers, skills};
use crate::db::DbConnection;
use crate::domain::search::contains_pattern;
use crate::domain::OfferStatus;
use crate::store::{change_feed, taxonomy};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = offers)]
pub struct OfferRow {
    pub id: i64,
    pub organisation_id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub city: String,
    pub work_mode: String,
    #[diesel(deserialize_as = MaybeDay)]
    pub start_date: Option<NaiveDate>,
    pub duration_months: Option<i32>,
    pub positions: i32,
    pub positions_taken: i32,
    pub min_degree_level: Option<String>,
    #[diesel(deserialize_as = MaybeDay)]
    pub deadline: Option<NaiveDate>,
    pub stipend_mad: Option<i32>,
    pub languages: String,
    pub status: String,
    pub version: i64,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Instant)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = MaybeInstant)]
    pub published_at: Option<NaiveDateTime>,
}

/// What the offer list pages by, and what names an offer's view exactly:
/// every change to an offer or its requirements moves its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = offers)]
pub struct OfferKey {
    pub id: i64,
    pub version: i64,
    #[diesel(deserialize_as = MaybeDay)]
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable)]
pub struct RequirementRow {
    pub offer_id: i64,
    pub skill_id: i64,
    pub slug: String,
    pub min_level: i32,
    pub weight: i32,
    pub required: bool,
}

/// The stored fields of an offer, validated and encoded.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = offers, treat_none_as_null = true)]
pub struct OfferFields {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub city: String,
    pub work_mode: String,
    pub start_date: Option<NaiveDate>,
    pub duration_months: Option<i32>,
    pub positions: i32,
    pub min_degree_level: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub stipend_mad: Option<i32>,
    pub languages: String,
}

impl OfferFields {
    /// Encodes a validated draft for storage.
    pub fn from_draft(draft: &crate::domain::offer::OfferDraft) -> Self {
        Self {
            kind: draft.kind.as_str().into(),
            title: draft.title.trim().into(),
            description: draft.description.trim().into(),
            city: draft.city.trim().into(),
            work_mode: draft.work_mode.as_str().into(),
            start_date: draft.start_date,
            duration_months: draft.duration_months.map(i32::from),
            positions: i32::try_from(draft.positions).unwrap_or(i32::MAX),
            min_degree_level: draft.min_degree_level.map(|d| d.as_str().into()),
            deadline: draft.deadline,
            stipend_mad: draft.stipend_mad.and_then(|s| i32::try_from(s).ok()),
            languages: serde_json::to_string(&draft.languages).unwrap_or_else(|_| "[]".into()),
        }
    }
}

/// A requirement by skill id: (skill, min level, weight, required).
pub type RequirementKey = (i64, i32, i32, bool);

fn write_requirements(conn: &mut DbConnection, offer_id: i64, requirements: &[RequirementKey]) -> QueryResult<()> {
    diesel::delete(offer_requirements::table.filter(offer_requirements::offer_id.eq(offer_id))).execute(conn)?;
    let rows: Vec<_> = requirements
        .iter()
        .map(|(skill_id, min_level, weight, required)| {
            (
                offer_requirements::offer_id.eq(offer_id),
                offer_requirements::skill_id.eq(*skill_id),
                offer_requirements::min_level.eq(*min_level),
                offer_requirements::weight.eq(*weight),
                offer_requirements::required.eq(*required),
            )
        })
        .collect();
    if !rows.is_empty() {
        let insert = diesel::insert_into(offer_requirements::table).values(&rows);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// Creates a draft offer with its requirements.
pub fn insert(
    conn: &mut DbConnection,
    organisation_id: i64,
    created_by: i64,
    fields: &OfferFields,
    requirements: &[RequirementKey],
) -> QueryResult<i64> {
    crate::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        let id = diesel::insert_into(offers::table)
            .values((
                fields,
                offers::organisation_id.eq(organisation_id),
                offers::created_by.eq(created_by),
                offers::status.eq(OfferStatus::Draft.as_str()),
                offers::created_at.eq(now),
                offers::updated_at.eq(now),
            ))
            .returning(offers::id)
            .get_result(conn)?;
        write_requirements(conn, id, requirements)?;
        crate::store::search::refresh_offer(conn, id)?;
        change_feed::record(conn, change_feed::OFFER, id)?;
        Ok(id)
    })
}

/// Replaces the fields and requirements when the version is still `expected`.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i64,
    fields: &OfferFields,
    requirements: &[RequirementKey],
) -> QueryResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        let updated = diesel::update(offers::table.find(id).filter(offers::version.eq(expected_version)))
            .set((fields, offers::version.eq(expected_version + 1), offers::updated_at.eq(Utc::now().naive_utc())))
            .execute(conn)?;
        if updated == 0 {
            return Ok(false);
        }
        write_requirements(conn, id, requirements)?;
        crate::store::search::refresh_offer(conn, id)?;
        change_feed::record(conn, change_feed::OFFER, id)?;
        Ok(true)
    })
}

/// Moves an offer from `from` to `to` if it is still in `from`.
pub fn set_status(conn: &mut DbConnection, id: i64, from: OfferStatus, to: OfferStatus) -> QueryResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        let target = offers::table.find(id).filter(offers::status.eq(from.as_str()));
        let updated = if to == OfferStatus::Open && from == OfferStatus::Draft {
            diesel::update(target)
                .set((
                    offers::status.eq(to.as_str()),
                    offers::published_at.eq(now),
                    offers::version.eq(offers::version + 1),
                    offers::updated_at.eq(now),
                ))
                .execute(conn)?
        } else {
            diesel::update(target)
                .set((
                    offers::status.eq(to.as_str()),
                    offers::version.eq(offers::version + 1),
                    offers::updated_at.eq(now),
                ))
                .execute(conn)?
        };
        if updated == 1 {
            change_feed::record(conn, change_feed::OFFER, id)?;
        }
        Ok(updated == 1)
    })
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<OfferRow>> {
    // On the path of every offer read, ranking and application: the backend's
    // own connection binds the prepared statement without writing its SQL out again.
    let query = offers::table.find(id);
    crate::per_backend!(conn, |c| query.select(OfferRow::as_select()).first(c)).optional()
}

/// These offers, in no particular order.
pub fn rows(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<OfferRow>> {
    match ids {
        [] => Ok(Vec::new()),
        [id] => Ok(find(conn, *id)?.into_iter().collect()),
        _ => offers::table.filter(offers::id.eq_any(ids)).select(OfferRow::as_select()).load(conn),
    }
}

/// Requirements of the given offers, by offer then slug.
pub fn requirements_of(conn: &mut DbConnection, offer_ids: &[i64]) -> QueryResult<Vec<RequirementRow>> {
    let columns = (
        offer_requirements::offer_id,
        offer_requirements::skill_id,
        skills::slug,
        offer_requirements::min_level,
        offer_requirements::weight,
        offer_requirements::required,
    );
    let order = (offer_requirements::offer_id.asc(), skills::slug.asc());
    let query = offer_requirements::table.inner_join(skills::table).select(columns).order(order);
    match offer_ids {
        // One offer (its page, every write answering with it) by equality: a
        // statement that stays prepared, which diesel does not keep for
        // `eq_any`, bound on the backend's own connection.
        [id] => {
            let query = query.filter(offer_requirements::offer_id.eq(*id));
            crate::per_backend!(conn, |c| query.load(c))
        }
        _ => query.filter(offer_requirements::offer_id.eq_any(offer_ids)).load(conn),
    }
}

/// Order of the offer list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferSort {
    /// Most recently created first.
    Newest,
    /// Earliest deadline first; offers without a deadline last.
    Deadline,
}

/// Where a page of offers resumes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum OfferCursor {
    Newest(i64),
    Deadline(Option<NaiveDate>, i64),
}

/// Filters of the offer list, and what the caller may see.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfferFilter {
    pub kind: Option<String>,
    pub city: Option<String>,
    pub work_mode: Option<String>,
    pub domain: Option<String>,
    /// Offers asking for this skill or a narrower one.
    pub skill_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub status: Option<String>,
    pub q: Option<String>,
    /// Only offers changed strictly after this instant.
    pub updated_since: Option<NaiveDateTime>,
    /// The caller's organisation, whose drafts and closed offers they also see.
    pub own_organisation: Option<i64>,
    /// Admins see every offer.
    pub see_all: bool,
}

/// The keys of the offers the filter lets through, in the order asked, from
/// `after` on: one more than `limit`, which tells whether a page follows.
pub fn list(
    conn: &mut DbConnection,
    filter: &OfferFilter,
    sort: OfferSort,
    after: Option<OfferCursor>,
    limit: i64,
) -> QueryResult<Vec<OfferKey>> {
    let unfiltered = OfferFilter { own_organisation: filter.own_organisation, ..OfferFilter::default() };
    if sort == OfferSort::Newest && *filter == unfiltered {
        let below = match after {
            Some(OfferCursor::Newest(id)) => id,
            _ => i64::MAX,
        };
        return newest_visible(conn, filter.own_organisation, below, limit);
    }
    // Two equalities rather than `IN`: SQLite keeps a statement with a fixed
    // number of bound values prepared (diesel does not cache `eq_any`), and
    // plans both forms alike.
    let public = offers::status.eq(OfferStatus::Open.as_str()).or(offers::status.eq(OfferStatus::Filled.as_str()));
    let mut query = offers::table.select(OfferKey::as_select()).limit(limit + 1).into_boxed();
    if !filter.see_all {
        query = match filter.own_organisation {
            Some(own) => query.filter(public.or(offers::organisation_id.eq(own))),
            None => query.filter(public),
        };
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(offers::kind.eq(kind.clone()));
    }
    if let Some(city) = &filter.city {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(offers.city) = ")
                .bind::<diesel::sql_types::Text, _>(city.trim().to_lowercase()),
        );
    }
    if let Some(work_mode) = &filter.work_mode {
        query = query.filter(offers::work_mode.eq(work_mode.clone()));
    }
    if let Some(organisation_id) = filter.organisation_id {
        query = query.filter(offers::organisation_id.eq(organisation_id));
    }
    if let Some(status) = &filter.status {
        query = query.filter(offers::status.eq(status.clone()));
    }
    if let Some(domain) = &filter.domain {
        let in_domain = offer_requirements::table
            .inner_join(skills::table)
            .filter(skills::domain.eq(domain.clone()))
            .select(offer_requirements::offer_id);
        query = query.filter(offers::id.eq_any(in_domain));
    }
    if let Some(skill_id) = filter.skill_id {
        let narrower = taxonomy::descendants_of(conn, skill_id)?;
        let asking = offer_requirements::table
            .filter(offer_requirements::skill_id.eq_any(narrower))
            .select(offer_requirements::offer_id);
        query = query.filter(offers::id.eq_any(asking));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(offers::updated_at.gt(since));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(offers::search_text.like(contains_pattern(q)).escape('\\'));
    }
    query = match (sort, after) {
        (OfferSort::Newest, after) => {
            let query = query.order(offers::id.desc());
            match after {
                Some(OfferCursor::Newest(id)) => query.filter(offers::id.lt(id)),
                _ => query,
            }
        }
        (OfferSort::Deadline, after) => {
            let query = query.order((offers::deadline.is_null().asc(), offers::deadline.asc(), offers::id.asc()));
            match after {
                Some(OfferCursor::Deadline(Some(deadline), id)) => query.filter(
                    offers::deadline
                        .gt(deadline)
                        .or(offers::deadline.eq(deadline).and(offers::id.gt(id)))
                        .or(offers::deadline.is_null()),
                ),
                Some(OfferCursor::Deadline(None, id)) => {
                    query.filter(offers::deadline.is_null().and(offers::id.gt(id)))
                }
                _ => query,
            }
        }
    };
    query.load(conn)
}

/// The list as most callers see it, newest first with no filter but what the
/// caller may see (the public offers and their own organisation's), below id
/// `below`: one statement whatever the caller and the page, bound on the
/// backend's own connection. The boxed query of [`list`] is written out as
/// SQL again for every request, a seventh of browsing; this one stays prepared.
fn newest_visible(
    conn: &mut DbConnection,
    own_organisation: Option<i64>,
    below: i64,
    limit: i64,
) -> QueryResult<Vec<OfferKey>> {
    // `organisation_id = NULL` holds for no offer: a caller without an
    // organisation sees the public ones alone.
    let visible = offers::status
        .eq(OfferStatus::Open.as_str())
        .or(offers::status.eq(OfferStatus::Filled.as_str()))
        .or(offers::organisation_id.nullable().eq(own_organisation));
    let query = offers::table.filter(visible.and(offers::id.lt(below))).order(offers::id.desc()).limit(limit + 1);
    crate::per_backend!(conn, |c| query.select(OfferKey::as_select()).load(c))
}

/// The titles of these offers, by id.
pub fn titles(conn: &mut DbConnection, ids: Option<&[i64]>) -> QueryResult<Vec<(i64, String)>> {
    let mut query = offers::table.select((offers::id, offers::title)).into_boxed();
    if let Some(ids) = ids {
        query = query.filter(offers::id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget, Prepared};
    use diesel::connection::SimpleConnection;

    #[test]
    fn the_unfiltered_newest_list_of_any_caller_and_page_is_one_statement_that_stays_prepared() {
        let mut conn = DatabaseTarget::Sqlite(":memory:".into()).connect().expect("a connection");
        run_migrations(&mut conn).expect("migrations");
        // The offers alone are looked at: no organisation or account behind them.
        conn.batch_execute(
            "PRAGMA foreign_keys = OFF; \
             INSERT INTO offers (id, organisation_id, created_by, kind, title, description, city, work_mode, \
                                 positions, status, created_at, updated_at) VALUES \
             (1, 1, 1, 'internship', 'a', '', 'Rabat', 'on_site', 1, 'open', '2026-01-01', '2026-01-01'), \
             (2, 1, 1, 'internship', 'b', '', 'Rabat', 'on_site', 1, 'draft', '2026-01-01', '2026-01-01'), \
             (3, 2, 1, 'internship', 'c', '', 'Rabat', 'on_site', 1, 'filled', '2026-01-01', '2026-01-01'), \
             (4, 2, 1, 'internship', 'd', '', 'Rabat', 'on_site', 1, 'closed', '2026-01-01', '2026-01-01'), \
             (5, 2, 1, 'internship', 'e', '', 'Rabat', 'on_site', 1, 'open', '2026-01-01', '2026-01-01'), \
             (6, 2, 1, 'internship', 'f', '', 'Rabat', 'on_site', 1, 'draft', '2026-01-01', '2026-01-01');",
        )
        .expect("offers");
        let prepared = Prepared::default();
        conn.set_instrumentation(prepared.clone());
        let mut ids = |own_organisation: Option<i64>, after: Option<i64>, limit: i64| -> Vec<i64> {
            let filter = OfferFilter { own_organisation, ..OfferFilter::default() };
            list(&mut conn, &filter, OfferSort::Newest, after.map(OfferCursor::Newest), limit)
                .expect("a page")
                .into_iter()
                .map(|key| key.id)
                .collect()
        };
        assert_eq!(ids(None, None, 20), [5, 3, 1], "the public offers");
        assert_eq!(ids(None, None, 1), [5, 3], "one more than the page, to tell a page follows");
        assert_eq!(ids(None, Some(3), 20), [1], "below the cursor");
        assert_eq!(ids(Some(2), None, 20), [6, 5, 4, 3, 1], "and all of the caller's organisation's");
        assert_eq!(ids(Some(1), Some(5), 20), [3, 2, 1]);
        assert_eq!(prepared.0.lock().expect("not poisoned").len(), 1, "one statement for all of them");
    }
}
