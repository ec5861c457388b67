//! What the matching engine reads, loaded from the database: the taxonomy,
//! student and offer profiles, and who applied where.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::calendar::MaybeDay;
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

/// The days are read as [`MaybeDay`]: diesel's own reading of a SQLite day
/// runs chrono's format parser, two of them a student at start-up.
type StudentRow = (i64, String, MaybeDay, MaybeDay, String, bool, String, bool);

fn student_columns() -> (
    students::id,
    students::wanted_kinds,
    students::available_from,
    students::available_until,
    students::cities,
    students::remote_ok,
    students::degree_level,
    students::discoverable,
) {
    (
        students::id,
        students::wanted_kinds,
        students::available_from,
        students::available_until,
        students::cities,
        students::remote_ok,
        students::degree_level,
        students::discoverable,
    )
}

fn profile(row: StudentRow, skills: Vec<(SkillId, u8)>) -> StudentProfile {
    let (id, kinds, from, until, cities, remote_ok, degree, discoverable) = row;
    StudentProfile {
        id,
        skills,
        wanted_kinds: crate::domain::OfferKind::decode_list(&kinds),
        available_from: from.0,
        available_until: until.0,
        cities: serde_json::from_str(&cities).unwrap_or_default(),
        remote_ok,
        degree_level: degree.parse().ok(),
        discoverable,
    }
}

fn held(skill: i64, level: i32) -> Option<(SkillId, u8)> {
    Some((skill_id(skill)?, u8::try_from(level).ok()?))
}

/// Students who can be matched: activated and not erased. `ids` limits the
/// load to those students (absent ones are simply not returned).
pub fn load_students(conn: &mut DbConnection, ids: Option<&[i64]>) -> QueryResult<Vec<StudentProfile>> {
    let mut query = students::table
        .filter(students::account_id.is_not_null())
        .filter(students::erased_at.is_null())
        .select(student_columns())
        .into_boxed();
    let mut skill_query = student_skills::table
        .select((student_skills::student_id, student_skills::skill_id, student_skills::level))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(students::id.eq_any(ids.to_vec()));
        skill_query = skill_query.filter(student_skills::student_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<StudentRow> = query.load(conn)?;
    let mut skills_by_student: HashMap<i64, Vec<(SkillId, u8)>> = HashMap::with_capacity(rows.len());
    for (student, skill, level) in skill_query.load::<(i64, i64, i32)>(conn)? {
        if let Some(held) = held(skill, level) {
            skills_by_student.entry(student).or_default().push(held);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let skills = skills_by_student.remove(&row.0).unwrap_or_default();
            profile(row, skills)
        })
        .collect())
}

/// Students read per round by [`for_each_student`].
const STUDENT_CHUNK: i64 = 20_000;

/// Number of students [`for_each_student`] would feed.
pub fn count_students(conn: &mut DbConnection) -> QueryResult<i64> {
    students::table
        .filter(students::account_id.is_not_null())
        .filter(students::erased_at.is_null())
        .count()
        .get_result(conn)
}

/// Every student's skills from one pass over the table in its own order
/// (on SQLite a plain scan: reading them by student through the primary key
/// costs four times as much), as runs of consecutive rows of one student
/// sorted by student. 8 bytes a skill held.
struct HeldSkills {
    /// (student, start, end) into `flat`; a student's runs are adjacent.
    runs: Vec<(i64, u32, u32)>,
    flat: Vec<(SkillId, u8)>,
}

impl HeldSkills {
    fn load(conn: &mut DbConnection) -> QueryResult<Self> {
        let mut skills = Self { runs: Vec::new(), flat: Vec::new() };
        let query =
            student_skills::table.select((student_skills::student_id, student_skills::skill_id, student_skills::level));
        match conn {
            DbConnection::Sqlite(c) => {
                for row in query.load_iter::<(i64, i64, i32), diesel::connection::DefaultLoadingMode>(c)? {
                    skills.push(row?);
                }
            }
            // libpq's default is to hold the whole result before the first
            // row is read: about 10 million rows at 1M students, hundreds of
            // megabytes that its allocator keeps once freed.
            DbConnection::Postgresql(c) => {
                for row in query.load_iter::<(i64, i64, i32), diesel::pg::PgRowByRowLoadingMode>(c)? {
                    skills.push(row?);
                }
            }
        }
        // Stable: the runs of one student keep the table's order.
        skills.runs.sort_by_key(|r| r.0);
        Ok(skills)
    }

    fn push(&mut self, (student, skill, level): (i64, i64, i32)) {
        let Some(held) = held(skill, level) else { return };
        let end = u32::try_from(self.flat.len() + 1).unwrap_or(u32::MAX);
        match self.runs.last_mut() {
            Some(run) if run.0 == student => run.2 = end,
            _ => self.runs.push((student, end - 1, end)),
        }
        self.flat.push(held);
    }

    /// Into `out`, the skills of `student`, given in increasing order across calls.
    fn take_into(&self, cursor: &mut usize, student: i64, out: &mut Vec<(SkillId, u8)>) {
        let rest = &self.runs[*cursor..];
        let start = rest.partition_point(|r| r.0 < student);
        let end = start + rest[start..].partition_point(|r| r.0 == student);
        *cursor += end;
        out.clear();
        for &(_, from, to) in &rest[start..end] {
            out.extend_from_slice(&self.flat[from as usize..to as usize]);
        }
    }
}

/// Distinct city lists decoded at most: past that many, a list not seen yet
/// is decoded for each student holding it.
const CITY_LISTS_KEPT: usize = 4_096;

/// The stored city lists (JSON) decoded once each: students share a handful
/// of them, so the load clones a decoded list into the profile it reuses
/// rather than parse and allocate one per student.
#[derive(Default)]
struct CityLists(HashMap<String, Vec<String>>);

impl CityLists {
    fn decode_into(&mut self, stored: &str, out: &mut Vec<String>) {
        if let Some(cities) = self.0.get(stored) {
            out.clone_from(cities);
            return;
        }
        let cities: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
        out.clone_from(&cities);
        if self.0.len() < CITY_LISTS_KEPT {
            self.0.insert(stored.to_owned(), cities);
        }
    }
}

/// Overwrites `profile` with the student of `row`, skills aside, keeping its
/// allocations.
fn refill(profile: &mut StudentProfile, row: &StudentRow, cities: &mut CityLists) {
    let (id, kinds, from, until, stored_cities, remote_ok, degree, discoverable) = row;
    profile.id = *id;
    profile.wanted_kinds = crate::domain::OfferKind::decode_list(kinds);
    profile.available_from = from.0;
    profile.available_until = until.0;
    cities.decode_into(stored_cities, &mut profile.cities);
    profile.remote_ok = *remote_ok;
    profile.degree_level = degree.parse().ok();
    profile.discoverable = *discoverable;
}

/// Chunks of student rows [`for_each_student`] reads ahead of the placing
/// on its second connection: enough to keep that connection busy while the
/// skills are read, and a bound on what waits (about 36 MB of rows).
const CHUNKS_AHEAD: usize = 10;

/// Feeds every student [`load_students`] would load to `each`, in id order:
/// the skills are read first, compactly, then the students a chunk of ids
/// at a time, so that at start-up the population is never held whole as
/// profiles and rows. One profile is refilled for each student, so that
/// the load allocates next to nothing per student. With a second connection
/// to the same database, `reader`, the rows of the students are read on it
/// in a thread of their own, during the skills' read and the placing, which
/// otherwise wait for each other on one core. Returns how many were fed.
pub fn for_each_student(
    conn: &mut DbConnection,
    reader: Option<&mut DbConnection>,
    each: impl FnMut(&StudentProfile),
) -> QueryResult<usize> {
    for_each_student_by(conn, reader, STUDENT_CHUNK, each)
}

fn for_each_student_by(
    conn: &mut DbConnection,
    reader: Option<&mut DbConnection>,
    chunk: i64,
    mut each: impl FnMut(&StudentProfile),
) -> QueryResult<usize> {
    let Some(reader) = reader else {
        let mut placing = Placing::new(HeldSkills::load(conn)?);
        let mut after = i64::MIN;
        loop {
            let rows = students_after(conn, after, chunk)?;
            placing.feed(&rows, &mut each);
            match next_after(&rows, chunk) {
                Some(last) => after = last,
                None => return Ok(placing.fed),
            }
        }
    };
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<StudentRow>>(CHUNKS_AHEAD);
        let rows_read = scope.spawn(move || -> QueryResult<()> {
            let mut after = i64::MIN;
            loop {
                let rows = students_after(reader, after, chunk)?;
                let next = next_after(&rows, chunk);
                // A closed channel means the placing failed and stopped.
                if sender.send(rows).is_err() {
                    return Ok(());
                }
                match next {
                    Some(last) => after = last,
                    None => return Ok(()),
                }
            }
        });
        let placed = HeldSkills::load(conn).map(|skills| {
            let mut placing = Placing::new(skills);
            for rows in receiver {
                placing.feed(&rows, &mut each);
            }
            placing.fed
        });
        // The reader's error first: it ends the rows early, which the
        // placing cannot tell from their end.
        match rows_read.join() {
            Ok(read) => read.and(placed),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The next chunk of students to feed, after id `after`, in id order.
fn students_after(conn: &mut DbConnection, after: i64, chunk: i64) -> QueryResult<Vec<StudentRow>> {
    students::table
        .filter(students::account_id.is_not_null())
        .filter(students::erased_at.is_null())
        .filter(students::id.gt(after))
        .order(students::id)
        .limit(chunk)
        .select(student_columns())
        .load(conn)
}

/// Where the chunk after `rows` starts, or none when `rows` was the last.
fn next_after(rows: &[StudentRow], chunk: i64) -> Option<i64> {
    let full = i64::try_from(rows.len()).is_ok_and(|n| n == chunk);
    rows.last().map(|r| r.0).filter(|_| full)
}

/// The state of [`for_each_student`] between two chunks of rows.
struct Placing {
    skills: HeldSkills,
    cursor: usize,
    profile: StudentProfile,
    cities: CityLists,
    fed: usize,
}

impl Placing {
    fn new(skills: HeldSkills) -> Self {
        Self { skills, cursor: 0, profile: StudentProfile::default(), cities: CityLists::default(), fed: 0 }
    }

    fn feed(&mut self, rows: &[StudentRow], each: &mut impl FnMut(&StudentProfile)) {
        for row in rows {
            refill(&mut self.profile, row, &mut self.cities);
            self.skills.take_into(&mut self.cursor, row.0, &mut self.profile.skills);
            each(&self.profile);
            self.fed += 1;
        }
    }
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
    let query = applications::table.select((applications::student_id, applications::offer_id));
    match ids {
        None => query.load(conn),
        // The catch-up after one application: a statement that stays
        // prepared, which diesel does not keep for `eq_any`.
        Some([id]) => {
            let query = query.filter(applications::id.eq(*id));
            crate::per_backend!(conn, |c| query.load(c))
        }
        Some(ids) => query.filter(applications::id.eq_any(ids)).load(conn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{run_migrations, DatabaseTarget};
    use crate::matching::synthetic::{generate, SyntheticConfig};

    #[test]
    fn students_fed_by_chunks_are_the_students_loaded_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("m.db").display());
        let mut conn = DatabaseTarget::parse(&url).unwrap().connect().unwrap();
        run_migrations(&mut conn).unwrap();
        let data =
            generate(&SyntheticConfig { skills: 60, students: 250, offers: 5, ..SyntheticConfig::default() }, None);
        let ids =
            crate::store::synthetic::write(&mut conn, &data, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", |_| {})
                .unwrap();
        // Students the index must not see: one without an account, one
        // erased, and one with no skill at all.
        diesel::update(students::table.find(ids.student(3)))
            .set(students::account_id.eq(None::<i64>))
            .execute(&mut conn)
            .unwrap();
        diesel::update(students::table.find(ids.student(97)))
            .set(students::erased_at.eq(Some(chrono::Utc::now().naive_utc())))
            .execute(&mut conn)
            .unwrap();
        diesel::delete(student_skills::table.filter(student_skills::student_id.eq(ids.student(40))))
            .execute(&mut conn)
            .unwrap();
        // One student's skills in two places of the table: a row taken out
        // and written again lands after every other.
        let (skill, level): (i64, i32) = student_skills::table
            .filter(student_skills::student_id.eq(ids.student(10)))
            .select((student_skills::skill_id, student_skills::level))
            .first(&mut conn)
            .unwrap();
        let row = student_skills::table
            .filter(student_skills::student_id.eq(ids.student(10)))
            .filter(student_skills::skill_id.eq(skill));
        diesel::delete(row).execute(&mut conn).unwrap();
        let insert = diesel::insert_into(student_skills::table).values((
            student_skills::student_id.eq(ids.student(10)),
            student_skills::skill_id.eq(skill),
            student_skills::level.eq(level),
        ));
        crate::per_backend!(&mut conn, |c| insert.execute(c)).unwrap();
        let sorted = |mut v: Vec<StudentProfile>| {
            for s in &mut v {
                s.skills.sort();
            }
            v.sort_by_key(|s| s.id);
            v
        };
        let all = sorted(load_students(&mut conn, None).unwrap());
        assert_eq!(all.len(), 248);
        assert!(all.iter().any(|s| s.id == ids.student(40) && s.skills.is_empty()));
        let tenth = all.iter().find(|s| s.id == ids.student(10)).unwrap();
        assert_eq!(tenth.skills.len(), data.students[9].skills.len());
        let mut reader = DatabaseTarget::parse(&url).unwrap().connect().unwrap();
        for chunk in [1, 7, 248, 1_000] {
            for second in [false, true] {
                let mut fed = Vec::new();
                let reader = second.then_some(&mut reader);
                assert_eq!(for_each_student_by(&mut conn, reader, chunk, |s| fed.push(s.clone())).unwrap(), 248);
                assert!(fed.windows(2).all(|w| w[0].id < w[1].id), "in id order");
                assert_eq!(sorted(fed), all, "chunks of {chunk}, second connection: {second}");
            }
        }
        assert_eq!(count_students(&mut conn).unwrap(), 248);
    }
}
