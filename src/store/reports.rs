//! The facts the reports are computed from, loaded in a few plain queries and
//! handed to `domain::reports` as plain values.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::calendar::Instant;
use crate::db::schema::{
    accounts, agreement_signatures, application_events, applications, offer_requirements, offers, placements, schools,
    skills, student_skills, students,
};
use crate::db::DbConnection;
use crate::domain::reports::{offer_domain, ApplicationFact, DomainCandidate, PlacementFact, StudentFacts};

/// Ids per `IN (...)` list: well under the bind limits of both backends.
const CHUNK: usize = 500;

/// Placement statuses whose agreement all three parties signed.
pub const SIGNED_STATUSES: [&str; 3] = ["signed", "in_progress", "completed"];

/// Which students a report looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Population {
    pub school_id: Option<i64>,
    /// Graduation year.
    pub cohort: Option<i32>,
}

/// A student of the population with what the facts need.
type StudentRow = (i64, i64, String, bool, String);

/// Students who activated an account: those whose account is still usable, and
/// erased students, whose account was disabled by the erasure itself and who
/// keep counting as anonymous records so that reports do not change.
fn population(conn: &mut DbConnection, who: Population) -> QueryResult<Vec<StudentRow>> {
    let mut query = students::table
        .inner_join(accounts::table.on(students::account_id.eq(accounts::id.nullable())))
        .filter(accounts::disabled.eq(false).or(students::erased_at.is_not_null()))
        .select((students::id, students::school_id, students::programme, students::seeking, students::wanted_kinds))
        .order(students::id.asc())
        .into_boxed();
    if let Some(school) = who.school_id {
        query = query.filter(students::school_id.eq(school));
    }
    if let Some(cohort) = who.cohort {
        query = query.filter(students::graduation_year.eq(cohort));
    }
    query.load(conn)
}

/// The kind and domain of each offer.
pub fn offer_kinds_and_domains(
    conn: &mut DbConnection,
    offer_ids: &[i64],
) -> QueryResult<HashMap<i64, (String, Option<String>)>> {
    let mut out = HashMap::new();
    for chunk in offer_ids.chunks(CHUNK) {
        let kinds: Vec<(i64, String)> =
            offers::table.filter(offers::id.eq_any(chunk)).select((offers::id, offers::kind)).load(conn)?;
        let requirements: Vec<(i64, i32, bool, String, String)> = offer_requirements::table
            .inner_join(skills::table)
            .filter(offer_requirements::offer_id.eq_any(chunk))
            .select((
                offer_requirements::offer_id,
                offer_requirements::weight,
                offer_requirements::required,
                skills::slug,
                skills::domain,
            ))
            .load(conn)?;
        let mut by_offer: HashMap<i64, Vec<DomainCandidate>> = HashMap::new();
        for (offer, weight, required, slug, domain) in &requirements {
            by_offer.entry(*offer).or_default().push(DomainCandidate {
                weight: *weight,
                required: *required,
                slug,
                domain,
            });
        }
        for (id, kind) in kinds {
            let domain = by_offer.get(&id).and_then(|r| offer_domain(r)).map(str::to_owned);
            out.insert(id, (kind, domain));
        }
    }
    Ok(out)
}

/// The facts of every student of the population.
pub fn student_facts(conn: &mut DbConnection, who: Population) -> QueryResult<Vec<StudentFacts>> {
    let rows = population(conn, who)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();

    let mut apps: Vec<(i64, i64, i64, NaiveDateTime)> = Vec::new();
    let mut places: Vec<(i64, i64, i64, String)> = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        apps.extend(
            applications::table
                .filter(applications::student_id.eq_any(chunk))
                .select((applications::id, applications::student_id, applications::offer_id, applications::created_at))
                .load::<(i64, i64, i64, NaiveDateTime)>(conn)?,
        );
        places.extend(
            placements::table
                .filter(placements::student_id.eq_any(chunk))
                .select((placements::id, placements::student_id, placements::offer_id, placements::status))
                .load::<(i64, i64, i64, String)>(conn)?,
        );
    }

    // First time each application reached `offered` and `accepted`.
    let app_ids: Vec<i64> = apps.iter().map(|a| a.0).collect();
    let mut reached: HashMap<(i64, String), NaiveDateTime> = HashMap::new();
    for chunk in app_ids.chunks(CHUNK) {
        let events: Vec<(i64, String, NaiveDateTime)> = application_events::table
            .filter(application_events::application_id.eq_any(chunk))
            .filter(application_events::to_status.eq_any(["offered", "accepted"]))
            .select((application_events::application_id, application_events::to_status, application_events::at))
            .load(conn)?;
        for (application, status, at) in events {
            let first = reached.entry((application, status)).or_insert(at);
            *first = (*first).min(at);
        }
    }

    // When each signed placement was first signed by all three parties.
    let signed_ids: Vec<i64> = places.iter().filter(|p| SIGNED_STATUSES.contains(&p.3.as_str())).map(|p| p.0).collect();
    let mut signed_at: HashMap<i64, NaiveDateTime> = HashMap::new();
    for chunk in signed_ids.chunks(CHUNK) {
        let signatures: Vec<(i64, i32, NaiveDateTime)> = agreement_signatures::table
            .filter(agreement_signatures::placement_id.eq_any(chunk))
            .select((
                agreement_signatures::placement_id,
                agreement_signatures::version,
                agreement_signatures::signed_at,
            ))
            .load(conn)?;
        let mut versions: HashMap<(i64, i32), (usize, NaiveDateTime)> = HashMap::new();
        for (placement, version, at) in signatures {
            let entry = versions.entry((placement, version)).or_insert((0, at));
            entry.0 += 1;
            entry.1 = entry.1.max(at);
        }
        for ((placement, _), (parties, last)) in versions {
            if parties == 3 {
                let first = signed_at.entry(placement).or_insert(last);
                *first = (*first).min(last);
            }
        }
    }

    let offer_ids: Vec<i64> =
        apps.iter().map(|a| a.2).chain(places.iter().map(|p| p.2)).collect::<HashSet<_>>().into_iter().collect();
    let offers = offer_kinds_and_domains(conn, &offer_ids)?;
    let kind_of = |offer: i64| offers.get(&offer).cloned().unwrap_or_default();

    let mut facts: HashMap<i64, StudentFacts> = rows
        .into_iter()
        .map(|(id, school_id, programme, seeking, kinds)| {
            let wanted_kinds = kinds.split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned).collect();
            (id, StudentFacts { school_id, programme, seeking, wanted_kinds, ..StudentFacts::default() })
        })
        .collect();
    for (id, student, offer, created_at) in apps {
        let (kind, domain) = kind_of(offer);
        if let Some(f) = facts.get_mut(&student) {
            f.applications.push(ApplicationFact {
                created_at,
                offered_at: reached.get(&(id, "offered".to_owned())).copied(),
                accepted_at: reached.get(&(id, "accepted".to_owned())).copied(),
                kind,
                domain,
            });
        }
    }
    for (id, student, offer, _) in places {
        let (kind, domain) = kind_of(offer);
        if let Some(f) = facts.get_mut(&student) {
            f.placements.push(PlacementFact { signed_at: signed_at.get(&id).copied(), kind, domain });
        }
    }
    let mut facts: Vec<(i64, StudentFacts)> = facts.into_iter().collect();
    facts.sort_by_key(|f| f.0);
    Ok(facts.into_iter().map(|f| f.1).collect())
}

/// Every school: id, code and name, by code.
pub fn schools(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, String)>> {
    schools::table.select((schools::id, schools::code, schools::name)).order(schools::code.asc()).load(conn)
}

pub fn school_exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(schools::table.find(id))).get_result(conn)
}

/// One requirement of an offer published in a window, with its skill.
#[derive(Debug, Clone, Queryable)]
pub struct DemandRow {
    pub offer_id: i64,
    pub positions: i32,
    #[diesel(deserialize_as = Instant)]
    pub published_at: NaiveDateTime,
    pub skill_id: i64,
    pub slug: String,
    pub label_fr: String,
    pub label_en: String,
    pub domain: String,
    pub min_level: i32,
    pub weight: i32,
    pub required: bool,
}

/// Requirements of offers published in `[from, to)`, optionally of skills of one domain.
pub fn demand(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    domain: Option<&str>,
) -> QueryResult<Vec<DemandRow>> {
    let mut query = offer_requirements::table
        .inner_join(offers::table)
        .inner_join(skills::table)
        .filter(offers::published_at.ge(from))
        .filter(offers::published_at.lt(to))
        .select((
            offers::id,
            offers::positions,
            offers::published_at.assume_not_null(),
            skills::id,
            skills::slug,
            skills::label_fr,
            skills::label_en,
            skills::domain,
            offer_requirements::min_level,
            offer_requirements::weight,
            offer_requirements::required,
        ))
        .into_boxed();
    if let Some(domain) = domain {
        query = query.filter(skills::domain.eq(domain.to_owned()));
    }
    query.load(conn)
}

/// One seeking student of the supply, with when they joined and their skills.
#[derive(Debug, Clone)]
pub struct SupplyStudent {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub skills: Vec<(i64, i32)>,
}

/// Seeking students (see `domain::reports::Figures::students_seeking`),
/// optionally of one school, with their skills.
pub fn supply(conn: &mut DbConnection, school_id: Option<i64>) -> QueryResult<Vec<SupplyStudent>> {
    let rows = population(conn, Population { school_id, cohort: None })?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut applied: HashSet<i64> = HashSet::new();
    let mut held: HashMap<i64, Vec<(i64, i32)>> = HashMap::new();
    let mut created: HashMap<i64, NaiveDateTime> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        applied.extend(
            applications::table
                .filter(applications::student_id.eq_any(chunk))
                .select(applications::student_id)
                .load::<i64>(conn)?,
        );
        for (student, skill, level) in student_skills::table
            .filter(student_skills::student_id.eq_any(chunk))
            .select((student_skills::student_id, student_skills::skill_id, student_skills::level))
            .load::<(i64, i64, i32)>(conn)?
        {
            held.entry(student).or_default().push((skill, level));
        }
        created.extend(
            students::table.filter(students::id.eq_any(chunk)).select((students::id, students::created_at)).load::<(
                i64,
                NaiveDateTime,
            )>(
                conn
            )?,
        );
    }
    Ok(rows
        .into_iter()
        .filter(|(id, _, _, seeking, _)| *seeking || applied.contains(id))
        .filter_map(|(id, ..)| {
            Some(SupplyStudent { id, created_at: *created.get(&id)?, skills: held.remove(&id).unwrap_or_default() })
        })
        .collect())
}

/// The parent of every skill.
pub fn skill_parents(conn: &mut DbConnection) -> QueryResult<HashMap<i64, Option<i64>>> {
    Ok(skills::table.select((skills::id, skills::parent_id)).load::<(i64, Option<i64>)>(conn)?.into_iter().collect())
}
