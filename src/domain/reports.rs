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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
    /// True when the caller is the committee and the group is withheld: it
    /// has fewer than 5 seeking students, or is withheld with such a group so
    /// that subtraction does not recover it (see the report). Every figure
    /// above is then null.
    #[schema(example = false)]
    pub suppressed: bool,
}

impl Figures {
    /// The figures of `counts`, every one withheld when `withhold` is set.
    pub fn from_counts(counts: &Counts, withhold: bool) -> Self {
        if withhold {
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

/// The groups of `students` under `by`: every offer kind of `kinds` (a list
/// known beforehand), or each programme or domain someone is in, by name.
pub fn group_names(students: &[StudentFacts], by: GroupBy, kinds: &[&str]) -> Vec<String> {
    let names: BTreeSet<String> = match by {
        GroupBy::Kind => kinds.iter().map(|k| (*k).to_owned()).collect(),
        _ => students.iter().flat_map(|s| group_keys(s, by)).collect(),
    };
    names.into_iter().collect()
}

/// Each of `schools` with its own students.
pub fn by_school(students: &[StudentFacts], schools: &[i64]) -> Vec<(i64, Vec<StudentFacts>)> {
    schools.iter().map(|&id| (id, students.iter().filter(|s| s.school_id == id).cloned().collect())).collect()
}

/// Cells that split (or cover) the students of another: the groups of one
/// `group_by` under their total, the schools under the network, the buckets
/// of a span under the span. Withholding a child is only safe when the rest
/// of the family does not give it away by subtraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub parent: usize,
    pub children: Vec<usize>,
    /// The fewest seeking students a child is known to hold: 1 for groups that
    /// are listed because someone is in them (programmes, domains), 0 for
    /// lists known beforehand (schools, offer kinds, buckets).
    pub floor: u32,
}

/// Whether the withheld children `hidden` of a family are safe from
/// subtraction when their parent is known, i.e. their sum (parent minus the
/// children shown) leaves every one of them open:
/// - at least two of them, holding more seeking students than the floors
///   account for (n groups of one student summing to n would all be known);
/// - every per-student yes/no figure mixed in their sum: some but not all
///   placed, some but not all with applications (a sum of 0 or of everyone
///   would tell each hidden student's outcome);
/// - some offers received among them (a sum of 0 would tell each group's 0).
pub fn protects(hidden: &[&Counts], floor: u32) -> bool {
    let n = u32::try_from(hidden.len()).unwrap_or(u32::MAX);
    let sum = |figure: fn(&Counts) -> u32| hidden.iter().map(|c| figure(c)).fold(0u32, u32::saturating_add);
    let seeking = sum(|c| c.seeking);
    let mixed = |count: u32| 0 < count && count < seeking;
    n >= 2
        && seeking > floor.saturating_mul(n)
        && mixed(sum(|c| c.placed))
        && mixed(sum(|c| c.with_applications))
        && sum(|c| c.offers_received) > 0
}

/// Which cells to withhold from the committee (primary and complementary
/// suppression), over every family at once so that no view of the same
/// students gives away what another withholds:
/// 1. a cell with fewer than [`MIN_GROUP_SIZE`] seeking students is withheld;
/// 2. in a family with a withheld child or a withheld parent, further
///    children are withheld, the fewest seeking students first (then in the
///    family's order), until the withheld children [`protects`] them;
/// 3. when even all its children withheld do not, and they add up to the
///    parent (a partition, like programmes or schools), the parent is withheld too,
///    which in turn applies rule 2 to every family of that parent (every
///    `group_by` of the same students) and to every family it is a child of;
///
/// until nothing changes. A withheld total thus depends on its students only,
/// not on the `group_by` asked, and never leaves a view adding up to it.
pub fn withheld(cells: &[Counts], families: &[Family]) -> Vec<bool> {
    withheld_by(
        cells,
        families,
        |c| c.seeking,
        protects,
        |children, parent| {
            let sum = |figure: fn(&Counts) -> u32| children.iter().map(|c| figure(c)).fold(0u32, u32::saturating_add);
            sum(|c| c.seeking) == parent.seeking && sum(|c| c.placed) == parent.placed
        },
    )
}

/// The withholding rules of [`withheld`] over cells of any report: `size`
/// is the number of students a cell counts, `protects` tells whether
/// withheld children are safe from subtraction (given the family's floor),
/// `adds_up` whether children add up to their parent, so that subtracting
/// the shown ones gives the sum of the withheld ones.
pub fn withheld_by<C>(
    cells: &[C],
    families: &[Family],
    size: impl Fn(&C) -> u32,
    protects: impl Fn(&[&C], u32) -> bool,
    adds_up: impl Fn(&[&C], &C) -> bool,
) -> Vec<bool> {
    let mut hidden: Vec<bool> = cells.iter().map(|c| is_suppressed(size(c))).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for family in families {
            let parent_hidden = hidden[family.parent];
            if !parent_hidden && family.children.iter().all(|&c| !hidden[c]) {
                continue;
            }
            loop {
                let withheld: Vec<&C> = family.children.iter().filter(|&&c| hidden[c]).map(|&c| &cells[c]).collect();
                if protects(&withheld, family.floor) {
                    break;
                }
                let next = family.children.iter().filter(|&&c| !hidden[c]).min_by_key(|&&c| size(&cells[c]));
                match next {
                    Some(&child) => hidden[child] = true,
                    None => {
                        // Groups that overlap or leave students out (kinds, domains) do
                        // not add up to their total, which then tells nothing of their sum.
                        let children: Vec<&C> = family.children.iter().map(|&c| &cells[c]).collect();
                        if !parent_hidden && adds_up(&children, &cells[family.parent]) {
                            hidden[family.parent] = true;
                        }
                        break;
                    }
                }
                changed = true;
            }
            changed |= !parent_hidden && hidden[family.parent];
        }
    }
    hidden
}

/// What a cell of the placement reports counts, over a window.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// Every school together.
    Network,
    /// Every school together, one offer kind.
    NetworkKind(String),
    /// One school.
    School(i64),
    /// One group of one school.
    Group(i64, GroupBy, String),
}

/// The cells of the placement reports over some windows (numbered by the
/// caller), with what is withheld.
#[derive(Debug, Clone, Default)]
pub struct Disclosure {
    index: BTreeMap<(usize, Part), usize>,
    cells: Vec<Counts>,
    families: Vec<Family>,
    hidden: Vec<bool>,
}

impl Disclosure {
    fn cell(&mut self, window: usize, cell: Part, counts: Counts) -> usize {
        let id = self.cells.len();
        self.cells.push(counts);
        self.index.insert((window, cell), id);
        id
    }

    fn id(&self, window: usize, cell: &Part) -> Option<usize> {
        self.index.get(&(window, cell.clone())).copied()
    }

    /// Adds every cell of the network over `window` (numbered `at`): the
    /// network, each offer kind, each school and each of its groups under
    /// every `group_by`, with the families that tie them together. Every
    /// `group_by` is counted whichever one is asked, so that what is withheld
    /// does not depend on the one asked.
    /// `schools` holds each school with its own students, `students` all of them.
    pub fn add_window(
        &mut self,
        at: usize,
        students: &[StudentFacts],
        schools: &[(i64, Vec<StudentFacts>)],
        kinds: &[&str],
        window: Window,
    ) {
        let network = self.cell(at, Part::Network, tally(students, &Scope::All, window));
        let network_kinds: Vec<usize> = kinds
            .iter()
            .map(|k| {
                self.cell(
                    at,
                    Part::NetworkKind((*k).to_owned()),
                    tally(students, &Scope::Kind((*k).to_owned()), window),
                )
            })
            .collect();
        let mut school_cells = Vec::new();
        let mut kind_columns: Vec<Vec<usize>> = vec![Vec::new(); kinds.len()];
        for (school, own) in schools {
            let school = *school;
            let total = self.cell(at, Part::School(school), tally(own, &Scope::All, window));
            school_cells.push(total);
            for (by, floor) in [(GroupBy::Programme, 1), (GroupBy::Kind, 0), (GroupBy::Domain, 1)] {
                let children: Vec<usize> = group_names(own, by, kinds)
                    .into_iter()
                    .map(|key| {
                        let counts = tally(own, &scope_of(by, &key), window);
                        let kind_position = kinds.iter().position(|k| *k == key);
                        let id = self.cell(at, Part::Group(school, by, key), counts);
                        if let (GroupBy::Kind, Some(column)) = (by, kind_position) {
                            kind_columns[column].push(id);
                        }
                        id
                    })
                    .collect();
                self.families.push(Family { parent: total, children, floor });
            }
        }
        self.families.push(Family { parent: network, children: school_cells, floor: 0 });
        self.families.push(Family { parent: network, children: network_kinds.clone(), floor: 0 });
        for (parent, column) in network_kinds.into_iter().zip(kind_columns) {
            self.families.push(Family { parent, children: column, floor: 0 });
        }
    }

    /// Ties the buckets `parts` of the span `whole` together: the network and
    /// each offer kind of the span against the same cell of every bucket,
    /// since applications and offers add up over the buckets.
    pub fn add_buckets(&mut self, whole: usize, parts: &[usize], kinds: &[&str]) {
        let cells = std::iter::once(Part::Network).chain(kinds.iter().map(|k| Part::NetworkKind((*k).to_owned())));
        for cell in cells {
            let (Some(parent), children) =
                (self.id(whole, &cell), parts.iter().filter_map(|&p| self.id(p, &cell)).collect())
            else {
                continue;
            };
            self.families.push(Family { parent, children, floor: 0 });
        }
    }

    /// The groups of `school` under `by` in window `at`, by name, with their figures.
    pub fn groups(&self, at: usize, school: i64, by: GroupBy) -> Vec<(String, Figures)> {
        self.index
            .iter()
            .filter_map(|((window, part), _)| match part {
                Part::Group(s, b, key) if *window == at && *s == school && *b == by => {
                    Some((key.clone(), self.figures(at, part)?))
                }
                _ => None,
            })
            .collect()
    }

    /// Decides what is withheld; `suppress` false (exact audiences) withholds nothing.
    pub fn settle(mut self, suppress: bool) -> Self {
        self.hidden = if suppress { withheld(&self.cells, &self.families) } else { vec![false; self.cells.len()] };
        self
    }

    /// The figures of a cell, withheld as settled; `None` for a cell never added.
    pub fn figures(&self, window: usize, cell: &Part) -> Option<Figures> {
        let id = self.id(window, cell)?;
        Some(Figures::from_counts(&self.cells[id], self.hidden.get(id).copied().unwrap_or(false)))
    }
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
        assert_eq!(Figures::from_counts(&five, false).placement_rate, Some(0.4));
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
        assert_eq!(group_names(&students, GroupBy::Domain, &["internship"]), ["cloud", "data"]);
        assert_eq!(group_names(&students, GroupBy::Kind, &["internship", "work_study"]), ["internship", "work_study"]);
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

    /// Counts of a cell: seeking, placed, with applications, offers received.
    fn c(seeking: u32, placed: u32, with_applications: u32, offers: u32) -> Counts {
        Counts {
            seeking,
            placed,
            with_applications,
            applications: with_applications,
            offers_received: offers,
            ..Counts::default()
        }
    }

    #[test]
    fn a_withheld_group_takes_enough_others_with_it() {
        let family =
            |parent, children: std::ops::Range<usize>, floor| Family { parent, children: children.collect(), floor };
        // (cells, families, withheld): cell 0 is the total unless said otherwise.
        type Case = (&'static str, Vec<Counts>, Vec<Family>, Vec<bool>);
        let cases: Vec<Case> = vec![
            (
                "nothing small: nothing withheld",
                vec![c(12, 3, 6, 2), c(6, 1, 3, 1), c(6, 2, 3, 1)],
                vec![family(0, 1..3, 1)],
                vec![false; 3],
            ),
            // Issue 11: 6 seeking / 1 placed, a programme 5 / 0 shown gave the other as 1 / 1.
            (
                "the issue's programmes",
                vec![c(6, 1, 3, 1), c(5, 0, 2, 0), c(1, 1, 1, 1)],
                vec![family(0, 1..3, 1)],
                vec![false, true, true],
            ),
            // Issue 11: by kind, 38 - 37 = 1.
            (
                "the issue's kinds",
                vec![c(38, 9, 20, 10), c(37, 8, 19, 9), c(1, 1, 1, 1)],
                vec![family(0, 1..3, 0)],
                vec![false, true, true],
            ),
            // A 2-student school beside empty ones: all unplaced would tell their outcome; the next school goes too.
            (
                "a small school among empty ones",
                vec![c(47, 11, 30, 12), c(40, 10, 25, 10), c(5, 1, 3, 2), c(2, 0, 2, 0), c(0, 0, 0, 0)],
                vec![family(0, 1..5, 0)],
                vec![false, false, true, true, true],
            ),
            // Five groups of one (each known to hold someone) sum to 5: a sixth group must go too.
            (
                "groups of one",
                vec![
                    c(15, 4, 8, 3),
                    c(1, 0, 1, 0),
                    c(1, 1, 1, 1),
                    c(1, 0, 0, 0),
                    c(1, 0, 1, 1),
                    c(1, 0, 0, 0),
                    c(10, 3, 5, 1),
                ],
                vec![family(0, 1..7, 1)],
                vec![false, true, true, true, true, true, true],
            ),
            // The smallest shown group goes first, not the largest.
            (
                "smallest first",
                vec![c(30, 6, 12, 4), c(3, 1, 1, 1), c(7, 2, 3, 1), c(20, 3, 8, 2)],
                vec![family(0, 1..4, 0)],
                vec![false, true, true, false],
            ),
            // Nobody placed: no set of groups hides anyone's outcome, so the total
            // goes, and with it every other view of the same students.
            (
                "nobody placed",
                vec![c(10, 0, 4, 1), c(2, 0, 1, 0), c(8, 0, 3, 1), c(5, 0, 2, 1), c(5, 0, 2, 0)],
                vec![family(0, 1..3, 1), family(0, 3..5, 0)],
                vec![true; 5],
            ),
            // A total withheld for being small withholds every group of every view.
            (
                "a small total",
                vec![c(4, 1, 2, 1), c(4, 1, 2, 1), c(3, 1, 1, 1), c(1, 0, 1, 0)],
                vec![family(0, 1..2, 1), family(0, 2..4, 0)],
                vec![true; 4],
            ),
            // A withheld child of two families (a school's kind, under the school and
            // under the network's kind) takes a sibling in both.
            (
                "two families",
                vec![
                    c(20, 5, 10, 4),
                    c(12, 3, 6, 2),
                    c(8, 2, 4, 2),
                    c(10, 3, 5, 2),
                    c(2, 0, 1, 0),
                    c(6, 2, 3, 2),
                    c(6, 1, 3, 1),
                ],
                // 0 network; 1, 2 schools; 3 network kind; 4 school 2's kind (under 2 and 3); 5 school 2's other kind; 6 school 1's kind.
                vec![
                    family(0, 1..3, 0),
                    Family { parent: 2, children: vec![4, 5], floor: 0 },
                    Family { parent: 3, children: vec![6, 4], floor: 0 },
                ],
                vec![false, false, false, false, true, true, true],
            ),
        ];
        for (name, cells, families, expected) in cases {
            assert_eq!(withheld(&cells, &families), expected, "{name}");
        }
    }

    #[test]
    fn a_withheld_set_protects_when_its_sum_leaves_each_open() {
        let cases = [
            (vec![c(3, 1, 2, 1)], 0, false),
            (vec![c(3, 1, 2, 1), c(2, 0, 1, 0)], 0, true),
            (vec![c(1, 0, 1, 0), c(1, 1, 1, 1)], 1, false),
            (vec![c(1, 0, 1, 0), c(2, 1, 1, 1)], 1, true),
            (vec![c(3, 0, 2, 1), c(2, 0, 1, 0)], 0, false),
            (vec![c(3, 3, 2, 1), c(2, 2, 1, 0)], 0, false),
            (vec![c(3, 1, 3, 1), c(2, 1, 2, 0)], 0, false),
            (vec![c(3, 1, 2, 0), c(2, 1, 1, 0)], 0, false),
            (vec![c(0, 0, 0, 0), c(0, 0, 0, 0)], 0, false),
        ];
        for (hidden, floor, expected) in cases {
            assert_eq!(protects(&hidden.iter().collect::<Vec<_>>(), floor), expected, "{hidden:?} floor {floor}");
        }
    }

    mod brute_force {
        use super::*;
        use proptest::prelude::*;
        use std::collections::BTreeSet;

        /// Every way of giving `total` to `parts` cells of at least `floor` each.
        fn splits(parts: usize, total: u32, floor: u32) -> Vec<Vec<u32>> {
            if parts == 0 {
                return if total == 0 { vec![vec![]] } else { vec![] };
            }
            let mut out = Vec::new();
            for first in floor..=total {
                for mut rest in splits(parts - 1, total - first, floor) {
                    rest.insert(0, first);
                    out.push(rest);
                }
            }
            out
        }

        /// Every way of placing `total` students among cells of `seeking`, at most all of each.
        fn placements(seeking: &[u32], total: u32) -> Vec<Vec<u32>> {
            let Some((&first, rest)) = seeking.split_first() else {
                return if total == 0 { vec![vec![]] } else { vec![] };
            };
            let mut out = Vec::new();
            for placed in 0..=first.min(total) {
                for mut tail in placements(rest, total - placed) {
                    tail.insert(0, placed);
                    out.push(tail);
                }
            }
            out
        }

        /// What one can tell of a view's withheld cells from its shown cells and a
        /// total of `(seeking, placed)`: every `(seeking, placed)` each can hold.
        fn view_options(
            cells: &[Counts],
            hidden: &[bool],
            floor: u32,
            total: (u32, u32),
        ) -> Option<Vec<BTreeSet<(u32, u32)>>> {
            let shown_seeking: u32 = cells.iter().zip(hidden).filter(|(_, h)| !**h).map(|(c, _)| c.seeking).sum();
            let shown_placed: u32 = cells.iter().zip(hidden).filter(|(_, h)| !**h).map(|(c, _)| c.placed).sum();
            let (seeking, placed) = (total.0.checked_sub(shown_seeking)?, total.1.checked_sub(shown_placed)?);
            let n = hidden.iter().filter(|h| **h).count();
            let mut options = vec![BTreeSet::new(); n];
            for split in splits(n, seeking, floor) {
                for placing in placements(&split, placed) {
                    for (i, option) in options.iter_mut().enumerate() {
                        option.insert((split[i], placing[i]));
                    }
                }
            }
            options
                .first()
                .is_none_or(|o| !o.is_empty())
                .then_some(options)
                .filter(|_| n > 0 || (seeking, placed) == (0, 0))
        }

        fn open(values: &BTreeSet<(u32, u32)>) -> Result<(), String> {
            let seeking: BTreeSet<u32> = values.iter().map(|v| v.0).collect();
            let placed: BTreeSet<u32> = values.iter().map(|v| v.1).collect();
            let rates: BTreeSet<Option<(u32, u32)>> =
                values.iter().map(|&(s, p)| (s > 0).then(|| (p / gcd(p, s).max(1), s / gcd(p, s).max(1)))).collect();
            if seeking.len() < 2 || placed.len() < 2 || rates.len() < 2 {
                return Err(format!("determined: {values:?}"));
            }
            Ok(())
        }

        fn gcd(a: u32, b: u32) -> u32 {
            if b == 0 {
                a
            } else {
                gcd(b, a % b)
            }
        }

        /// A student: programme (0..3), kind (0..2), placed, applied, offers.
        type Student = (usize, usize, bool, bool, u32);

        fn student() -> impl Strategy<Value = Student> {
            (0..3usize, 0..2usize, any::<bool>(), any::<bool>(), 0..2u32)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            /// Two views of the same students (programmes, known only when
            /// someone is in them; offer kinds, a fixed list) under one total:
            /// whatever is withheld, every withheld seeking count, placed count and
            /// rate can take at least two values given all that is shown and
            /// what is known (the views add up to the total, placed ≤ seeking,
            /// each programme holds someone). With nobody at all, the empty list of
            /// programmes tells the total of 0: there is no one to protect.
            #[test]
            fn no_withheld_figure_is_determined(students in proptest::collection::vec(student(), 1..14)) {
                let count = |f: &dyn Fn(&Student) -> bool| {
                    let members: Vec<_> = students.iter().filter(|s| f(s)).collect();
                    let n = |g: &dyn Fn(&&Student) -> bool| u32::try_from(members.iter().filter(|s| g(s)).count()).unwrap();
                    Counts {
                        seeking: n(&|_| true),
                        placed: n(&|s| s.2),
                        with_applications: n(&|s| s.3),
                        applications: n(&|s| s.3),
                        offers_received: members.iter().map(|s| s.4).sum(),
                        days_to_acceptance: vec![],
                    }
                };
                let programmes: Vec<usize> = students.iter().map(|s| s.0).collect::<BTreeSet<_>>().into_iter().collect();
                let mut cells = vec![count(&|_| true)];
                cells.extend(programmes.iter().map(|&p| count(&|s| s.0 == p)));
                cells.extend((0..2).map(|k| count(&|s| s.1 == k)));
                let a = 1..1 + programmes.len();
                let b = a.end..a.end + 2;
                let families = [
                    Family { parent: 0, children: a.clone().collect(), floor: 1 },
                    Family { parent: 0, children: b.clone().collect(), floor: 0 },
                ];
                let hidden = withheld(&cells, &families);
                let totals: Vec<(u32, u32)> = if hidden[0] {
                    let top = cells[0].seeking + 4;
                    (0..=top).flat_map(|s| (0..=s).map(move |p| (s, p))).collect()
                } else {
                    vec![(cells[0].seeking, cells[0].placed)]
                };
                let mut seen_a = vec![BTreeSet::new(); a.len()];
                let mut seen_b = vec![BTreeSet::new(); b.len()];
                let mut seen_total = BTreeSet::new();
                for total in totals {
                    let (Some(in_a), Some(in_b)) = (
                        view_options(&cells[a.clone()], &hidden[a.clone()], 1, total),
                        view_options(&cells[b.clone()], &hidden[b.clone()], 0, total),
                    ) else { continue };
                    seen_total.insert(total);
                    let hidden_a = a.clone().filter(|&i| hidden[i]).map(|i| i - a.start);
                    for (slot, options) in hidden_a.zip(in_a) { seen_a[slot].extend(options); }
                    let hidden_b = b.clone().filter(|&i| hidden[i]).map(|i| i - b.start);
                    for (slot, options) in hidden_b.zip(in_b) { seen_b[slot].extend(options); }
                }
                prop_assert!(seen_total.contains(&(cells[0].seeking, cells[0].placed)));
                if hidden[0] {
                    prop_assert!(open(&seen_total).is_ok(), "total {:?}: {:?}", cells[0], open(&seen_total));
                }
                for (range, seen) in [(a, &seen_a), (b, &seen_b)] {
                    for i in range.clone().filter(|&i| hidden[i]) {
                        let verdict = open(&seen[i - range.start]);
                        prop_assert!(verdict.is_ok(), "cell {} {:?} of {:?}: {:?}", i, cells[i], cells, verdict);
                    }
                }
            }
        }
    }

    #[test]
    fn a_narrower_skill_counts_for_its_broader_ones_at_its_level() {
        // 1 > 2 > 3 (3 is the narrowest); 4 stands alone.
        let parents = HashMap::from([(1, None), (2, Some(1)), (3, Some(2)), (4, None)]);
        let levels = effective_levels(&[(3, 4), (2, 2), (4, 1)], &parents);
        assert_eq!(levels, BTreeMap::from([(1, 4), (2, 4), (3, 4), (4, 1)]));
    }
}
