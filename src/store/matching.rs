//! What the matching engine reads, loaded from the database: the taxonomy,
//! student and offer profiles, and who applied where.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::{applications, offer_requirements, offers, skill_aliases, skills, student_skills, students};
use crate::db::DbConnection;
use crate::matching::suggestions::NamedSkill;
use crate::matching::{OfferProfile, Requirement, SkillId, StudentProfile};

/// The skill tree: `parents[id]` is the parent of skill `id`; unused ids are `None`.
pub struct TaxonomyRows {
    pub parents: Vec<Option<SkillId>>,
    pub slugs: HashMap<u32, String>,
}

fn skill_id(id: i64) -> Option<SkillId> {
    u32::try_from(id).ok().map(SkillId)
}

pub fn load_taxonomy(conn: &mut DbConnection) -> QueryResult<TaxonomyRows> {
    let rows: Vec<(i64, String, Option<i64>)> =
        skills::table.select((skills::id, skills::slug, skills::parent_id)).load(conn)?;
    let size = rows.iter().map(|(id, _, _)| usize::try_from(*id).unwrap_or(0) + 1).max().unwrap_or(0);
    let mut parents = vec![None; size];
    let mut slugs = HashMap::with_capacity(rows.len());
    for (id, slug, parent) in rows {
        if let (Ok(index), Some(skill)) = (usize::try_from(id), skill_id(id)) {
            parents[index] = parent.and_then(skill_id);
            slugs.insert(skill.0, slug);
        }
    }
    Ok(TaxonomyRows { parents, slugs })
}

/// Every skill with its labels and aliases, for the phrase book of skill
/// suggestions.
pub fn load_skill_names(conn: &mut DbConnection) -> QueryResult<Vec<NamedSkill>> {
    let rows: Vec<(i64, String, String, String)> = skills::table
        .select((skills::id, skills::slug, skills::label_fr, skills::label_en))
        .order(skills::id)
        .load(conn)?;
    let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
    for (alias, skill) in
        skill_aliases::table.select((skill_aliases::alias, skill_aliases::skill_id)).load::<(String, i64)>(conn)?
    {
        aliases.entry(skill).or_default().push(alias);
    }
    Ok(rows
        .into_iter()
        .map(|(id, slug, label_fr, label_en)| {
            let mut aliases = aliases.remove(&id).unwrap_or_default();
            aliases.sort();
            NamedSkill { id, slug, label_fr, label_en, aliases }
        })
        .collect())
}

/// Students who can be matched: activated and not erased. `ids` limits the
/// load to those students (absent ones are simply not returned).
pub fn load_students(conn: &mut DbConnection, ids: Option<&[i64]>) -> QueryResult<Vec<StudentProfile>> {
    type Row = (i64, String, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>, String, bool, String, bool);
    let mut query = students::table
        .filter(students::account_id.is_not_null())
        .filter(students::erased_at.is_null())
        .select((
            students::id,
            students::wanted_kinds,
            students::available_from,
            students::available_until,
            students::cities,
            students::remote_ok,
            students::degree_level,
            students::discoverable,
        ))
        .into_boxed();
    let mut skill_query = student_skills::table
        .select((student_skills::student_id, student_skills::skill_id, student_skills::level))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(students::id.eq_any(ids.to_vec()));
        skill_query = skill_query.filter(student_skills::student_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<Row> = query.load(conn)?;
    let mut skills_by_student: HashMap<i64, Vec<(SkillId, u8)>> = HashMap::with_capacity(rows.len());
    for (student, skill, level) in skill_query.load::<(i64, i64, i32)>(conn)? {
        if let (Some(skill), Ok(level)) = (skill_id(skill), u8::try_from(level)) {
            skills_by_student.entry(student).or_default().push((skill, level));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, kinds, from, until, cities, remote_ok, degree, discoverable)| StudentProfile {
            id,
            skills: skills_by_student.remove(&id).unwrap_or_default(),
            wanted_kinds: crate::domain::OfferKind::decode_list(&kinds),
            available_from: from,
            available_until: until,
            cities: serde_json::from_str(&cities).unwrap_or_default(),
            remote_ok,
            degree_level: degree.parse().ok(),
            discoverable,
        })
        .collect())
}

/// Offers with their requirements; `ids` limits the load.
pub fn load_offers(conn: &mut DbConnection, ids: Option<&[i64]>) -> QueryResult<Vec<OfferProfile>> {
    type Row =
        (i64, String, String, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>, String, String, Option<String>);
    let mut query = offers::table
        .select((
            offers::id,
            offers::kind,
            offers::status,
            offers::deadline,
            offers::start_date,
            offers::city,
            offers::work_mode,
            offers::min_degree_level,
        ))
        .into_boxed();
    let mut requirement_query = offer_requirements::table
        .select((
            offer_requirements::offer_id,
            offer_requirements::skill_id,
            offer_requirements::min_level,
            offer_requirements::weight,
            offer_requirements::required,
        ))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(offers::id.eq_any(ids.to_vec()));
        requirement_query = requirement_query.filter(offer_requirements::offer_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<Row> = query.load(conn)?;
    let mut requirements: HashMap<i64, Vec<Requirement>> = HashMap::new();
    for (offer, skill, min_level, weight, required) in requirement_query.load::<(i64, i64, i32, i32, bool)>(conn)? {
        if let (Some(skill), Ok(min_level), Ok(weight)) =
            (skill_id(skill), u8::try_from(min_level), u8::try_from(weight))
        {
            requirements.entry(offer).or_default().push(Requirement { skill, min_level, weight, required });
        }
    }
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, status, deadline, start_date, city, work_mode, min_degree)| {
            Some(OfferProfile {
                id,
                kind: kind.parse().ok()?,
                status: status.parse().ok()?,
                deadline,
                start_date,
                city,
                work_mode: work_mode.parse().ok()?,
                min_degree_level: min_degree.and_then(|d| d.parse().ok()),
                requirements: requirements.remove(&id).unwrap_or_default(),
            })
        })
        .collect())
}

/// (student, offer) pairs of every application, or of the given ones.
pub fn load_applications(conn: &mut DbConnection, ids: Option<&[i64]>) -> QueryResult<Vec<(i64, i64)>> {
    let mut query = applications::table.select((applications::student_id, applications::offer_id)).into_boxed();
    if let Some(ids) = ids {
        query = query.filter(applications::id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}
