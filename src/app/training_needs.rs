//! Training needs: the skills that, once taught, would turn seeking students'
//! near misses into eligible matches, against the seats of the catalogue's
//! trainings that teach them; over a span and month by month.
//!
//! The arithmetic lives in `domain::training_needs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::reports::{span, CsvDialectParam, ReportFormat, ReportTable};
use crate::app::AppState;
use crate::auth::policy::{self, ReportAudience};
use crate::auth::Caller;
use crate::domain::reports::{buckets, Family, Period, Window};
use crate::domain::training::CatalogueTraining;
use crate::domain::training_needs::{tally, withheld_needs, MissFact, NeedCounts, NeedStudent, NeedTally};
use crate::error::ApiError;
use crate::export::Cell;
use crate::store::reports as store;

/// Parameters of the training needs.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrainingNeedsQuery {
    /// Only skills of this domain (e.g. `cloud`).
    #[param(example = "cloud")]
    pub domain: Option<String>,
    /// Only the students of this school. School staff read their own school's
    /// whether they name it or not; naming another one is refused.
    #[param(example = 3)]
    pub school_id: Option<i64>,
    /// First day (inclusive) offers were published; by default the first day of the month eleven months before `to`.
    #[param(example = "2026-01-01")]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive) offers were published; by default today.
    #[param(example = "2026-11-30")]
    pub to: Option<NaiveDate>,
    /// The form of the answer, over `Accept`: `json`, `csv` or `xlsx` (an
    /// Excel workbook). CSV and workbooks come as an attachment with a file name.
    #[param(example = "csv", inline)]
    pub format: Option<ReportFormat>,
    /// The CSV layout: `standard` (the default: UTF-8, `,`, LF, `.` decimals)
    /// or `excel`, as a French Excel opens it (UTF-8 with a byte order mark,
    /// `;`, CRLF, `,` decimals). Ignored for other forms.
    #[param(example = "excel", inline)]
    pub csv_dialect: Option<CsvDialectParam>,
}

/// The need for one skill.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillNeed {
    #[schema(example = "kubernetes")]
    pub skill: String,
    /// The skill's name in French.
    #[schema(example = "Kubernetes")]
    pub label_fr: String,
    /// The skill's name in English.
    #[schema(example = "Kubernetes")]
    pub label_en: String,
    #[schema(value_type = crate::domain::SkillDomain, example = "cloud")]
    pub domain: String,
    /// The lowest level the gaps counted over the span ask: `seats` and
    /// `trainings` count the trainings reaching it.
    #[schema(example = 3)]
    pub level: i32,
    /// Seeking students with a near miss, to an open offer published in the
    /// period, that the skill stands in the way of (alone or with one other).
    /// Null when withheld.
    #[schema(example = 7)]
    pub students: Option<u32>,
    /// Σ positions of those near misses: the positions the students would
    /// reach with the skill (and the other gap, if any). Null when withheld.
    #[schema(example = 9)]
    pub positions: Option<u32>,
    /// Σ seats of the trainings teaching the skill, or a narrower one, up to `level` or above.
    #[schema(example = 25)]
    pub seats: u32,
    /// How many trainings those are.
    #[schema(example = 1)]
    pub trainings: u32,
    /// True when the caller is the committee and the figures are withheld.
    #[schema(example = false)]
    pub suppressed: bool,
}

/// The need for the skills of one domain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainNeed {
    #[schema(value_type = crate::domain::SkillDomain, example = "cloud")]
    pub domain: String,
    /// Seeking students with a near miss that a skill of the domain stands in
    /// the way of, each once. Null when withheld.
    #[schema(example = 9)]
    pub students: Option<u32>,
    /// Σ positions of those near misses, each once. Null when withheld.
    #[schema(example = 11)]
    pub positions: Option<u32>,
    /// Σ seats of the trainings counted for the domain's skills, each training once.
    #[schema(example = 40)]
    pub seats: u32,
    #[schema(example = 2)]
    pub trainings: u32,
    #[schema(example = false)]
    pub suppressed: bool,
}

/// The needs of one calendar month of the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthNeeds {
    #[schema(example = "2026-03")]
    pub month: String,
    /// Every skill of the period, in its order: near misses to offers
    /// published that month, of students on a roster by the month's end.
    pub skills: Vec<SkillNeed>,
    /// Every domain of the period, in its order.
    pub domains: Vec<DomainNeed>,
}

/// What to teach next: skills blocking seeking students' near misses, against training seats.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingNeedsReport {
    #[schema(example = "2026-01-01")]
    pub from: NaiveDate,
    #[schema(example = "2026-11-30")]
    pub to: NaiveDate,
    #[schema(example = "cloud")]
    pub domain: Option<String>,
    /// The school whose students are counted; null for every school.
    #[schema(example = 3)]
    pub school_id: Option<i64>,
    /// Skills blocking a near miss in the period: most students first (withheld ones last), then most positions.
    pub skills: Vec<SkillNeed>,
    /// Their domains, in the same order.
    pub domains: Vec<DomainNeed>,
    /// Month by month, oldest first.
    pub trend: Vec<MonthNeeds>,
}

impl TrainingNeedsReport {
    /// The table of the CSV and workbook forms, named after the period, the domain and the school.
    pub fn table(&self) -> ReportTable {
        let (header, rows) = self.csv_table();
        let mut stem = format!("training-needs-{}-{}", self.from, self.to);
        if let Some(domain) = &self.domain {
            stem.push_str(&format!("-{domain}"));
        }
        if let Some(school) = self.school_id {
            stem.push_str(&format!("-school-{school}"));
        }
        ReportTable { header, rows, stem, sheet: "training-needs", chart: None }
    }

    /// The CSV form: one row per skill then per domain, for the period then
    /// each month; withheld figures are empty cells.
    pub fn csv_table(&self) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
        let header = [
            "month",
            "skill",
            "label_fr",
            "label_en",
            "domain",
            "level",
            "students",
            "positions",
            "seats",
            "trainings",
            "suppressed",
        ];
        let skill = |month: &str, n: &SkillNeed| {
            vec![
                Cell::text(month),
                Cell::text(n.skill.as_str()),
                Cell::text(n.label_fr.as_str()),
                Cell::text(n.label_en.as_str()),
                Cell::text(n.domain.as_str()),
                Cell::number(n.level),
                Cell::figure(n.students),
                Cell::figure(n.positions),
                Cell::number(n.seats),
                Cell::number(n.trainings),
                Cell::text(n.suppressed.to_string()),
            ]
        };
        let domain = |month: &str, n: &DomainNeed| {
            vec![
                Cell::text(month),
                Cell::text("all"),
                Cell::Empty,
                Cell::Empty,
                Cell::text(n.domain.as_str()),
                Cell::Empty,
                Cell::figure(n.students),
                Cell::figure(n.positions),
                Cell::number(n.seats),
                Cell::number(n.trainings),
                Cell::text(n.suppressed.to_string()),
            ]
        };
        let mut rows: Vec<Vec<Cell>> = self.skills.iter().map(|n| skill("all", n)).collect();
        rows.extend(self.domains.iter().map(|n| domain("all", n)));
        for month in &self.trend {
            rows.extend(month.skills.iter().map(|n| skill(&month.month, n)));
            rows.extend(month.domains.iter().map(|n| domain(&month.month, n)));
        }
        (header.to_vec(), rows)
    }
}

/// What is known of a skill asked by an offer of the period.
struct SkillInfo {
    slug: String,
    label_fr: String,
    label_en: String,
    domain: String,
}

/// The cells of every window, numbered, with the families tying them.
struct Cells {
    counts: Vec<NeedCounts>,
    /// (window, skill) and (window, domain) to the cell's number; window 0 is the span.
    skills: BTreeMap<(usize, i64), usize>,
    domains: BTreeMap<(usize, String), usize>,
    families: Vec<Family>,
}

impl Cells {
    fn new(tallies: &[NeedTally], info: &BTreeMap<i64, SkillInfo>) -> Self {
        let mut cells =
            Cells { counts: Vec::new(), skills: BTreeMap::new(), domains: BTreeMap::new(), families: Vec::new() };
        let span = &tallies[0];
        for (at, tally) in tallies.iter().enumerate() {
            for skill in span.skills.keys() {
                let counts = tally.skills.get(skill).cloned().unwrap_or_default();
                cells.skills.insert((at, *skill), cells.counts.len());
                cells.counts.push(counts);
            }
            for domain in span.domains.keys() {
                let counts = tally.domains.get(domain).cloned().unwrap_or_default();
                cells.domains.insert((at, domain.clone()), cells.counts.len());
                cells.counts.push(counts);
            }
            // A domain over its skills: over the span a skill is listed because someone is blocked by it.
            let floor = u32::from(at == 0);
            for domain in span.domains.keys() {
                let children = span
                    .skills
                    .keys()
                    .filter(|s| info.get(s).is_some_and(|i| &i.domain == domain))
                    .filter_map(|s| cells.skills.get(&(at, *s)).copied())
                    .collect();
                if let Some(&parent) = cells.domains.get(&(at, domain.clone())) {
                    cells.families.push(Family { parent, children, floor });
                }
            }
        }
        // The span of a skill or a domain over its months.
        let months = 1..tallies.len();
        for skill in span.skills.keys() {
            let children = months.clone().filter_map(|at| cells.skills.get(&(at, *skill)).copied()).collect();
            if let Some(&parent) = cells.skills.get(&(0, *skill)) {
                cells.families.push(Family { parent, children, floor: 0 });
            }
        }
        for domain in span.domains.keys() {
            let children = months.clone().filter_map(|at| cells.domains.get(&(at, domain.clone())).copied()).collect();
            if let Some(&parent) = cells.domains.get(&(0, domain.clone())) {
                cells.families.push(Family { parent, children, floor: 0 });
            }
        }
        cells
    }
}

/// Seats and number of the trainings reaching `level` on `skill`.
fn seats_for(catalogue: &[CatalogueTraining], skill: i64, level: i32) -> (Vec<i64>, u32) {
    let reaching: Vec<&CatalogueTraining> = catalogue.iter().filter(|t| t.closes(skill, level)).collect();
    (reaching.iter().map(|t| t.id).collect(), reaching.iter().map(|t| t.seats).fold(0u32, u32::saturating_add))
}

/// Most students first, withheld ones last (their count is not shown, so it
/// does not order them), then most positions, then by name.
fn need_order(a: (Option<u32>, Option<u32>, &str), b: (Option<u32>, Option<u32>, &str)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(b.2))
}

/// The training needs over a period and month by month.
pub async fn training_needs(
    state: &AppState,
    caller: Caller,
    query: TrainingNeedsQuery,
) -> Result<TrainingNeedsReport, ApiError> {
    let (audience, school) = policy::training_needs_scope(&caller, query.school_id)?;
    let hide = audience == ReportAudience::Anonymised;
    let (from, to) = span(query.from, query.to)?;
    let window = Window::of_dates(Some(from), Some(to));
    let (start, end) = (window.from.unwrap_or_default(), window.to.unwrap_or_default());
    let domain = query.domain.clone();
    let index = state.index.clone();
    let today = Utc::now().date_naive();
    let (demand, students, catalogue) = crate::db::run(&state.pool, move |conn| {
        if let Some(school) = school {
            if !store::school_exists(conn, school)? {
                return Err(ApiError::not_found("school"));
            }
        }
        let demand = store::demand(conn, start, end, domain.as_deref())?;
        let supply = store::supply(conn, school)?;
        let ids: Vec<i64> = supply.iter().map(|s| s.id).collect();
        let joined: HashMap<i64, NaiveDateTime> = supply.iter().map(|s| (s.id, s.created_at)).collect();
        let misses = index.near_misses_of(&ids, today);
        let parents = store::skill_parents(conn)?;
        let mut taught: HashMap<i64, Vec<(i64, i32)>> = HashMap::new();
        let mut seats: HashMap<i64, i32> = HashMap::new();
        for (training, skill, level, training_seats) in crate::store::trainings::teaching(conn)? {
            taught.entry(training).or_default().push((skill, level));
            seats.insert(training, training_seats);
        }
        let catalogue: Vec<CatalogueTraining> = taught
            .iter()
            .map(|(id, skills)| {
                let seats = u32::try_from(seats.get(id).copied().unwrap_or(0)).unwrap_or(0);
                CatalogueTraining::new(*id, skills, &parents, seats, &[], today)
            })
            .collect();
        let students: Vec<(NaiveDateTime, Vec<crate::matching::near_miss::NearMiss>)> =
            misses.into_iter().filter_map(|(id, found)| joined.get(&id).map(|at| (*at, found))).collect();
        Ok((demand, students, catalogue))
    })
    .await?;
    let mut offers: HashMap<i64, (NaiveDateTime, u32)> = HashMap::new();
    let mut info: BTreeMap<i64, SkillInfo> = BTreeMap::new();
    for row in &demand {
        offers.insert(row.offer_id, (row.published_at, u32::try_from(row.positions).unwrap_or(0)));
        info.entry(row.skill_id).or_insert_with(|| SkillInfo {
            slug: row.slug.clone(),
            label_fr: row.label_fr.clone(),
            label_en: row.label_en.clone(),
            domain: row.domain.clone(),
        });
    }
    let facts: Vec<NeedStudent> = students
        .into_iter()
        .map(|(joined, found)| NeedStudent {
            joined,
            misses: found
                .into_iter()
                .filter_map(|n| {
                    let (published_at, positions) = *offers.get(&n.offer_id)?;
                    let gaps = n.gaps.iter().map(|g| (i64::from(g.skill.0), i32::from(g.required_level))).collect();
                    Some(MissFact { offer_id: n.offer_id, published_at, positions, gaps })
                })
                .collect(),
        })
        .collect();
    let domain_of: BTreeMap<i64, String> = info.iter().map(|(id, i)| (*id, i.domain.clone())).collect();
    let months = buckets(from, to, Period::Month);
    let mut tallies = vec![tally(&facts, window, &domain_of)];
    tallies.extend(
        months.iter().map(|(_, first, last)| tally(&facts, Window::of_dates(Some(*first), Some(*last)), &domain_of)),
    );
    let cells = Cells::new(&tallies, &info);
    let hidden = if hide { withheld_needs(&cells.counts, &cells.families) } else { vec![false; cells.counts.len()] };
    let span_tally = &tallies[0];
    let levels: BTreeMap<i64, i32> = span_tally.skills.iter().map(|(s, c)| (*s, c.level.unwrap_or(1))).collect();
    let reach: BTreeMap<i64, (Vec<i64>, u32)> =
        levels.iter().map(|(s, level)| (*s, seats_for(&catalogue, *s, *level))).collect();
    let domain_reach: BTreeMap<&String, (u32, u32)> = span_tally
        .domains
        .keys()
        .map(|d| {
            let ids: BTreeSet<i64> = reach
                .iter()
                .filter(|(s, _)| info.get(s).is_some_and(|i| &i.domain == d))
                .flat_map(|(_, (ids, _))| ids.iter().copied())
                .collect();
            let seats =
                catalogue.iter().filter(|t| ids.contains(&t.id)).map(|t| t.seats).fold(0u32, u32::saturating_add);
            (d, (seats, u32::try_from(ids.len()).unwrap_or(u32::MAX)))
        })
        .collect();
    let skill_need = |at: usize, skill: i64| -> Option<SkillNeed> {
        let cell = *cells.skills.get(&(at, skill))?;
        let (counts, withheld) = (&cells.counts[cell], hidden[cell]);
        let i = info.get(&skill)?;
        let (ids, seats) = reach.get(&skill).cloned().unwrap_or_default();
        Some(SkillNeed {
            skill: i.slug.clone(),
            label_fr: i.label_fr.clone(),
            label_en: i.label_en.clone(),
            domain: i.domain.clone(),
            level: levels.get(&skill).copied().unwrap_or(1),
            students: (!withheld).then_some(counts.students),
            positions: (!withheld).then_some(counts.positions),
            seats,
            trainings: u32::try_from(ids.len()).unwrap_or(u32::MAX),
            suppressed: withheld,
        })
    };
    let domain_need = |at: usize, domain: &String| -> Option<DomainNeed> {
        let cell = *cells.domains.get(&(at, domain.clone()))?;
        let (counts, withheld) = (&cells.counts[cell], hidden[cell]);
        let (seats, trainings) = domain_reach.get(domain).copied().unwrap_or_default();
        Some(DomainNeed {
            domain: domain.clone(),
            students: (!withheld).then_some(counts.students),
            positions: (!withheld).then_some(counts.positions),
            seats,
            trainings,
            suppressed: withheld,
        })
    };
    let mut skills: Vec<SkillNeed> = span_tally.skills.keys().filter_map(|s| skill_need(0, *s)).collect();
    skills.sort_by(|a, b| need_order((a.students, a.positions, &a.skill), (b.students, b.positions, &b.skill)));
    let mut domains: Vec<DomainNeed> = span_tally.domains.keys().filter_map(|d| domain_need(0, d)).collect();
    domains.sort_by(|a, b| need_order((a.students, a.positions, &a.domain), (b.students, b.positions, &b.domain)));
    let slug_ids: HashMap<&str, i64> = info.iter().map(|(id, i)| (i.slug.as_str(), *id)).collect();
    let trend = months
        .iter()
        .enumerate()
        .map(|(i, (month, _, _))| MonthNeeds {
            month: month.clone(),
            skills: skills.iter().filter_map(|s| skill_need(i + 1, *slug_ids.get(s.skill.as_str())?)).collect(),
            domains: domains.iter().filter_map(|d| domain_need(i + 1, &d.domain)).collect(),
        })
        .collect();
    Ok(TrainingNeedsReport { from, to, domain: query.domain, school_id: school, skills, domains, trend })
}
