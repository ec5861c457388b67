//! Writes a synthetic data set from [`crate::matching::synthetic`] into the
//! database, for load tests and for the SQL baseline of the matching
//! benchmark.
//!
//! Every student gets an activated student account, so that a server
//! started on the database serves the whole population: the index loads only
//! students with an account. All accounts share one PHC string, hashed once
//! by the caller: an Argon2 hash per account would take hours at a million.
//! Search texts are written with the rows, or the first start would fill
//! them one row at a time.
//!
//! Rows go in as multi-row inserts, a chunk per transaction: one statement per
//! row would take hours for a million students on SQLite. Engine ids are kept
//! by offsetting them past the largest id already in each table, so the
//! engine's id `n` is the database id `offset + n` and nothing has to be read
//! back.

use chrono::{NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::schema::{
    accounts, offer_requirements, offers, organisations, schools, skills, student_skills, students,
};
use crate::db::{Backend, DbConnection};
use crate::domain::search::search_text;
use crate::domain::{OfferKind, OfferStatus, Role};
use crate::matching::synthetic::SyntheticData;
use crate::matching::SkillId;
use crate::reference_data::DOMAINS;
use crate::store::search::student_text;

/// Code of the organisation that owns every synthetic offer; its presence
/// marks a database that already holds a synthetic data set.
pub const ORGANISATION_CODE: &str = "SYN-ORG";
/// E-mail of the recruiter account that creates the synthetic offers.
pub const RECRUITER_EMAIL: &str = "syn-recruiter@synthetic.invalid";
/// Password of every synthetic account (the students' and the recruiter's).
/// The synthetic data set is a test-only data set for load tests on a local
/// database, never for production.
pub const PASSWORD: &str = "passerelle-synthetic-2026";

/// E-mail of the account of the engine's student `n`.
pub fn student_email(engine_id: i64) -> String {
    format!("student-{engine_id}@synthetic.invalid")
}
const ORGANISATION_NAME: &str = "AXA (synthetic)";
const OFFER_DESCRIPTION: &str = "Synthetic offer.";
const SCHOOL_CODE_PREFIX: &str = "SYN-SCHOOL-";
const SKILL_SLUG_PREFIX: &str = "syn-skill-";

/// Students per transaction. 19 bound columns a row keeps a statement well
/// under SQLite's 32,766 parameters.
const STUDENT_CHUNK: usize = 1_500;
/// Offers per transaction (16 bound columns a row).
const OFFER_CHUNK: usize = 1_500;
/// Rows per statement of the three-to-seven-column tables.
const NARROW_CHUNK: usize = 5_000;

/// Where the engine's ids landed in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticIds {
    /// Database id of skill index 0 is `skill_offset + 1`.
    pub skill_offset: i64,
    /// Database id of school index 0 is `school_offset + 1`.
    pub school_offset: i64,
    /// Database id of the engine's student `n` is `student_offset + n`.
    pub student_offset: i64,
    /// Database id of the engine's offer `n` is `offer_offset + n`.
    pub offer_offset: i64,
    /// The organisation owning the offers.
    pub organisation_id: i64,
    /// The recruiter account recorded as the offers' author.
    pub account_id: i64,
    /// Database id of the account of the engine's student `n` is
    /// `student_account_offset + n`.
    pub student_account_offset: i64,
}

impl SyntheticIds {
    /// Database id of an engine skill.
    pub fn skill(&self, skill: SkillId) -> i64 {
        self.skill_offset + i64::from(skill.0) + 1
    }

    /// Database id of an engine student id.
    pub fn student(&self, engine_id: i64) -> i64 {
        self.student_offset + engine_id
    }

    /// Database id of the account of an engine student id.
    pub fn student_account(&self, engine_id: i64) -> i64 {
        self.student_account_offset + engine_id
    }

    /// Database id of an engine offer id.
    pub fn offer(&self, engine_id: i64) -> i64 {
        self.offer_offset + engine_id
    }
}

/// Why a synthetic data set could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SyntheticError {
    #[error(
        "the database already holds a synthetic data set (organisation {ORGANISATION_CODE}); \
         remove it first or use another database"
    )]
    AlreadySeeded,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Writes `data` into the database, calling `progress` with the number of
/// students and offers written so far after each chunk. `password_hash` is the
/// PHC string every account signs in with (the hash of [`PASSWORD`] for the
/// command). Fails without writing anything when a synthetic data set is
/// already there.
pub fn write(
    conn: &mut DbConnection,
    data: &SyntheticData,
    password_hash: &str,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<SyntheticIds> {
    let exists =
        organisations::table.filter(organisations::code.eq(ORGANISATION_CODE)).count().get_result::<i64>(conn)?;
    if exists > 0 {
        return Err(SyntheticError::AlreadySeeded.into());
    }
    let now = Utc::now().naive_utc();
    let ids = conn.transaction(|conn| head(conn, data, password_hash, now))?;

    let mut done = 0u64;
    for chunk in data.students.chunks(STUDENT_CHUNK) {
        conn.transaction(|conn| students_chunk(conn, data, chunk, &ids, password_hash, now))?;
        done += chunk.len() as u64;
        progress(done);
    }
    for chunk in data.offers.chunks(OFFER_CHUNK) {
        conn.transaction(|conn| offers_chunk(conn, chunk, &ids, now))?;
        done += chunk.len() as u64;
        progress(done);
    }
    if conn.backend() == Backend::Postgres {
        // Explicit ids leave the sequences behind; the next ordinary insert
        // would collide without this.
        let mut sql = String::new();
        for table in ["skills", "schools", "organisations", "accounts", "students", "offers"] {
            sql.push_str(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 1) FROM {table}));"
            ));
        }
        conn.batch_execute(&sql)?;
    }
    Ok(ids)
}

/// Removes a synthetic data set written by [`write`], leaving every other
/// row alone. Returns whether there was one.
pub fn remove(conn: &mut DbConnection) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let organisation = organisations::table
            .filter(organisations::code.eq(ORGANISATION_CODE))
            .select(organisations::id)
            .first::<i64>(conn)
            .optional()?;
        let school_ids =
            || schools::table.filter(schools::code.like(format!("{SCHOOL_CODE_PREFIX}%"))).select(schools::id);
        let student_ids = students::table.filter(students::school_id.eq_any(school_ids())).select(students::id);
        diesel::delete(student_skills::table.filter(student_skills::student_id.eq_any(student_ids))).execute(conn)?;
        diesel::delete(students::table.filter(students::school_id.eq_any(school_ids()))).execute(conn)?;
        let account_schools =
            schools::table.filter(schools::code.like(format!("{SCHOOL_CODE_PREFIX}%"))).select(schools::id.nullable());
        diesel::delete(accounts::table.filter(accounts::school_id.eq_any(account_schools))).execute(conn)?;
        diesel::delete(schools::table.filter(schools::code.like(format!("{SCHOOL_CODE_PREFIX}%")))).execute(conn)?;
        if let Some(org) = organisation {
            let offer_ids = offers::table.filter(offers::organisation_id.eq(org)).select(offers::id);
            diesel::delete(offer_requirements::table.filter(offer_requirements::offer_id.eq_any(offer_ids)))
                .execute(conn)?;
            diesel::delete(offers::table.filter(offers::organisation_id.eq(org))).execute(conn)?;
            diesel::delete(accounts::table.filter(accounts::organisation_id.eq(org))).execute(conn)?;
            diesel::delete(organisations::table.find(org)).execute(conn)?;
        }
        diesel::delete(skills::table.filter(skills::slug.like(format!("{SKILL_SLUG_PREFIX}%")))).execute(conn)?;
        Ok(organisation.is_some())
    })
}

fn max_id(conn: &mut DbConnection, table: &str) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    // The table name comes from the fixed list of callers, never from input.
    let query = diesel::sql_query(format!("SELECT COALESCE(MAX(id), 0) AS id FROM {table}"));
    Ok(crate::per_backend!(conn, |c| query.get_result::<Max>(c))?.id)
}

/// Skills, schools, the organisation and its recruiter.
fn head(
    conn: &mut DbConnection,
    data: &SyntheticData,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<SyntheticIds> {
    let skill_offset = max_id(conn, "skills")?;
    let school_offset = max_id(conn, "schools")?;
    let student_offset = max_id(conn, "students")?;
    let offer_offset = max_id(conn, "offers")?;

    let skill_rows: Vec<_> = data
        .parents
        .iter()
        .enumerate()
        .map(|(i, parent)| {
            let label = data.skill_names.get(i).cloned().unwrap_or_else(|| format!("skill-{i:04}"));
            let slug = format!("{SKILL_SLUG_PREFIX}{:04}", i + 1);
            (
                skills::id.eq(skill_offset + i as i64 + 1),
                skills::search_text.eq(search_text([slug.as_str(), &label, &label])),
                skills::slug.eq(slug),
                skills::label_fr.eq(label.clone()),
                skills::label_en.eq(label),
                skills::domain.eq(DOMAINS[i % DOMAINS.len()]),
                skills::parent_id.eq(parent.map(|p| skill_offset + i64::from(p.0) + 1)),
            )
        })
        .collect();
    // Parents always have a smaller index, so each chunk only points back at
    // rows already written.
    for chunk in skill_rows.chunks(NARROW_CHUNK) {
        let insert = diesel::insert_into(skills::table).values(chunk);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }

    let school_rows: Vec<_> = data
        .schools
        .iter()
        .enumerate()
        .map(|(i, school)| {
            (
                schools::id.eq(school_offset + i as i64 + 1),
                schools::code.eq(format!("{SCHOOL_CODE_PREFIX}{:03}", i + 1)),
                schools::name.eq(format!("{} (synthetic)", school.name)),
                schools::city.eq(&school.city),
                schools::kind.eq("engineering_school"),
                schools::created_at.eq(now),
            )
        })
        .collect();
    for chunk in school_rows.chunks(NARROW_CHUNK) {
        let insert = diesel::insert_into(schools::table).values(chunk);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }

    let organisation_id = diesel::insert_into(organisations::table)
        .values((
            organisations::code.eq(ORGANISATION_CODE),
            organisations::name.eq(ORGANISATION_NAME),
            organisations::city.eq("Casablanca"),
            organisations::created_at.eq(now),
        ))
        .returning(organisations::id)
        .get_result::<i64>(conn)?;
    // It signs in too: load tests move the synthetic applications as it.
    let account_id = diesel::insert_into(accounts::table)
        .values((
            accounts::email.eq(RECRUITER_EMAIL),
            accounts::display_name.eq("Synthetic recruiter"),
            accounts::role.eq(Role::Recruiter.as_str()),
            accounts::password_hash.eq(password_hash),
            accounts::organisation_id.eq(organisation_id),
            accounts::created_at.eq(now),
        ))
        .returning(accounts::id)
        .get_result::<i64>(conn)?;
    // Read after the recruiter's insert, so the explicit ids start past it.
    let student_account_offset = max_id(conn, "accounts")?;

    Ok(SyntheticIds {
        skill_offset,
        school_offset,
        student_offset,
        offer_offset,
        organisation_id,
        account_id,
        student_account_offset,
    })
}

fn students_chunk(
    conn: &mut DbConnection,
    data: &SyntheticData,
    chunk: &[crate::matching::StudentProfile],
    ids: &SyntheticIds,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let school_of = |s: &crate::matching::StudentProfile| {
        data.student_schools.get((s.id - 1).max(0) as usize).copied().unwrap_or(0)
    };
    // Activated accounts: a password and no pending activation.
    let account_rows: Vec<_> = chunk
        .iter()
        .map(|s| {
            (
                accounts::id.eq(ids.student_account(s.id)),
                accounts::email.eq(student_email(s.id)),
                accounts::display_name.eq(format!("Synthetic Student {}", s.id)),
                accounts::role.eq(Role::Student.as_str()),
                accounts::password_hash.eq(password_hash),
                accounts::school_id.eq(ids.school_offset + i64::from(school_of(s)) + 1),
                accounts::created_at.eq(now),
            )
        })
        .collect();
    let insert = diesel::insert_into(accounts::table).values(&account_rows);
    crate::per_backend!(conn, |c| insert.execute(c))?;

    let rows: Vec<_> = chunk
        .iter()
        .map(|s| {
            let school = school_of(s);
            let wanted: Vec<&str> = s.wanted_kinds.iter().map(|k| k.as_str()).collect();
            let (number, last_name, email) =
                (format!("SYN-{:07}", s.id), format!("Student {}", s.id), student_email(s.id));
            (
                (
                    students::id.eq(ids.student(s.id)),
                    students::school_id.eq(ids.school_offset + i64::from(school) + 1),
                    students::search_text.eq(student_text("Synthetic", &last_name, &number, &email)),
                    students::student_number.eq(number),
                    students::first_name.eq("Synthetic"),
                    students::last_name.eq(last_name),
                    students::email.eq(email),
                    students::programme.eq("Synthetic programme"),
                    // The roster always states a level; the engine's unknown
                    // level has no text form, so it is stored empty.
                    students::degree_level.eq(s.degree_level.map_or("", |d| d.as_str())),
                    students::graduation_year.eq(2026),
                    students::account_id.eq(ids.student_account(s.id)),
                ),
                (
                    students::wanted_kinds.eq(wanted.join(",")),
                    students::available_from.eq(s.available_from),
                    students::available_until.eq(s.available_until),
                    students::cities.eq(serde_json::to_string(&s.cities).unwrap_or_default()),
                    students::remote_ok.eq(s.remote_ok),
                    students::discoverable.eq(s.discoverable),
                    students::created_at.eq(now),
                    students::updated_at.eq(now),
                ),
            )
        })
        .collect();
    let insert = diesel::insert_into(students::table).values(&rows);
    crate::per_backend!(conn, |c| insert.execute(c))?;

    let skill_rows: Vec<_> = chunk
        .iter()
        .flat_map(|s| {
            s.skills.iter().map(move |&(skill, level)| {
                (
                    student_skills::student_id.eq(ids.student(s.id)),
                    student_skills::skill_id.eq(ids.skill(skill)),
                    student_skills::level.eq(i32::from(level)),
                )
            })
        })
        .collect();
    for part in skill_rows.chunks(NARROW_CHUNK) {
        let insert = diesel::insert_into(student_skills::table).values(part);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

fn offers_chunk(
    conn: &mut DbConnection,
    chunk: &[crate::matching::OfferProfile],
    ids: &SyntheticIds,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let rows: Vec<_> = chunk
        .iter()
        .map(|o| {
            let kind = match o.kind {
                OfferKind::Internship => "Internship",
                OfferKind::WorkStudy => "Work-study",
            };
            let title = format!("{kind} {} (synthetic)", o.id);
            (
                (
                    offers::id.eq(ids.offer(o.id)),
                    offers::organisation_id.eq(ids.organisation_id),
                    offers::created_by.eq(ids.account_id),
                    offers::kind.eq(o.kind.as_str()),
                    offers::search_text.eq(search_text([
                        title.as_str(),
                        OFFER_DESCRIPTION,
                        &o.city,
                        ORGANISATION_NAME,
                    ])),
                    offers::title.eq(title),
                    offers::description.eq(OFFER_DESCRIPTION),
                    offers::city.eq(&o.city),
                    offers::work_mode.eq(o.work_mode.as_str()),
                ),
                (
                    offers::start_date.eq(o.start_date),
                    offers::positions.eq(1),
                    offers::min_degree_level.eq(o.min_degree_level.map(|d| d.as_str())),
                    offers::deadline.eq(o.deadline),
                    offers::status.eq(o.status.as_str()),
                    offers::created_at.eq(now),
                    offers::updated_at.eq(now),
                    offers::published_at.eq((o.status != OfferStatus::Draft).then_some(now)),
                ),
            )
        })
        .collect();
    let insert = diesel::insert_into(offers::table).values(&rows);
    crate::per_backend!(conn, |c| insert.execute(c))?;

    let requirement_rows: Vec<_> = chunk
        .iter()
        .flat_map(|o| {
            o.requirements.iter().map(move |r| {
                (
                    offer_requirements::offer_id.eq(ids.offer(o.id)),
                    offer_requirements::skill_id.eq(ids.skill(r.skill)),
                    offer_requirements::min_level.eq(i32::from(r.level())),
                    offer_requirements::weight.eq(i32::from(r.weight())),
                    offer_requirements::required.eq(r.required),
                )
            })
        })
        .collect();
    for part in requirement_rows.chunks(NARROW_CHUNK) {
        let insert = diesel::insert_into(offer_requirements::table).values(part);
        crate::per_backend!(conn, |c| insert.execute(c))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget};
    use crate::matching::synthetic::{generate, SyntheticConfig};

    /// Stands for the PHC string; only the server verifies it.
    const PHC: &str = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA";

    #[test]
    fn a_data_set_round_trips_through_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let mut conn = DatabaseTarget::parse(&url).unwrap().connect().unwrap();
        run_migrations(&mut conn).unwrap();
        let data =
            generate(&SyntheticConfig { skills: 120, students: 3_200, offers: 40, ..SyntheticConfig::default() }, None);
        let mut calls = Vec::new();
        let ids = write(&mut conn, &data, PHC, |n| calls.push(n)).unwrap();
        assert_eq!(calls.last(), Some(&3_240));

        let count = |conn: &mut DbConnection, table: &str| max_id(conn, table).unwrap();
        assert_eq!(count(&mut conn, "students"), ids.student(3_200));
        assert_eq!(count(&mut conn, "offers"), ids.offer(40));
        let held: i64 = student_skills::table.count().get_result(&mut conn).unwrap();
        let expected: usize = data.students.iter().map(|s| s.skills.len()).sum();
        assert_eq!(held, expected as i64);

        let first = &data.students[0];
        let (kinds, cities): (String, String) = students::table
            .find(ids.student(first.id))
            .select((students::wanted_kinds, students::cities))
            .first(&mut conn)
            .unwrap();
        let wanted: Vec<&str> = first.wanted_kinds.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, wanted.join(","));
        assert_eq!(serde_json::from_str::<Vec<String>>(&cities).unwrap(), first.cities);

        // Every student is linked to an activated student account of its
        // school, and no row is left for start-up to fill a search text in.
        let unlinked: i64 =
            students::table.filter(students::account_id.is_null()).count().get_result(&mut conn).unwrap();
        assert_eq!(unlinked, 0);
        let (role, hash, pending, school): (String, Option<String>, Option<String>, Option<i64>) = accounts::table
            .find(ids.student_account(first.id))
            .select((accounts::role, accounts::password_hash, accounts::activation_digest, accounts::school_id))
            .first(&mut conn)
            .unwrap();
        assert_eq!((role.as_str(), hash.as_deref(), pending), ("student", Some(PHC), None));
        let student_school: i64 =
            students::table.find(ids.student(first.id)).select(students::school_id).first(&mut conn).unwrap();
        assert_eq!(school, Some(student_school));
        assert_eq!(crate::store::search::fill_missing(&mut conn).unwrap(), 0);

        assert!(matches!(
            write(&mut conn, &data, PHC, |_| {}).unwrap_err().downcast_ref(),
            Some(SyntheticError::AlreadySeeded)
        ));
        assert!(remove(&mut conn).unwrap());
        let left: i64 = students::table.count().get_result(&mut conn).unwrap();
        assert_eq!(left, 0);
        assert!(write(&mut conn, &data, PHC, |_| {}).is_ok());
    }
}
