//! The arithmetic of the placement and skills-gap reports: which students
//! count, how the figures are computed, how groups are formed and when a group
//! is too small to be shown. No I/O: the store loads plain facts, these rules
//! turn them into figures.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::UnknownValue;

/// Smallest group whose figures the committee may see (k-anonymity, k = 5):
/// below it, a figure could point at a few identifiable students.
pub const MIN_GROUP_SIZE: u32 = 5;

/// Whether a group of `size` students is too small to be shown to the committee.
pub fn is_suppressed(size: u32) -> bool {
    size < MIN_GROUP_SIZE
}

/// Placed ÷ seeking; `None` when nobody is seeking (a rate of nothing).
pub fn placement_rate(placed: u32, seeking: u32) -> Option<f64> {
    (seeking > 0).then(|| f64::from(placed) / f64::from(seeking))
}

/// Demand ÷ supply; `None` when there is no supply at all.
pub fn gap_ratio(demand: u32, supply: u32) -> Option<f64> {
    (supply > 0).then(|| f64::from(demand) / f64::from(supply))
}

/// The median of day counts: the middle value, or the mean of the two middle
/// values for an even count; `None` for no values.
pub fn median(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len() / 2;
    #[allow(clippy::cast_precision_loss)] // day counts are far below 2^52
    let value = if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) as f64 / 2.0
    } else {
        sorted[middle] as f64
    };
    Some(value)
}

/// One requirement of an offer, as far as its domain depends on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCandidate<'a> {
    pub weight: i32,
    pub required: bool,
    pub slug: &'a str,
    pub domain: &'a str,
}

/// An offer's domain: the domain of its requirement with the highest weight;
/// among equal weights a required skill wins over a preferred one, then the
/// smallest slug. `None` for an offer without requirements.
pub fn offer_domain<'a>(requirements: &[DomainCandidate<'a>]) -> Option<&'a str> {
    requirements
        .iter()
        .min_by(|a, b| b.weight.cmp(&a.weight).then(b.required.cmp(&a.required)).then(a.slug.cmp(b.slug)))
        .map(|r| r.domain)
}

/// A span of time, `from` inclusive and `to` exclusive; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

impl Window {
    /// The whole of time: cohort reports count everything that ever happened.
    pub const ALL: Window = Window { from: None, to: None };

    /// Whole days `from` to `to`, both inclusive.
    pub fn of_dates(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Self {
        Window {
            from: from.and_then(|d| d.and_hms_opt(0, 0, 0)),
            to: to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)),
        }
    }

    pub fn contains(&self, at: NaiveDateTime) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }

    /// Whether `at` is before the end of the window (or the window has no end).
    pub fn reached_by(&self, at: NaiveDateTime) -> bool {
        self.to.is_none_or(|to| at < to)
    }
}

/// One application of a student, reduced to what the reports count.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationFact {
    pub created_at: NaiveDateTime,
    /// When it first reached `offered`, if it did.
    pub offered_at: Option<NaiveDateTime>,
    /// When the student accepted, if they did.
    pub accepted_at: Option<NaiveDateTime>,
    /// The offer's kind.
    pub kind: String,
    /// The offer's domain (see [`offer_domain`]).
    pub domain: Option<String>,
}

/// One placement of a student, reduced to what the reports count.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacementFact {
    /// When all three parties had first signed one version of its agreement,
    /// for a placement still signed, in progress or completed; `None` for one
    /// pending signatures or terminated, which does not place the student.
    pub signed_at: Option<NaiveDateTime>,
    pub kind: String,
    pub domain: Option<String>,
}

/// What the reports know of one student who holds an activated account.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StudentFacts {
    pub school_id: i64,
    pub programme: String,
    /// The student's own `seeking` flag.
    pub seeking: bool,
    /// Offer kinds the student wants.
    pub wanted_kinds: Vec<String>,
    pub applications: Vec<ApplicationFact>,
    pub placements: Vec<PlacementFact>,
}

/// The part of the data one group looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// Students of this programme, with all their applications.
    Programme(String),
    /// Applications and placements on offers of this kind; the students who
    /// want the kind or applied to an offer of it.
    Kind(String),
    /// Applications and placements on offers of this domain; the students who
    /// applied to an offer of it.
    Domain(String),
}

impl Scope {
    fn covers_offer(&self, kind: &str, domain: Option<&str>) -> bool {
        match self {
            Scope::All | Scope::Programme(_) => true,
            Scope::Kind(k) => k == kind,
            Scope::Domain(d) => domain == Some(d.as_str()),
        }
    }
}

/// How a report splits its students.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Programme,
    Kind,
    Domain,
}

/// The groups a student belongs to under `by`; a student may be in several
/// kind or domain groups, so those groups do not add up to the whole.
pub fn group_keys(student: &StudentFacts, by: GroupBy) -> BTreeSet<String> {
    match by {
        GroupBy::Programme => BTreeSet::from([student.programme.clone()]),
        GroupBy::Kind => {
            student.wanted_kinds.iter().cloned().chain(student.applications.iter().map(|a| a.kind.clone())).collect()
        }
        GroupBy::Domain => student.applications.iter().filter_map(|a| a.domain.clone()).collect(),
    }
}

/// The scope of the group named `key` under `by`.
pub fn scope_of(by: GroupBy, key: &str) -> Scope {
    match by {
        GroupBy::Programme => Scope::Programme(key.to_owned()),
        GroupBy::Kind => Scope::Kind(key.to_owned()),
        GroupBy::Domain => Scope::Domain(key.to_owned()),
    }
}

/// Raw counts of one group, before suppression.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub seeking: u32,
    pub placed: u32,
    pub with_applications: u32,
    pub applications: u32,
    pub offers_received: u32,
    /// Per student accepted in the window: days from their first application
    /// to their first acceptance.
    pub days_to_acceptance: Vec<i64>,
}

/// Counts the students of `scope` over `window` (see [`Figures`] for what
/// each count means).
pub fn tally(students: &[StudentFacts], scope: &Scope, window: Window) -> Counts {
    let mut counts = Counts::default();
    for student in students {
        if let Scope::Programme(programme) = scope {
            if &student.programme != programme {
                continue;
            }
        }
        let applications: Vec<&ApplicationFact> =
            student.applications.iter().filter(|a| scope.covers_offer(&a.kind, a.domain.as_deref())).collect();
        let applied_by_end = applications.iter().any(|a| window.reached_by(a.created_at));
        let member = match scope {
            Scope::All | Scope::Programme(_) => true,
            Scope::Kind(kind) => applied_by_end || student.wanted_kinds.contains(kind),
            Scope::Domain(_) => applied_by_end,
        };
        if !member || !(student.seeking || applied_by_end) {
            continue;
        }
        counts.seeking += 1;
        let placed = student
            .placements
            .iter()
            .filter(|p| scope.covers_offer(&p.kind, p.domain.as_deref()))
            .any(|p| p.signed_at.is_some_and(|at| window.contains(at)));
        counts.placed += u32::from(placed);
        let in_window = applications.iter().filter(|a| window.contains(a.created_at)).count();
        counts.with_applications += u32::from(in_window > 0);
        counts.applications += u32::try_from(in_window).unwrap_or(u32::MAX);
        let offered = applications.iter().filter(|a| a.offered_at.is_some_and(|at| window.contains(at))).count();
        counts.offers_received += u32::try_from(offered).unwrap_or(u32::MAX);
        let first_application = applications.iter().map(|a| a.created_at).min();
        let first_acceptance = applications.iter().filter_map(|a| a.accepted_at).min();
        if let (Some(applied), Some(accepted)) = (first_application, first_acceptance) {
            if window.contains(accepted) {
                counts.days_to_acceptance.push((accepted - applied).num_days());
            }
        }
    }
    counts
}

/// The placement figures of one group of students.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    /// Students seeking: students of the scope with an activated account whose
    /// `seeking` flag is set or who applied at least once (with a period: at
    /// least once before its end). Erased students keep counting as the
    /// anonymous records they became, so erasure never changes a report.
    #[schema(example = 48)]
    pub students_seeking: Option<u32>,
    /// Seeking students with a placement whose agreement all three parties
    /// signed (status `signed`, `in_progress` or `completed`; a terminated
    /// placement does not count); with a period, the signatures completed in it.
    #[schema(example = 39)]
    pub students_placed: Option<u32>,
    /// `students_placed / students_seeking`, from 0 to 1; null when nobody is seeking.
    #[schema(example = 0.8125)]
    pub placement_rate: Option<f64>,
    /// Seeking students with at least one application (created in the period, if any).
    #[schema(example = 45)]
    pub students_with_applications: Option<u32>,
    /// Applications of those students (created in the period, if any).
    #[schema(example = 132)]
    pub applications: Option<u32>,
    /// Applications that reached `offered` (whatever came after: accepted,
    /// declined, withdrawn); with a period, those offered in it.
    #[schema(example = 41)]
    pub offers_received: Option<u32>,
    /// Median of the whole days from a student's first application to their
    /// first acceptance, over students with an acceptance (in the period, if
    /// any); the mean of the two middle values for an even count; null when
    /// nobody accepted.
    #[schema(example = 23.5)]
    pub median_days_to_first_acceptance: Option<f64>,
    /// True when the group has fewer than 5 seeking students and the caller
    /// is the committee: every figure above is then null.
    #[schema(example = false)]
    pub suppressed: bool,
}

impl Figures {
    /// The figures of `counts`, with every one withheld when `suppress` is
    /// asked and the group has fewer than [`MIN_GROUP_SIZE`] seeking students.
    pub fn from_counts(counts: &Counts, suppress: bool) -> Self {
        if suppress && is_suppressed(counts.seeking) {
            return Figures {
                students_seeking: None,
                students_placed: None,
                placement_rate: None,
                students_with_applications: None,
                applications: None,
                offers_received: None,
                median_days_to_first_acceptance: None,
                suppressed: true,
            };
        }
        Figures {
            students_seeking: Some(counts.seeking),
            students_placed: Some(counts.placed),
            placement_rate: placement_rate(counts.placed, counts.seeking),
            students_with_applications: Some(counts.with_applications),
            applications: Some(counts.applications),
            offers_received: Some(counts.offers_received),
            median_days_to_first_acceptance: median(&counts.days_to_acceptance),
            suppressed: false,
        }
    }
}

/// Every group key of `students` under `by`, with its figures.
pub fn grouped(students: &[StudentFacts], by: GroupBy, window: Window, suppress: bool) -> Vec<(String, Figures)> {
    let keys: BTreeSet<String> = students.iter().flat_map(|s| group_keys(s, by)).collect();
    keys.into_iter()
        .map(|key| {
            let figures = Figures::from_counts(&tally(students, &scope_of(by, &key), window), suppress);
            (key, figures)
        })
        .collect()
}

crate::domain::text_enum! {
    /// The length of the buckets a period report is cut into.
    Period {
        /// Calendar months, labelled `2026-03`.
        Month => "month",
        /// Calendar quarters, labelled `2026-Q1`.
        Quarter => "quarter",
        /// Calendar years, labelled `2026`.
        Year => "year",
    }
}

/// The label of the bucket holding `date`.
pub fn bucket_label(date: NaiveDate, period: Period) -> String {
    match period {
        Period::Month => format!("{:04}-{:02}", date.year(), date.month()),
        Period::Quarter => format!("{:04}-Q{}", date.year(), (date.month() - 1) / 3 + 1),
        Period::Year => format!("{:04}", date.year()),
    }
}

fn bucket_start(date: NaiveDate, period: Period) -> NaiveDate {
    let month = match period {
        Period::Month => date.month(),
        Period::Quarter => (date.month() - 1) / 3 * 3 + 1,
        Period::Year => 1,
    };
    NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date)
}

/// The calendar buckets covering `from..=to`, each clamped to that span:
/// `(label, first day, last day)`. Empty when `to` is before `from`.
pub fn buckets(from: NaiveDate, to: NaiveDate, period: Period) -> Vec<(String, NaiveDate, NaiveDate)> {
    let step = Months::new(match period {
        Period::Month => 1,
        Period::Quarter => 3,
        Period::Year => 12,
    });
    let mut out = Vec::new();
    let mut start = bucket_start(from, period);
    while start <= to {
        let Some(next) = start.checked_add_months(step) else { break };
        let last = next.pred_opt().unwrap_or(next);
        out.push((bucket_label(start, period), start.max(from), last.min(to)));
        start = next;
    }
    out
}

/// The level at which a student holds each skill, crediting a broader skill
/// at the level of the narrower one held (as matching does); the highest
/// level wins. `parents` maps a skill to its parent.
pub fn effective_levels(held: &[(i64, i32)], parents: &HashMap<i64, Option<i64>>) -> BTreeMap<i64, i32> {
    let mut levels: BTreeMap<i64, i32> = BTreeMap::new();
    for &(skill, level) in held {
        let mut current = Some(skill);
        let mut seen = 0;
        // The tree has no loop (refused on write); the bound keeps a corrupted row from hanging us.
        while let Some(id) = current.filter(|_| seen < 64) {
            let entry = levels.entry(id).or_insert(level);
            *entry = (*entry).max(level);
            current = parents.get(&id).copied().flatten();
            seen += 1;
        }
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap().and_hms_opt(10, 0, 0).unwrap()
    }

    #[test]
    fn rates_and_ratios_are_null_without_a_denominator() {
        for (placed, seeking, expected) in [(0, 0, None), (0, 4, Some(0.0)), (1, 4, Some(0.25)), (5, 5, Some(1.0))] {
            assert_eq!(placement_rate(placed, seeking), expected, "{placed}/{seeking}");
        }
        assert_eq!(gap_ratio(6, 0), None);
        assert_eq!(gap_ratio(6, 4), Some(1.5));
    }

    #[test]
    fn the_median_takes_the_middle_or_the_mean_of_the_two_middles() {
        let cases: [(&[i64], Option<f64>); 6] = [
            (&[], None),
            (&[7], Some(7.0)),
            (&[10, 2], Some(6.0)),
            (&[9, 1, 5], Some(5.0)),
            (&[1, 2, 3, 10], Some(2.5)),
            (&[4, 4, 1, 30, 30], Some(4.0)),
        ];
        for (values, expected) in cases {
            assert_eq!(median(values), expected, "{values:?}");
        }
    }

    #[test]
    fn groups_under_five_are_suppressed() {
        for (size, expected) in [(0, true), (1, true), (4, true), (5, false), (6, false)] {
            assert_eq!(is_suppressed(size), expected, "{size}");
        }
        let four = Counts { seeking: 4, placed: 2, ..Counts::default() };
        let shown = Figures::from_counts(&four, false);
        assert_eq!((shown.students_placed, shown.suppressed), (Some(2), false));
        let hidden = Figures::from_counts(&four, true);
        assert_eq!((hidden.students_seeking, hidden.placement_rate, hidden.suppressed), (None, None, true));
        let five = Counts { seeking: 5, placed: 2, ..Counts::default() };
        assert_eq!(Figures::from_counts(&five, true).placement_rate, Some(0.4));
    }

    #[test]
    fn an_offer_takes_the_domain_of_its_heaviest_requirement() {
        let r = |weight, required, slug, domain| DomainCandidate { weight, required, slug, domain };
        let cases = [
            (vec![], None),
            (vec![r(2, true, "sql", "data"), r(5, false, "rust", "software")], Some("software")),
            (vec![r(3, false, "sql", "data"), r(3, true, "rust", "software")], Some("software")),
            (vec![r(3, true, "sql", "data"), r(3, true, "rust", "software")], Some("software")),
            (vec![r(3, true, "aws", "cloud"), r(3, true, "rust", "software")], Some("cloud")),
        ];
        for (requirements, expected) in cases {
            assert_eq!(offer_domain(&requirements), expected, "{requirements:?}");
        }
    }

    fn application(day: u32, offered: Option<u32>, accepted: Option<u32>, kind: &str, domain: &str) -> ApplicationFact {
        ApplicationFact {
            created_at: at(day),
            offered_at: offered.map(at),
            accepted_at: accepted.map(at),
            kind: kind.into(),
            domain: Some(domain.into()),
        }
    }

    fn student(
        programme: &str,
        seeking: bool,
        applications: Vec<ApplicationFact>,
        signed: Option<u32>,
    ) -> StudentFacts {
        let placements = applications
            .iter()
            .filter(|a| a.accepted_at.is_some())
            .map(|a| PlacementFact { signed_at: signed.map(at), kind: a.kind.clone(), domain: a.domain.clone() })
            .collect();
        StudentFacts {
            school_id: 1,
            programme: programme.into(),
            seeking,
            wanted_kinds: vec![],
            applications,
            placements,
        }
    }

    fn cohort() -> Vec<StudentFacts> {
        vec![
            // Applied on the 1st, accepted on the 11th, signed on the 12th: 10 days.
            student("data", true, vec![application(1, Some(5), Some(11), "internship", "data")], Some(12)),
            // Two applications; accepted the second 3 days after the first: placement not yet signed.
            student(
                "data",
                false,
                vec![
                    application(2, None, None, "internship", "data"),
                    application(3, Some(4), Some(5), "work_study", "cloud"),
                ],
                None,
            ),
            // Seeking, no application yet.
            student("cloud", true, vec![], None),
            // Not seeking, no application: not counted.
            student("cloud", false, vec![], None),
        ]
    }

    #[test]
    fn a_cohort_is_tallied_student_by_student() {
        let counts = tally(&cohort(), &Scope::All, Window::ALL);
        assert_eq!(
            counts,
            Counts {
                seeking: 3,
                placed: 1,
                with_applications: 2,
                applications: 3,
                offers_received: 2,
                days_to_acceptance: vec![10, 3],
            }
        );
        assert_eq!(Figures::from_counts(&counts, false).median_days_to_first_acceptance, Some(6.5));
    }

    #[test]
    fn groups_see_their_own_part() {
        let students = cohort();
        let cases = [
            (Scope::Programme("data".into()), 2, 1, 3),
            (Scope::Programme("cloud".into()), 1, 0, 0),
            (Scope::Kind("internship".into()), 2, 1, 2),
            (Scope::Kind("work_study".into()), 1, 0, 1),
            (Scope::Domain("cloud".into()), 1, 0, 1),
        ];
        for (scope, seeking, placed, applications) in cases {
            let counts = tally(&students, &scope, Window::ALL);
            assert_eq!(
                (counts.seeking, counts.placed, counts.applications),
                (seeking, placed, applications),
                "{scope:?}"
            );
        }
        let keys: Vec<String> =
            grouped(&students, GroupBy::Domain, Window::ALL, false).into_iter().map(|g| g.0).collect();
        assert_eq!(keys, ["cloud", "data"]);
    }

    #[test]
    fn a_window_counts_only_what_happened_in_it() {
        let students = cohort();
        // The 4th to the 11th, inclusive.
        let window = Window::of_dates(NaiveDate::from_ymd_opt(2026, 3, 4), NaiveDate::from_ymd_opt(2026, 3, 11));
        let counts = tally(&students, &Scope::All, window);
        assert_eq!(
            (counts.seeking, counts.placed, counts.with_applications, counts.applications, counts.offers_received),
            (3, 0, 0, 0, 2)
        );
        assert_eq!(counts.days_to_acceptance, vec![10, 3]);
        // Before anyone applied: only the flags count.
        let early = Window::of_dates(None, NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(tally(&students, &Scope::All, early).seeking, 2);
    }

    #[test]
    fn buckets_are_calendar_periods_clamped_to_the_span() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let months = buckets(d(1, 15), d(3, 10), Period::Month);
        assert_eq!(
            months,
            vec![
                ("2026-01".into(), d(1, 15), d(1, 31)),
                ("2026-02".into(), d(2, 1), d(2, 28)),
                ("2026-03".into(), d(3, 1), d(3, 10)),
            ]
        );
        let quarters: Vec<String> = buckets(d(2, 1), d(7, 1), Period::Quarter).into_iter().map(|b| b.0).collect();
        assert_eq!(quarters, ["2026-Q1", "2026-Q2", "2026-Q3"]);
        assert_eq!(buckets(d(2, 1), d(12, 31), Period::Year).len(), 1);
        assert!(buckets(d(3, 1), d(2, 1), Period::Month).is_empty());
    }

    #[test]
    fn a_narrower_skill_counts_for_its_broader_ones_at_its_level() {
        // 1 > 2 > 3 (3 is the narrowest); 4 stands alone.
        let parents = HashMap::from([(1, None), (2, Some(1)), (3, Some(2)), (4, None)]);
        let levels = effective_levels(&[(3, 4), (2, 2), (4, 1)], &parents);
        assert_eq!(levels, BTreeMap::from([(1, 4), (2, 4), (3, 4), (4, 1)]));
    }
}
