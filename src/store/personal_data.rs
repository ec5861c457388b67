//! A student's personal data as a whole: who viewed the profile, everything
//! held for an export, and the erasure that keeps only anonymous facts.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::calendar::Instant;
use crate::db::schema::{
    accounts, agreement_versions, application_events, applications, consent_events, idempotency_keys, offers,
    placements, profile_views, students,
};
use crate::db::{BoundIds, DbConnection};
use crate::domain::student::ProfileReading;
use crate::store::change_feed;

/// What an erased name, tutor or referent reads as.
pub const ERASED: &str = "erased";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = profile_views)]
pub struct ProfileViewRow {
    pub id: i64,
    pub viewer_account_id: i64,
    pub viewer_role: String,
    #[diesel(deserialize_as = Instant)]
    pub at: NaiveDateTime,
    pub reading: String,
    pub offer_id: Option<i64>,
}

/// Who read, and what.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    pub viewer: i64,
    pub role: &'static str,
    pub what: ProfileReading,
    /// The offer a ranking or an explanation was for.
    pub offer_id: Option<i64>,
}

/// The insert of one reading of several students, in one statement whatever
/// their number: the students come as one bound list (a JSON array on
/// SQLite, an array on PostgreSQL), numbered in the list's order. Its SQL is
/// fixed, so the statement stays prepared, where a multi-row `VALUES` of as
/// many rows as students was prepared again at every reading, and diesel
/// keeps no raw SQL statement prepared.
struct InsertReadings<'a> {
    students: BoundIds<'a>,
    reading: Reading,
    at: NaiveDateTime,
}

impl InsertReadings<'_> {
    fn bind_reading<'b, DB>(&'b self, out: &mut diesel::query_builder::AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: diesel::backend::Backend
            + diesel::sql_types::HasSqlType<diesel::sql_types::BigInt>
            + diesel::sql_types::HasSqlType<diesel::sql_types::Text>
            + diesel::sql_types::HasSqlType<diesel::sql_types::Timestamp>,
        i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
        str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        NaiveDateTime: diesel::serialize::ToSql<diesel::sql_types::Timestamp, DB>,
        Option<i64>: diesel::serialize::ToSql<diesel::sql_types::Nullable<diesel::sql_types::BigInt>, DB>,
    {
        use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
        out.push_bind_param::<BigInt, _>(&self.reading.viewer)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.reading.role)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.reading.what.as_str())?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.reading.offer_id)
    }
}

const INSERT_READINGS: &str =
    "INSERT INTO profile_views (student_id, viewer_account_id, viewer_role, at, reading, offer_id) SELECT ";

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for InsertReadings<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        out.push_sql(INSERT_READINGS);
        out.push_sql("value, ");
        self.bind_reading(&mut out)?;
        out.push_sql(" FROM json_each(");
        self.students.walk_ast(out.reborrow())?;
        out.push_sql(") ORDER BY key");
        Ok(())
    }
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for InsertReadings<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        out.push_sql(INSERT_READINGS);
        out.push_sql("s.id, ");
        self.bind_reading(&mut out)?;
        out.push_sql(" FROM unnest(");
        self.students.walk_ast(out.reborrow())?;
        out.push_sql(") WITH ORDINALITY AS s (id, n) ORDER BY s.n");
        Ok(())
    }
}

impl diesel::query_builder::QueryId for InsertReadings<'_> {
    type QueryId = InsertReadings<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C: Connection> diesel::query_dsl::RunQueryDsl<C> for InsertReadings<'_> {}

/// Records that `reading.viewer` read the data of `student_ids` now: one
/// statement for a whole page or ranking, not one per student. Readings of
/// concurrent requests are committed together ([`crate::db::write_grouped`]).
pub fn record_views(conn: &mut DbConnection, student_ids: &[i64], reading: Reading) -> QueryResult<()> {
    let (students, at) = (student_ids.to_vec(), Utc::now().naive_utc());
    crate::db::write_grouped(
        conn,
        std::sync::Arc::new(move |conn: &mut DbConnection| {
            let insert = InsertReadings { students: BoundIds::new(&students)?, reading, at };
            crate::per_backend!(conn, |c| insert.execute(c)).map(drop)
        }),
    )
}

/// Views of the student's profile by id, after `after`, at most `limit`
/// (`None` for all of them).
pub fn views(
    conn: &mut DbConnection,
    student_id: i64,
    after: Option<i64>,
    limit: Option<i64>,
) -> QueryResult<Vec<ProfileViewRow>> {
    let mut query = profile_views::table
        .filter(profile_views::student_id.eq(student_id))
        .order(profile_views::id.asc())
        .select(ProfileViewRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(profile_views::id.gt(after));
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    query.load(conn)
}

/// The account of a student, with its e-mail and name.
pub fn account_of(conn: &mut DbConnection, account_id: i64) -> QueryResult<Option<(String, String, NaiveDateTime)>> {
    accounts::table
        .find(account_id)
        .select((accounts::email, accounts::display_name, accounts::created_at))
        .first(conn)
        .optional()
}

/// An application of the student with its offer's title.
#[derive(Debug, Clone, Queryable)]
pub struct ExportApplicationRow {
    pub id: i64,
    pub offer_id: i64,
    pub offer_title: String,
    pub organisation_id: i64,
    pub status: String,
    pub cover_letter: String,
    pub source: String,
    pub score: f64,
    pub explanation: String,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = Instant)]
    pub updated_at: NaiveDateTime,
}

pub fn applications_of(conn: &mut DbConnection, student_id: i64) -> QueryResult<Vec<ExportApplicationRow>> {
    applications::table
        .inner_join(offers::table)
        .filter(applications::student_id.eq(student_id))
        .order(applications::id.asc())
        .select((
            applications::id,
            applications::offer_id,
            offers::title,
            applications::organisation_id,
            applications::status,
            applications::cover_letter,
            applications::source,
            applications::score,
            applications::explanation,
            applications::created_at,
            applications::updated_at,
        ))
        .load(conn)
}

pub fn placement_ids_of(conn: &mut DbConnection, student_id: i64) -> QueryResult<Vec<i64>> {
    placements::table
        .filter(placements::student_id.eq(student_id))
        .order(placements::id.asc())
        .select(placements::id)
        .load(conn)
}

/// Overwrites the tutor and referent names of agreement terms stored as JSON.
fn erase_terms(terms: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(terms) {
        Ok(mut value) => {
            for field in ["company_tutor", "academic_referent"] {
                if let Some(name) = value.get_mut(field) {
                    *name = serde_json::Value::String(ERASED.into());
                }
            }
            value.to_string()
        }
        // Terms are written only by this service; anything else holds nothing worth keeping.
        Err(_) => "{}".into(),
    }
}

/// Erases the student's personal data in one transaction, keeping the
/// anonymous facts the reports count: the student row (school, programme,
/// degree level, cohort, `seeking`, wanted kinds) and its skills, the
/// applications' offers, statuses and dates, the placements, agreement dates,
/// signatures and the hashes of the agreement documents (whose bytes go).
/// Names, contact details, free text, the offer alerts and the account's
/// credentials go. `false` when the student does not exist or was erased
/// already.
pub fn erase(conn: &mut DbConnection, student_id: i64) -> QueryResult<bool> {
    crate::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        // The first statement writes, so SQLite takes the write lock at once (see store::applications).
        let erased = diesel::update(students::table.find(student_id).filter(students::erased_at.is_null()))
            .set((
                students::student_number.eq(format!("erased-{student_id}")),
                students::first_name.eq(ERASED),
                students::last_name.eq(ERASED),
                students::email.eq(format!("erased-student-{student_id}@erased.invalid")),
                students::available_from.eq(None::<chrono::NaiveDate>),
                students::available_until.eq(None::<chrono::NaiveDate>),
                students::cities.eq("[]"),
                students::remote_ok.eq(false),
                students::languages.eq("[]"),
                students::bio.eq(""),
                students::links.eq("[]"),
                students::discoverable.eq(false),
                students::erased_at.eq(Some(now)),
                students::version.eq(students::version + 1),
                students::updated_at.eq(now),
            ))
            .execute(conn)?;
        if erased == 0 {
            return Ok(false);
        }
        crate::store::search::refresh_student(conn, student_id)?;
        let account_id: Option<i64> = students::table.find(student_id).select(students::account_id).first(conn)?;
        diesel::delete(consent_events::table.filter(consent_events::student_id.eq(student_id))).execute(conn)?;
        diesel::delete(profile_views::table.filter(profile_views::student_id.eq(student_id))).execute(conn)?;
        crate::store::alerts::erase(conn, student_id)?;

        let application_ids: Vec<i64> =
            applications::table.filter(applications::student_id.eq(student_id)).select(applications::id).load(conn)?;
        diesel::update(applications::table.filter(applications::student_id.eq(student_id)))
            // The source may name the portal's own identifier of the person.
            .set((
                applications::cover_letter.eq(""),
                applications::source.eq(""),
                applications::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        diesel::update(application_events::table.filter(application_events::application_id.eq_any(&application_ids)))
            .set(application_events::note.eq(""))
            .execute(conn)?;

        let placement_ids = placement_ids_of(conn, student_id)?;
        diesel::update(
            placements::table
                .filter(placements::student_id.eq(student_id))
                .filter(placements::terminated_reason.is_not_null()),
        )
        .set(placements::terminated_reason.eq(Some(ERASED)))
        .execute(conn)?;
        // The signed documents name the student: their bytes go, their hashes stay.
        crate::store::placements::erase_documents(conn, &placement_ids)?;
        let versions: Vec<(i64, i32, String)> = agreement_versions::table
            .filter(agreement_versions::placement_id.eq_any(&placement_ids))
            .select((agreement_versions::placement_id, agreement_versions::version, agreement_versions::terms))
            .load(conn)?;
        for (placement, version, terms) in versions {
            diesel::update(agreement_versions::table.find((placement, version)))
                .set(agreement_versions::terms.eq(erase_terms(&terms)))
                .execute(conn)?;
        }

        if let Some(account) = account_id {
            diesel::update(accounts::table.find(account))
                .set((
                    accounts::email.eq(format!("erased-account-{account}@erased.invalid")),
                    accounts::display_name.eq(ERASED),
                    accounts::password_hash.eq(None::<String>),
                    accounts::activation_digest.eq(None::<String>),
                    accounts::activation_expires_at.eq(None::<NaiveDateTime>),
                    accounts::disabled.eq(true),
                ))
                .execute(conn)?;
            crate::store::accounts::revoke_tokens(conn, account)?;
            // Replayable answers hold the cover letters as they were sent.
            diesel::delete(idempotency_keys::table.filter(idempotency_keys::account_id.eq(account))).execute(conn)?;
        }
        change_feed::record(conn, change_feed::STUDENT, student_id)?;
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget, Prepared};
    use diesel::connection::SimpleConnection;

    #[test]
    fn readings_of_several_students_keep_their_order_in_one_statement_that_stays_prepared() {
        let mut conn = DatabaseTarget::Sqlite(":memory:".into()).connect().expect("a connection");
        run_migrations(&mut conn).expect("migrations");
        // The readings alone are looked at: no student rows behind them.
        conn.batch_execute("PRAGMA foreign_keys = OFF").expect("no foreign keys");
        let prepared = Prepared::default();
        conn.set_instrumentation(prepared.clone());
        let reading =
            |offer_id| Reading { viewer: 7, role: "recruiter", what: ProfileReading::CandidateRanking, offer_id };
        record_views(&mut conn, &[30, 10, 20], reading(Some(4))).expect("recorded");
        let first = prepared.0.lock().expect("not poisoned").len();
        record_views(&mut conn, &[5, 6], reading(None)).expect("recorded");
        record_views(&mut conn, &[8], reading(Some(9))).expect("recorded");
        assert_eq!(first, 1, "the first reading prepares its statement to keep");
        assert_eq!(prepared.0.lock().expect("not poisoned").len(), 1, "later readings, of any size, reuse it");
        let rows: Vec<(i64, i64, String, String, Option<i64>)> = profile_views::table
            .order(profile_views::id)
            .select((
                profile_views::student_id,
                profile_views::viewer_account_id,
                profile_views::viewer_role,
                profile_views::reading,
                profile_views::offer_id,
            ))
            .load(&mut conn)
            .expect("readings");
        let ranking = |student, offer| (student, 7, "recruiter".to_owned(), "candidate_ranking".to_owned(), offer);
        assert_eq!(
            rows,
            [
                ranking(30, Some(4)),
                ranking(10, Some(4)),
                ranking(20, Some(4)),
                ranking(5, None),
                ranking(6, None),
                ranking(8, Some(9))
            ]
        );
    }

    #[test]
    fn only_the_names_of_the_terms_are_erased() {
        let terms = r#"{"start_date":"2026-09-01","company_tutor":"Salma Bennani","academic_referent":"Pr. Alaoui","work_mode":"hybrid"}"#;
        let erased: serde_json::Value = serde_json::from_str(&erase_terms(terms)).unwrap();
        assert_eq!(erased["company_tutor"], "erased");
        assert_eq!(erased["academic_referent"], "erased");
        assert_eq!(erased["start_date"], "2026-09-01");
        assert_eq!(erase_terms("not json"), "{}");
    }
}
