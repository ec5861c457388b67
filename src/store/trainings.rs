//! The training catalogue: trainings and the skills each teaches.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::calendar::Instant;
use crate::db::schema::{organisations, schools, skills, training_skills, trainings};
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = trainings)]
pub struct TrainingRow {
    pub id: i64,
    pub school_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub kind: String,
    pub title_fr: String,
    pub title_en: String,
    pub duration_hours: i32,
    pub mode: String,
    pub start_dates: String,
    pub seats: i32,
    pub link: Option<String>,
    pub created_by: i64,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Instant)]
    pub updated_at: NaiveDateTime,
}

/// A training with its provider's name and the skills it teaches (slug, level), by slug.
#[derive(Debug, Clone)]
pub struct TrainingRecord {
    pub row: TrainingRow,
    pub provider_name: String,
    pub skills: Vec<(String, i32)>,
}

/// The stored fields of a training, as written.
pub struct TrainingFields<'a> {
    pub school_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub kind: &'a str,
    pub title_fr: &'a str,
    pub title_en: &'a str,
    pub duration_hours: i32,
    pub mode: &'a str,
    pub start_dates: &'a [NaiveDate],
    pub seats: i32,
    pub link: Option<&'a str>,
}

fn dates_text(dates: &[NaiveDate]) -> String {
    let mut dates = dates.to_vec();
    dates.sort();
    serde_json::to_string(&dates).unwrap_or_else(|_| "[]".into())
}

/// The start dates stored as JSON.
pub fn start_dates(row: &TrainingRow) -> Vec<NaiveDate> {
    serde_json::from_str(&row.start_dates).unwrap_or_default()
}

/// Inserts a training and its skills, in the caller's transaction.
pub fn insert(
    conn: &mut DbConnection,
    fields: &TrainingFields,
    skills: &[(i64, i32)],
    created_by: i64,
) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let id: i64 = diesel::insert_into(trainings::table)
        .values((
            trainings::school_id.eq(fields.school_id),
            trainings::organisation_id.eq(fields.organisation_id),
            trainings::kind.eq(fields.kind),
            trainings::title_fr.eq(fields.title_fr),
            trainings::title_en.eq(fields.title_en),
            trainings::duration_hours.eq(fields.duration_hours),
            trainings::mode.eq(fields.mode),
            trainings::start_dates.eq(dates_text(fields.start_dates)),
            trainings::seats.eq(fields.seats),
            trainings::link.eq(fields.link),
            trainings::created_by.eq(created_by),
            trainings::created_at.eq(now),
            trainings::updated_at.eq(now),
        ))
        .returning(trainings::id)
        .get_result(conn)?;
    replace_skills(conn, id, skills)?;
    Ok(id)
}

/// Rewrites a training's fields (not its provider) and skills.
pub fn update(conn: &mut DbConnection, id: i64, fields: &TrainingFields, skills: &[(i64, i32)]) -> QueryResult<()> {
    diesel::update(trainings::table.find(id))
        .set((
            trainings::kind.eq(fields.kind),
            trainings::title_fr.eq(fields.title_fr),
            trainings::title_en.eq(fields.title_en),
            trainings::duration_hours.eq(fields.duration_hours),
            trainings::mode.eq(fields.mode),
            trainings::start_dates.eq(dates_text(fields.start_dates)),
            trainings::seats.eq(fields.seats),
            trainings::link.eq(fields.link),
            trainings::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    replace_skills(conn, id, skills)
}

fn replace_skills(conn: &mut DbConnection, id: i64, skills: &[(i64, i32)]) -> QueryResult<()> {
    diesel::delete(training_skills::table.filter(training_skills::training_id.eq(id))).execute(conn)?;
    // One row at a time: at most 30, and a multi-row VALUES is not portable across both backends here.
    for (skill, level) in skills {
        diesel::insert_into(training_skills::table)
            .values((
                training_skills::training_id.eq(id),
                training_skills::skill_id.eq(*skill),
                training_skills::level.eq(*level),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Which trainings to list.
#[derive(Debug, Clone, Default)]
pub struct TrainingFilter {
    /// Trainings teaching any of these skills.
    pub skill_ids: Option<Vec<i64>>,
    pub school_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub mode: Option<String>,
}

/// Up to `limit + 1` trainings by id after `after`, with their skills and provider.
pub fn list(
    conn: &mut DbConnection,
    filter: &TrainingFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<TrainingRecord>> {
    let mut query = trainings::table.select(TrainingRow::as_select()).order(trainings::id).into_boxed();
    if let Some(skill_ids) = &filter.skill_ids {
        let teaching = training_skills::table
            .filter(training_skills::skill_id.eq_any(skill_ids.clone()))
            .select(training_skills::training_id);
        query = query.filter(trainings::id.eq_any(teaching));
    }
    if let Some(school) = filter.school_id {
        query = query.filter(trainings::school_id.eq(school));
    }
    if let Some(organisation) = filter.organisation_id {
        query = query.filter(trainings::organisation_id.eq(organisation));
    }
    if let Some(mode) = &filter.mode {
        query = query.filter(trainings::mode.eq(mode.clone()));
    }
    if let Some(after) = after {
        query = query.filter(trainings::id.gt(after));
    }
    let rows = query.limit(limit + 1).load(conn)?;
    records(conn, rows)
}

/// One training.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<TrainingRecord>> {
    let rows = trainings::table.find(id).select(TrainingRow::as_select()).load(conn)?;
    Ok(records(conn, rows)?.pop())
}

fn records(conn: &mut DbConnection, rows: Vec<TrainingRow>) -> QueryResult<Vec<TrainingRecord>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut taught: HashMap<i64, Vec<(String, i32)>> = HashMap::new();
    for (training, slug, level) in training_skills::table
        .inner_join(skills::table)
        .filter(training_skills::training_id.eq_any(ids))
        .select((training_skills::training_id, skills::slug, training_skills::level))
        .order((training_skills::training_id, skills::slug))
        .load::<(i64, String, i32)>(conn)?
    {
        taught.entry(training).or_default().push((slug, level));
    }
    let school_ids: Vec<i64> = rows.iter().filter_map(|r| r.school_id).collect();
    let organisation_ids: Vec<i64> = rows.iter().filter_map(|r| r.organisation_id).collect();
    let school_names: HashMap<i64, String> = schools::table
        .filter(schools::id.eq_any(school_ids))
        .select((schools::id, schools::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let organisation_names: HashMap<i64, String> = organisations::table
        .filter(organisations::id.eq_any(organisation_ids))
        .select((organisations::id, organisations::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let provider_name = row
                .school_id
                .and_then(|id| school_names.get(&id))
                .or_else(|| row.organisation_id.and_then(|id| organisation_names.get(&id)))
                .cloned()
                .unwrap_or_default();
            let skills = taught.remove(&row.id).unwrap_or_default();
            TrainingRecord { row, provider_name, skills }
        })
        .collect())
}

/// Every training with its provider and skills, by id: the catalogue that
/// suggestions of trainings draw from.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<TrainingRecord>> {
    let rows = trainings::table.select(TrainingRow::as_select()).order(trainings::id).load(conn)?;
    records(conn, rows)
}

/// Every training's taught skills: (training id, skill id, level reached, seats).
pub fn teaching(conn: &mut DbConnection) -> QueryResult<Vec<(i64, i64, i32, i32)>> {
    training_skills::table
        .inner_join(trainings::table)
        .select((training_skills::training_id, training_skills::skill_id, training_skills::level, trainings::seats))
        .order((training_skills::training_id, training_skills::skill_id))
        .load(conn)
}

/// Whether the provider a training names exists.
pub fn provider_exists(
    conn: &mut DbConnection,
    school_id: Option<i64>,
    organisation_id: Option<i64>,
) -> QueryResult<bool> {
    use diesel::dsl::{exists, select};
    match (school_id, organisation_id) {
        (Some(school), _) => select(exists(schools::table.find(school))).get_result(conn),
        (None, Some(organisation)) => select(exists(organisations::table.find(organisation))).get_result(conn),
        (None, None) => Ok(false),
    }
}
