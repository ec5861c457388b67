//! A school's roster: the students it declares, who alone may activate an account.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;

use crate::db::schema::{accounts, students};
use crate::db::DbConnection;
use crate::domain::student::RosterEntry;

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
}

/// A student already on a roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterStudent {
    pub id: i64,
    pub email: String,
    /// The student's account, once activated.
    pub account_id: Option<i64>,
}

/// The students already on a school's roster, by student number.
pub fn existing_entries(conn: &mut DbConnection, school_id: i64) -> QueryResult<HashMap<String, RosterStudent>> {
    Ok(students::table
        .filter(students::school_id.eq(school_id))
        .filter(students::erased_at.is_null())
        .select((students::student_number, students::id, students::email, students::account_id))
        .load::<(String, i64, String, Option<i64>)>(conn)?
        .into_iter()
        .map(|(number, id, email, account_id)| (number, RosterStudent { id, email, account_id }))
        .collect())
}

/// Of the e-mails `wanted` by activated students (account id, new e-mail),
/// those that already sign in another account.
pub fn emails_of_other_accounts(conn: &mut DbConnection, wanted: &[(i64, String)]) -> QueryResult<Vec<String>> {
    let mut taken = Vec::new();
    for batch in wanted.chunks(INSERT_BATCH) {
        let emails: Vec<&str> = batch.iter().map(|(_, email)| email.as_str()).collect();
        let holders: Vec<(i64, String)> = accounts::table
            .filter(accounts::email.eq_any(&emails))
            .select((accounts::id, accounts::email))
            .load(conn)?;
        taken.extend(
            holders
                .into_iter()
                .filter(|(holder, email)| !batch.iter().any(|(own, wanted)| own == holder && wanted == email))
                .map(|(_, email)| email),
        );
    }
    Ok(taken)
}

/// Rows inserted per statement: well under SQLite's bound-parameter limit.
const INSERT_BATCH: usize = 500;

/// What a search finds a roster entry by.
fn entry_search_text(entry: &RosterEntry) -> String {
    crate::store::search::student_text(&entry.first_name, &entry.last_name, &entry.student_number, &entry.email)
}

/// Inserts new students and updates known ones (by student number), inside
/// the caller's transaction. An activated student's new e-mail becomes their
/// sign-in e-mail too, so that the school and the student see one address;
/// the caller checks first that no other account holds it
/// ([`emails_of_other_accounts`]).
pub fn import(
    conn: &mut DbConnection,
    school_id: i64,
    entries: &[RosterEntry],
    existing: &HashMap<String, RosterStudent>,
) -> QueryResult<ImportOutcome> {
    let now = Utc::now().naive_utc();
    let mut outcome = ImportOutcome::default();
    let mut fresh = Vec::new();
    for entry in entries {
        match existing.get(&entry.student_number) {
            Some(known) => {
                if let (Some(account), true) = (known.account_id, known.email != entry.email) {
                    diesel::update(accounts::table.find(account))
                        .set(accounts::email.eq(&entry.email))
                        .execute(conn)?;
                }
                // A new version when the school's data for the student changed,
                // so that the profile's ETag names what it shows; an unchanged
                // row keeps its version, so that nobody's If-Match fails for it.
                let changed = students::first_name
                    .ne(&entry.first_name)
                    .or(students::last_name.ne(&entry.last_name))
                    .or(students::email.ne(&entry.email))
                    .or(students::programme.ne(&entry.programme))
                    .or(students::degree_level.ne(entry.degree_level.as_str()))
                    .or(students::graduation_year.ne(entry.graduation_year));
                diesel::update(students::table.find(known.id).filter(changed))
                    .set((
                        students::version.eq(students::version + 1),
                        students::first_name.eq(&entry.first_name),
                        students::last_name.eq(&entry.last_name),
                        students::email.eq(&entry.email),
                        students::programme.eq(&entry.programme),
                        students::degree_level.eq(entry.degree_level.as_str()),
                        students::graduation_year.eq(entry.graduation_year),
                        students::updated_at.eq(now),
                        students::search_text.eq(entry_search_text(entry)),
                    ))
                    .execute(conn)?;
                outcome.updated += 1;
            }
            None => fresh.push((
                students::school_id.eq(school_id),
                students::student_number.eq(&entry.student_number),
                students::first_name.eq(&entry.first_name),
                students::last_name.eq(&entry.last_name),
                students::email.eq(&entry.email),
                students::programme.eq(&entry.programme),
                students::degree_level.eq(entry.degree_level.as_str()),
                students::graduation_year.eq(entry.graduation_year),
                students::created_at.eq(now),
                students::updated_at.eq(now),
                students::search_text.eq(entry_search_text(entry)),
            )),
        }
    }
    for batch in fresh.chunks(INSERT_BATCH) {
        let insert = diesel::insert_into(students::table).values(batch);
        outcome.created += crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(outcome)
}

/// A roster entry without an account yet, found by school and e-mail.
#[derive(Debug, Clone, Queryable)]
pub struct RosterMatch {
    pub student_id: i64,
    pub student_number: String,
    pub first_name: String,
    pub last_name: String,
    pub account_id: Option<i64>,
}

pub fn find_on_roster(conn: &mut DbConnection, school_id: i64, email: &str) -> QueryResult<Option<RosterMatch>> {
    students::table
        .filter(students::school_id.eq(school_id))
        .filter(students::email.eq(email))
        .filter(students::erased_at.is_null())
        .select((
            students::id,
            students::student_number,
            students::first_name,
            students::last_name,
            students::account_id,
        ))
        .first(conn)
        .optional()
}

/// Links the student to their new account, once.
pub fn link_account(conn: &mut DbConnection, student_id: i64, account_id: i64) -> QueryResult<bool> {
    let updated = diesel::update(students::table.find(student_id).filter(students::account_id.is_null()))
        .set(students::account_id.eq(account_id))
        .execute(conn)?;
    Ok(updated == 1)
}
