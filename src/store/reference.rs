//! Schools, organisations and the skill taxonomy.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;

use crate::db::schema::{organisations, schools, skill_aliases, skills};
use crate::db::DbConnection;
use crate::reference_data::ReferenceData;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = schools)]
pub struct SchoolRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub city: String,
    pub kind: String,
    pub postal_address: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub city: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = skills)]
pub struct SkillRow {
    pub id: i64,
    pub slug: String,
    pub label_fr: String,
    pub label_en: String,
    pub domain: String,
    pub parent_id: Option<i64>,
}

/// A skill with what the API shows about it.
#[derive(Debug, Clone)]
pub struct SkillDetail {
    pub skill: SkillRow,
    pub parent_slug: Option<String>,
    pub aliases: Vec<String>,
}

/// Counts of what a reference load did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LoadReport {
    pub schools: usize,
    pub organisations: usize,
    pub skills: usize,
}

/// Adds the reference records that are missing, by code, slug and alias, in
/// one transaction: loading twice changes nothing the second time, and records
/// an admin has edited through the API keep their edits.
pub fn load(conn: &mut DbConnection, data: &ReferenceData) -> QueryResult<LoadReport> {
    crate::db::write_transaction(conn, |conn| {
        let mut report = LoadReport::default();
        for school in &data.schools {
            if find_school_by_code(conn, &school.code)?.is_none() {
                insert_school(
                    conn,
                    &NewSchoolRow {
                        code: &school.code,
                        name: &school.name,
                        city: &school.city,
                        kind: &school.kind,
                        postal_address: None,
                    },
                )?;
                report.schools += 1;
            }
        }
        for organisation in &data.organisations {
            let exists = organisations::table
                .filter(organisations::code.eq(&organisation.code))
                .count()
                .get_result::<i64>(conn)?
                > 0;
            if !exists {
                insert_organisation(conn, &organisation.code, &organisation.name, &organisation.city)?;
                report.organisations += 1;
            }
        }
        // Two passes: every skill exists before parents point at one another.
        let mut added = Vec::new();
        for skill in &data.skills {
            if resolve_skill(conn, &skill.slug)?.is_none() {
                insert_skill(conn, &skill.slug, &skill.label_fr, &skill.label_en, &skill.domain)?;
                added.push(skill);
            }
        }
        for skill in &added {
            if let (Some(id), Some(parent)) = (resolve_skill(conn, &skill.slug)?, skill.parent.as_deref()) {
                let parent_id = resolve_skill(conn, parent)?;
                set_parent(conn, id, parent_id)?;
            }
        }
        for skill in &data.skills {
            if let Some(id) = resolve_skill(conn, &skill.slug)? {
                for alias in &skill.aliases {
                    if resolve_skill(conn, alias)?.is_none() {
                        add_alias(conn, id, alias)?;
                    }
                }
            }
        }
        report.skills = added.len();
        Ok(report)
    })
}

/// A school to insert; the reference schools come without a postal address.
pub struct NewSchoolRow<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub city: &'a str,
    pub kind: &'a str,
    pub postal_address: Option<&'a str>,
}

pub fn insert_school(conn: &mut DbConnection, school: &NewSchoolRow) -> QueryResult<i64> {
    diesel::insert_into(schools::table)
        .values((
            schools::code.eq(school.code),
            schools::name.eq(school.name),
            schools::city.eq(school.city),
            schools::kind.eq(school.kind),
            schools::postal_address.eq(school.postal_address),
            schools::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(schools::id)
        .get_result(conn)
}

pub fn insert_organisation(conn: &mut DbConnection, code: &str, name: &str, city: &str) -> QueryResult<i64> {
    diesel::insert_into(organisations::table)
        .values((
            organisations::code.eq(code),
            organisations::name.eq(name),
            organisations::city.eq(city),
            organisations::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(organisations::id)
        .get_result(conn)
}

pub fn insert_skill(
    conn: &mut DbConnection,
    slug: &str,
    label_fr: &str,
    label_en: &str,
    domain: &str,
) -> QueryResult<i64> {
    let id = diesel::insert_into(skills::table)
        .values((
            skills::slug.eq(slug),
            skills::label_fr.eq(label_fr),
            skills::label_en.eq(label_en),
            skills::domain.eq(domain),
        ))
        .returning(skills::id)
        .get_result(conn)?;
    crate::store::search::refresh_skill(conn, id)?;
    Ok(id)
}

pub fn set_parent(conn: &mut DbConnection, skill_id: i64, parent: Option<i64>) -> QueryResult<()> {
    diesel::update(skills::table.find(skill_id)).set(skills::parent_id.eq(parent)).execute(conn)?;
    Ok(())
}

pub fn add_alias(conn: &mut DbConnection, skill_id: i64, alias: &str) -> QueryResult<()> {
    diesel::insert_into(skill_aliases::table)
        .values((skill_aliases::alias.eq(alias), skill_aliases::skill_id.eq(skill_id)))
        .execute(conn)?;
    crate::store::search::refresh_skill(conn, skill_id)
}

/// Changes to a school; `None` keeps a field.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = schools)]
pub struct SchoolChanges {
    pub name: Option<String>,
    pub city: Option<String>,
    pub kind: Option<String>,
    pub postal_address: Option<String>,
}

pub fn update_school(conn: &mut DbConnection, id: i64, changes: &SchoolChanges) -> QueryResult<usize> {
    diesel::update(schools::table.find(id)).set(changes).execute(conn)
}

/// Changes to an organisation; `None` keeps a field.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = organisations)]
pub struct OrganisationChanges {
    pub name: Option<String>,
    pub city: Option<String>,
}

pub fn update_organisation(conn: &mut DbConnection, id: i64, changes: &OrganisationChanges) -> QueryResult<usize> {
    let updated = diesel::update(organisations::table.find(id)).set(changes).execute(conn)?;
    if updated > 0 && changes.name.is_some() {
        crate::store::search::refresh_offers_of(conn, id)?;
    }
    Ok(updated)
}

/// Changes to a skill's labels and domain; `None` keeps a field.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = skills)]
pub struct SkillChanges {
    pub label_fr: Option<String>,
    pub label_en: Option<String>,
    pub domain: Option<String>,
}

pub fn update_skill(conn: &mut DbConnection, id: i64, changes: &SkillChanges) -> QueryResult<usize> {
    if changes.label_fr.is_none() && changes.label_en.is_none() && changes.domain.is_none() {
        return Ok(0);
    }
    let updated = diesel::update(skills::table.find(id)).set(changes).execute(conn)?;
    crate::store::search::refresh_skill(conn, id)?;
    Ok(updated)
}

/// Whether making `parent` the parent of `skill` would close a loop: `skill`
/// is `parent` itself or one of its ancestors.
pub fn would_loop(conn: &mut DbConnection, skill: i64, parent: i64) -> QueryResult<bool> {
    let parents: HashMap<i64, Option<i64>> =
        skills::table.select((skills::id, skills::parent_id)).load::<(i64, Option<i64>)>(conn)?.into_iter().collect();
    let mut current = Some(parent);
    let mut steps = 0;
    while let Some(id) = current {
        if id == skill || steps > parents.len() {
            return Ok(true);
        }
        current = parents.get(&id).copied().flatten();
        steps += 1;
    }
    Ok(false)
}

/// Filters of the skill list.
#[derive(Debug, Default, Clone)]
pub struct SkillFilter {
    pub q: Option<String>,
    pub domain: Option<String>,
}

/// Skills ordered by slug, after `after`, at most `limit` (+1 to detect a next page).
pub fn list_skills(
    conn: &mut DbConnection,
    filter: &SkillFilter,
    after: Option<String>,
    limit: i64,
) -> QueryResult<Vec<SkillDetail>> {
    let mut query = skills::table.select(SkillRow::as_select()).order(skills::slug.asc()).limit(limit + 1).into_boxed();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(skills::search_text.like(crate::domain::search::contains_pattern(q)).escape('\\'));
    }
    if let Some(domain) = &filter.domain {
        query = query.filter(skills::domain.eq(domain.clone()));
    }
    if let Some(after) = after {
        query = query.filter(skills::slug.gt(after));
    }
    let rows = query.load(conn)?;
    with_details(conn, rows)
}

/// One skill by slug or alias.
pub fn find_skill(conn: &mut DbConnection, slug_or_alias: &str) -> QueryResult<Option<SkillDetail>> {
    let Some(id) = resolve_skill(conn, slug_or_alias)? else {
        return Ok(None);
    };
    let row = skills::table.find(id).select(SkillRow::as_select()).first(conn)?;
    Ok(with_details(conn, vec![row])?.pop())
}

/// The canonical skill id for a slug or an alias, case-insensitively.
pub fn resolve_skill(conn: &mut DbConnection, slug_or_alias: &str) -> QueryResult<Option<i64>> {
    Ok(canonical_skill(conn, slug_or_alias)?.map(|(id, _)| id))
}

/// The canonical skill (id and slug) for a slug or an alias, case-insensitively.
pub fn canonical_skill(conn: &mut DbConnection, slug_or_alias: &str) -> QueryResult<Option<(i64, String)>> {
    let key = slug_or_alias.trim().to_lowercase();
    let by_slug =
        skills::table.filter(skills::slug.eq(&key)).select((skills::id, skills::slug)).first(conn).optional()?;
    if by_slug.is_some() {
        return Ok(by_slug);
    }
    skill_aliases::table
        .inner_join(skills::table)
        .filter(skill_aliases::alias.eq(&key))
        .select((skills::id, skills::slug))
        .first(conn)
        .optional()
}

fn with_details(conn: &mut DbConnection, rows: Vec<SkillRow>) -> QueryResult<Vec<SkillDetail>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let parent_ids: Vec<i64> = rows.iter().filter_map(|r| r.parent_id).collect();
    let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
    for (skill_id, alias) in skill_aliases::table
        .filter(skill_aliases::skill_id.eq_any(&ids))
        .select((skill_aliases::skill_id, skill_aliases::alias))
        .order(skill_aliases::alias.asc())
        .load::<(i64, String)>(conn)?
    {
        aliases.entry(skill_id).or_default().push(alias);
    }
    let parents: HashMap<i64, String> = skills::table
        .filter(skills::id.eq_any(&parent_ids))
        .select((skills::id, skills::slug))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|skill| SkillDetail {
            parent_slug: skill.parent_id.and_then(|p| parents.get(&p).cloned()),
            aliases: aliases.remove(&skill.id).unwrap_or_default(),
            skill,
        })
        .collect())
}

/// Schools ordered by code.
pub fn list_schools(conn: &mut DbConnection, after: Option<String>, limit: i64) -> QueryResult<Vec<SchoolRow>> {
    let mut query =
        schools::table.select(SchoolRow::as_select()).order(schools::code.asc()).limit(limit + 1).into_boxed();
    if let Some(after) = after {
        query = query.filter(schools::code.gt(after));
    }
    query.load(conn)
}

/// Organisations ordered by code.
pub fn list_organisations(
    conn: &mut DbConnection,
    after: Option<String>,
    limit: i64,
) -> QueryResult<Vec<OrganisationRow>> {
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .order(organisations::code.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(organisations::code.gt(after));
    }
    query.load(conn)
}

pub fn find_school(conn: &mut DbConnection, id: i64) -> QueryResult<Option<SchoolRow>> {
    schools::table.find(id).select(SchoolRow::as_select()).first(conn).optional()
}

pub fn find_school_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<SchoolRow>> {
    schools::table.filter(schools::code.eq(code)).select(SchoolRow::as_select()).first(conn).optional()
}

pub fn find_organisation(conn: &mut DbConnection, id: i64) -> QueryResult<Option<OrganisationRow>> {
    organisations::table.find(id).select(OrganisationRow::as_select()).first(conn).optional()
}
