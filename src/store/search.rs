//! The stored search texts (`search_text` of offers, skills and students):
//! the folded fields a search matches with LIKE, rewritten whenever a write
//! changes one of those fields. Rows written before the column existed are
//! filled by [`fill_missing`] at start-up.

use diesel::prelude::*;

use crate::db::schema::{offers, organisations, skill_aliases, skills, students};
use crate::db::DbConnection;
use crate::domain::search::search_text;

/// Rewrites an offer's search text: title, description, city and its
/// organisation's name.
pub fn refresh_offer(conn: &mut DbConnection, offer_id: i64) -> QueryResult<()> {
    let fields: Option<(String, String, String, String)> = offers::table
        .inner_join(organisations::table)
        .filter(offers::id.eq(offer_id))
        .select((offers::title, offers::description, offers::city, organisations::name))
        .first(conn)
        .optional()?;
    if let Some((title, description, city, organisation)) = fields {
        let text = search_text([title.as_str(), &description, &city, &organisation]);
        diesel::update(offers::table.find(offer_id)).set(offers::search_text.eq(text)).execute(conn)?;
    }
    Ok(())
}

/// Rewrites the search texts of an organisation's offers (its name is in them).
pub fn refresh_offers_of(conn: &mut DbConnection, organisation_id: i64) -> QueryResult<()> {
    let ids: Vec<i64> =
        offers::table.filter(offers::organisation_id.eq(organisation_id)).select(offers::id).load(conn)?;
    for id in ids {
        refresh_offer(conn, id)?;
    }
    Ok(())
}

/// Rewrites a skill's search text: slug, both labels and its aliases.
pub fn refresh_skill(conn: &mut DbConnection, skill_id: i64) -> QueryResult<()> {
    let fields: Option<(String, String, String)> = skills::table
        .find(skill_id)
        .select((skills::slug, skills::label_fr, skills::label_en))
        .first(conn)
        .optional()?;
    let Some((slug, label_fr, label_en)) = fields else {
        return Ok(());
    };
    let aliases: Vec<String> = skill_aliases::table
        .filter(skill_aliases::skill_id.eq(skill_id))
        .select(skill_aliases::alias)
        .order(skill_aliases::alias.asc())
        .load(conn)?;
    let text = search_text([slug.as_str(), &label_fr, &label_en].into_iter().chain(aliases.iter().map(String::as_str)));
    diesel::update(skills::table.find(skill_id)).set(skills::search_text.eq(text)).execute(conn)?;
    Ok(())
}

/// The search text of a student: names, student number and e-mail.
pub fn student_text(first_name: &str, last_name: &str, student_number: &str, email: &str) -> String {
    search_text([first_name, last_name, student_number, email])
}

/// Rewrites a student's search text from the stored row.
pub fn refresh_student(conn: &mut DbConnection, student_id: i64) -> QueryResult<()> {
    let fields: Option<(String, String, String, String)> = students::table
        .find(student_id)
        .select((students::first_name, students::last_name, students::student_number, students::email))
        .first(conn)
        .optional()?;
    if let Some((first, last, number, email)) = fields {
        let text = student_text(&first, &last, &number, &email);
        diesel::update(students::table.find(student_id)).set(students::search_text.eq(text)).execute(conn)?;
    }
    Ok(())
}

/// Fills the search texts still NULL (rows from before the column, or written
/// by tools that bypass the store); returns how many rows it filled.
pub fn fill_missing(conn: &mut DbConnection) -> QueryResult<usize> {
    crate::db::write_transaction(conn, |conn| {
        let offer_ids: Vec<i64> = offers::table.filter(offers::search_text.is_null()).select(offers::id).load(conn)?;
        let skill_ids: Vec<i64> = skills::table.filter(skills::search_text.is_null()).select(skills::id).load(conn)?;
        let student_ids: Vec<i64> =
            students::table.filter(students::search_text.is_null()).select(students::id).load(conn)?;
        for &id in &offer_ids {
            refresh_offer(conn, id)?;
        }
        for &id in &skill_ids {
            refresh_skill(conn, id)?;
        }
        for &id in &student_ids {
            refresh_student(conn, id)?;
        }
        Ok(offer_ids.len() + skill_ids.len() + student_ids.len())
    })
}
