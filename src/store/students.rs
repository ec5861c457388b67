//! Students: roster identity, profile, skills and consent history.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::calendar::{Instant, MaybeDay};
use crate::db::schema::{applications, consent_events, skills, student_skills, students};
use crate::db::{BoundIds, DbConnection};
use crate::store::{change_feed, taxonomy};

/// Consent name for being shown to recruiters in candidate rankings.
pub const DISCOVERABLE_CONSENT: &str = "discoverable_by_recruiters";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = students)]
pub struct StudentRow {
    pub id: i64,
    pub school_id: i64,
    pub student_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub programme: String,
    pub degree_level: String,
    pub graduation_year: i32,
    pub account_id: Option<i64>,
    pub wanted_kinds: String,
    #[diesel(deserialize_as = MaybeDay)]
    pub available_from: Option<NaiveDate>,
    #[diesel(deserialize_as = MaybeDay)]
    pub available_until: Option<NaiveDate>,
    pub cities: String,
    pub remote_ok: bool,
    pub languages: String,
    pub bio: String,
    pub links: String,
    pub discoverable: bool,
    pub seeking: bool,
    pub version: i64,
    #[diesel(deserialize_as = Instant)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct StudentSkillRow {
    pub skill_id: i64,
    pub slug: String,
    pub label_en: String,
    pub level: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consent_events)]
pub struct ConsentRow {
    pub consent: String,
    pub granted: bool,
    #[diesel(deserialize_as = Instant)]
    pub at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<StudentRow>> {
    students::table
        .find(id)
        .filter(students::erased_at.is_null())
        .select(StudentRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_account(conn: &mut DbConnection, account_id: i64) -> QueryResult<Option<StudentRow>> {
    let query = students::table.filter(students::account_id.eq(account_id)).filter(students::erased_at.is_null());
    // Every request of a student about their own data starts here: the
    // backend's own connection binds the prepared statement without writing
    // its SQL out again.
    crate::per_backend!(conn, |c| query.select(StudentRow::as_select()).first(c)).optional()
}

/// The student's skills, by slug.
pub fn skills_of(conn: &mut DbConnection, student_id: i64) -> QueryResult<Vec<StudentSkillRow>> {
    // Read with every profile: bound on the backend's own connection, like `find_by_account`.
    let query = student_skills::table
        .inner_join(skills::table)
        .filter(student_skills::student_id.eq(student_id))
        .select((skills::id, skills::slug, skills::label_en, student_skills::level));
    let mut rows: Vec<StudentSkillRow> = crate::per_backend!(conn, |c| query.load(c))?;
    // Sorted here rather than by an ORDER BY: a student holds a few dozen
    // skills at most, and SQLite's sorter cost more than the rest of the
    // statement. Slugs compare by bytes, as SQLite's binary collation does,
    // whatever the collation of a PostgreSQL database.
    rows.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    Ok(rows)
}

pub fn consents_of(conn: &mut DbConnection, student_id: i64) -> QueryResult<Vec<ConsentRow>> {
    let query = consent_events::table.filter(consent_events::student_id.eq(student_id)).order(consent_events::id.asc());
    crate::per_backend!(conn, |c| query.select(ConsentRow::as_select()).load(c))
}

/// Whether the student applied to any offer of the organisation.
pub fn applied_to_organisation(conn: &mut DbConnection, student_id: i64, organisation_id: i64) -> QueryResult<bool> {
    let count: i64 = applications::table
        .filter(applications::student_id.eq(student_id))
        .filter(applications::organisation_id.eq(organisation_id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// The profile fields a student edits, already validated and encoded.
#[derive(Debug, Clone, AsChangeset, Default)]
#[diesel(table_name = students)]
pub struct ProfileChanges {
    pub wanted_kinds: Option<String>,
    pub available_from: Option<Option<NaiveDate>>,
    pub available_until: Option<Option<NaiveDate>>,
    pub cities: Option<String>,
    pub remote_ok: Option<bool>,
    pub languages: Option<String>,
    pub bio: Option<String>,
    pub links: Option<String>,
    pub discoverable: Option<bool>,
    pub seeking: Option<bool>,
}

/// Applies profile changes when the stored version is still `expected`;
/// `false` means someone else changed the profile first. A change of
/// discoverability is recorded as a consent event with its time.
pub fn update_profile(
    conn: &mut DbConnection,
    student: &StudentRow,
    expected_version: i64,
    changes: &ProfileChanges,
) -> QueryResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        let updated = diesel::update(students::table.find(student.id).filter(students::version.eq(expected_version)))
            .set((changes, students::version.eq(expected_version + 1), students::updated_at.eq(now)))
            .execute(conn)?;
        if updated == 0 {
            return Ok(false);
        }
        if let Some(discoverable) = changes.discoverable.filter(|d| *d != student.discoverable) {
            record_consent(conn, student.id, DISCOVERABLE_CONSENT, discoverable, now)?;
        }
        change_feed::record(conn, change_feed::STUDENT, student.id)?;
        Ok(true)
    })
}

pub fn record_consent(
    conn: &mut DbConnection,
    student_id: i64,
    consent: &str,
    granted: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(consent_events::table)
        .values((
            consent_events::student_id.eq(student_id),
            consent_events::consent.eq(consent),
            consent_events::granted.eq(granted),
            consent_events::at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the student's whole skill set, and bumps the profile version.
pub fn replace_skills(conn: &mut DbConnection, student_id: i64, skills: &[(i64, u8)]) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(student_skills::table.filter(student_skills::student_id.eq(student_id))).execute(conn)?;
        let rows: Vec<_> = skills
            .iter()
            .map(|(skill_id, level)| {
                (
                    student_skills::student_id.eq(student_id),
                    student_skills::skill_id.eq(*skill_id),
                    student_skills::level.eq(i32::from(*level)),
                )
            })
            .collect();
        if !rows.is_empty() {
            let insert = diesel::insert_into(student_skills::table).values(&rows);
            crate::per_backend!(conn, |c| insert.execute(c))?;
        }
        diesel::update(students::table.find(student_id))
            .set((students::version.eq(students::version + 1), students::updated_at.eq(Utc::now().naive_utc())))
            .execute(conn)?;
        change_feed::record(conn, change_feed::STUDENT, student_id)?;
        Ok(())
    })
}

/// Filters of the student list.
#[derive(Debug, Clone, Default)]
pub struct StudentFilter {
    pub school_id: Option<i64>,
    pub programme: Option<String>,
    pub graduation_year: Option<i32>,
    /// Holds this skill or a narrower one.
    pub skill_id: Option<i64>,
    pub seeking: Option<bool>,
    /// Part of a name, student number or e-mail, accents and case ignored.
    pub q: Option<String>,
}

/// Students by id, after `after`, at most `limit + 1`.
pub fn list(
    conn: &mut DbConnection,
    filter: &StudentFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<StudentRow>> {
    let mut query = students::table
        .filter(students::erased_at.is_null())
        .select(StudentRow::as_select())
        .order(students::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(school_id) = filter.school_id {
        query = query.filter(students::school_id.eq(school_id));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = crate::domain::search::contains_pattern(q);
        query = query.filter(students::search_text.like(pattern).escape('\\'));
    }
    if let Some(programme) = &filter.programme {
        query = query.filter(students::programme.eq(programme.clone()));
    }
    if let Some(year) = filter.graduation_year {
        query = query.filter(students::graduation_year.eq(year));
    }
    if let Some(seeking) = filter.seeking {
        query = query.filter(students::seeking.eq(seeking));
    }
    if let Some(skill_id) = filter.skill_id {
        let narrower: Vec<i64> =
            taxonomy::descendants_of(conn, skill_id)?.into_iter().collect::<HashSet<_>>().into_iter().collect();
        let holders =
            student_skills::table.filter(student_skills::skill_id.eq_any(narrower)).select(student_skills::student_id);
        query = query.filter(students::id.eq_any(holders));
    }
    if let Some(after) = after {
        query = query.filter(students::id.gt(after));
    }
    query.load(conn)
}

/// The full names of these students, by id; ids without a student are left out.
pub fn names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<std::collections::HashMap<i64, String>> {
    let query = StudentNames { ids: BoundIds::new(ids)? };
    // Read with every candidate ranking: one statement whatever the number of
    // ids, so it stays prepared, where an `IN` list of as many binds as ids
    // was written out and prepared again at each ranking.
    let rows: Vec<(i64, String, String)> = crate::per_backend!(conn, |c| query.load(c))?;
    Ok(rows.into_iter().map(|(id, first, last)| (id, format!("{first} {last}"))).collect())
}

/// The names of students given as one bound list: a JSON array on SQLite,
/// an array on PostgreSQL. Its SQL is fixed, whatever the number of ids.
struct StudentNames<'a> {
    ids: BoundIds<'a>,
}

impl diesel::query_builder::Query for StudentNames<'_> {
    type SqlType = (diesel::sql_types::BigInt, diesel::sql_types::Text, diesel::sql_types::Text);
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for StudentNames<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        // The list drives the join, one primary key look-up per id.
        out.push_sql("SELECT students.id, students.first_name, students.last_name FROM json_each(");
        self.ids.walk_ast(out.reborrow())?;
        out.push_sql(") AS wanted CROSS JOIN students ON students.id = wanted.value");
        Ok(())
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for StudentNames<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        out.push_sql("SELECT id, first_name, last_name FROM students WHERE id = ANY(");
        self.ids.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl diesel::query_builder::QueryId for StudentNames<'_> {
    type QueryId = StudentNames<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C: Connection> diesel::query_dsl::RunQueryDsl<C> for StudentNames<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget, Prepared};
    use diesel::connection::SimpleConnection;

    #[test]
    fn names_of_any_number_of_students_are_one_statement_that_stays_prepared() {
        let mut conn = DatabaseTarget::Sqlite(":memory:".into()).connect().expect("a connection");
        run_migrations(&mut conn).expect("migrations");
        // The names alone are looked at: no school behind the students.
        conn.batch_execute(
            "PRAGMA foreign_keys = OFF; \
             INSERT INTO students (id, school_id, student_number, first_name, last_name, email, programme, \
                                   degree_level, graduation_year, created_at, updated_at) VALUES \
             (3, 1, 'N3', 'Amina', 'Tazi', 'n3@example.org', 'Data', 'bac+5', 2027, '2026-01-01', '2026-01-01'), \
             (5, 1, 'N5', 'Salma', 'Bennani', 'n5@example.org', 'Data', 'bac+5', 2027, '2026-01-01', '2026-01-01'), \
             (8, 1, 'N8', 'Youssef', 'El Idrissi', 'n8@example.org', 'Data', 'bac+5', 2027, '2026-01-01', '2026-01-01');",
        )
        .expect("students");
        let prepared = Prepared::default();
        conn.set_instrumentation(prepared.clone());
        let named = |pairs: &[(i64, &str)]| -> std::collections::HashMap<i64, String> {
            pairs.iter().map(|(id, name)| (*id, (*name).to_owned())).collect()
        };
        assert_eq!(
            names(&mut conn, &[8, 3, 5, 4]).expect("names"),
            named(&[(3, "Amina Tazi"), (5, "Salma Bennani"), (8, "Youssef El Idrissi")])
        );
        assert_eq!(
            prepared.0.lock().expect("not poisoned").len(),
            1,
            "the first reading prepares its statement to keep"
        );
        assert_eq!(names(&mut conn, &[5]).expect("names"), named(&[(5, "Salma Bennani")]));
        assert_eq!(names(&mut conn, &[]).expect("names"), named(&[]));
        assert_eq!(names(&mut conn, &[3, 3]).expect("names"), named(&[(3, "Amina Tazi")]));
        assert_eq!(prepared.0.lock().expect("not poisoned").len(), 1, "later readings, of any size, reuse it");
    }
}
