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

/// Inserts or updates the reference data by code and slug, in one transaction:
/// loading twice changes nothing the second time.
pub fn load(conn: &mut DbConnection, data: &ReferenceData) -> QueryResult<LoadReport> {
    crate::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        for school in &data.schools {
            let updated = diesel::update(schools::table.filter(schools::code.eq(&school.code)))
                .set((schools::name.eq(&school.name), schools::city.eq(&school.city), schools::kind.eq(&school.kind)))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(schools::table)
                    .values((
                        schools::code.eq(&school.code),
                        schools::name.eq(&school.name),
                        schools::city.eq(&school.city),
                        schools::kind.eq(&school.kind),
                        schools::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        for organisation in &data.organisations {
            let updated = diesel::update(organisations::table.filter(organisations::code.eq(&organisation.code)))
                .set((organisations::name.eq(&organisation.name), organisations::city.eq(&organisation.city)))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(organisations::table)
                    .values((
                        organisations::code.eq(&organisation.code),
                        organisations::name.eq(&organisation.name),
                        organisations::city.eq(&organisation.city),
                        organisations::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        // Two passes: every skill exists before parents point at one another.
        for skill in &data.skills {
            let updated = diesel::update(skills::table.filter(skills::slug.eq(&skill.slug)))
                .set((
                    skills::label_fr.eq(&skill.label_fr),
                    skills::label_en.eq(&skill.label_en),
                    skills::domain.eq(&skill.domain),
                ))
                .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(skills::table)
                    .values((
                        skills::slug.eq(&skill.slug),
                        skills::label_fr.eq(&skill.label_fr),
                        skills::label_en.eq(&skill.label_en),
                        skills::domain.eq(&skill.domain),
                    ))
                    .execute(conn)?;
            }
        }
        let ids: HashMap<String, i64> =
            skills::table.select((skills::slug, skills::id)).load::<(String, i64)>(conn)?.into_iter().collect();
        for skill in &data.skills {
            let id = ids[&skill.slug];
            let parent = skill.parent.as_ref().and_then(|p| ids.get(p).copied());
            diesel::update(skills::table.find(id)).set(skills::parent_id.eq(parent)).execute(conn)?;
            for alias in &skill.aliases {
                let updated = diesel::update(skill_aliases::table.find(alias))
                    .set(skill_aliases::skill_id.eq(id))
                    .execute(conn)?;
                if updated == 0 {
                    diesel::insert_into(skill_aliases::table)
                        .values((skill_aliases::alias.eq(alias), skill_aliases::skill_id.eq(id)))
                        .execute(conn)?;
                }
            }
        }
        Ok(LoadReport {
            schools: data.schools.len(),
            organisations: data.organisations.len(),
            skills: data.skills.len(),
        })
    })
}

/// Escapes `%`, `_` and `\` so a search term matches literally inside LIKE.
pub fn like_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
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
        let pattern = like_pattern(q);
        let alias_hits = skill_aliases::table
            .filter(skill_aliases::alias.like(pattern.clone()).escape('\\'))
            .select(skill_aliases::skill_id);
        query = query.filter(
            skills::slug
                .like(pattern.clone())
                .escape('\\')
                .or(diesel::dsl::sql::<diesel::sql_types::Bool>("lower(skills.label_en) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(pattern.clone())
                    .sql(" ESCAPE '\\'"))
                .or(diesel::dsl::sql::<diesel::sql_types::Bool>("lower(skills.label_fr) LIKE ")
                    .bind::<diesel::sql_types::Text, _>(pattern)
                    .sql(" ESCAPE '\\'"))
                .or(skills::id.eq_any(alias_hits)),
        );
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
    let key = slug_or_alias.trim().to_lowercase();
    let by_slug = skills::table.filter(skills::slug.eq(&key)).select(skills::id).first(conn).optional()?;
    if by_slug.is_some() {
        return Ok(by_slug);
    }
    skill_aliases::table.find(&key).select(skill_aliases::skill_id).first(conn).optional()
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
