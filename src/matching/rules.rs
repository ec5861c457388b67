//! The matching rules on plain values: effective skills, credit, score, hard
//! filters, ranking order and the explanation of one student–offer pair. Both
//! the index and the brute-force reference rank with these definitions.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::taxonomy::{SkillId, Taxonomy};
use crate::domain::{DegreeLevel, OfferKind, OfferStatus, WorkMode};

/// Common denominator of every partial credit: `w·l/m` with `m ∈ 1..=5` is a
/// whole number of sixtieths, so scores compare exactly, without float ties.
pub(crate) const CREDIT_UNIT: u32 = 60;

/// What the engine needs to know about a student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StudentProfile {
    /// Stable id; ties between equal scores go to the smaller id.
    pub id: i64,
    /// Declared skills with a level in 1..=5 (0 is ignored, above 5 counts as 5).
    pub skills: Vec<(SkillId, u8)>,
    /// Kinds of position the student looks for.
    pub wanted_kinds: Vec<OfferKind>,
    /// First day the student can start, if said.
    pub available_from: Option<NaiveDate>,
    /// Last day the student can start, if said.
    pub available_until: Option<NaiveDate>,
    /// Cities the student accepts, matched case-insensitively.
    pub cities: Vec<String>,
    /// Whether the student accepts fully remote positions.
    pub remote_ok: bool,
    /// Highest degree level reached, if known.
    pub degree_level: Option<DegreeLevel>,
    /// Whether recruiters may find the student without an application.
    pub discoverable: bool,
}

/// One skill an offer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// The skill.
    pub skill: SkillId,
    /// Level for full credit, 1..=5 (clamped into that range).
    pub min_level: u8,
    /// Weight in the score, 1..=5 (clamped into that range).
    pub weight: u8,
    /// A required skill must be held at `min_level` for the student to be
    /// eligible; a preferred one only adds to the score.
    pub required: bool,
}

impl Requirement {
    /// The minimum level within 1..=5.
    pub fn level(&self) -> u8 {
        self.min_level.clamp(1, 5)
    }

    /// The weight within 1..=5.
    pub fn weight(&self) -> u8 {
        self.weight.clamp(1, 5)
    }
}

/// What the engine needs to know about an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferProfile {
    /// Stable id; ties between equal scores go to the smaller id.
    pub id: i64,
    /// Internship or work-study.
    pub kind: OfferKind,
    /// Only open offers are matched.
    pub status: OfferStatus,
    /// Last day to apply, if any; the offer is matched on that day still.
    pub deadline: Option<NaiveDate>,
    /// First day of the position, if known.
    pub start_date: Option<NaiveDate>,
    /// City of the position.
    pub city: String,
    /// On site, hybrid or remote.
    pub work_mode: WorkMode,
    /// Minimum degree level, if any.
    pub min_degree_level: Option<DegreeLevel>,
    /// Skills asked for.
    pub requirements: Vec<Requirement>,
}

/// A hard rule that a student–offer pair breaks; any one makes the pair
/// ineligible whatever the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HardFilter {
    /// The offer is not open.
    NotOpen,
    /// The offer's deadline is before today.
    DeadlinePassed,
    /// The student does not look for this kind of position.
    KindNotWanted,
    /// The offer starts outside the student's availability.
    NotAvailable,
    /// The student's degree is below the offer's minimum, or unknown.
    DegreeTooLow,
    /// The offer's city is not among the student's and the offer is not a
    /// remote one the student would accept.
    CityNotAcceptable,
    /// Recruiter view only: the student is not discoverable and has not applied.
    NotDiscoverable,
    /// A required skill is missing or held below its minimum level.
    MissingRequiredSkill,
}

/// One requirement the student holds, fully or partly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SkillMatch {
    /// The skill asked for.
    pub skill: SkillId,
    /// The student's effective level (ancestor credit included).
    pub student_level: u8,
    /// The requirement's minimum level.
    pub required_level: u8,
    /// The requirement's weight.
    pub weight: u8,
    /// Credit earned: the weight when met, `weight·level/min` when partly met.
    pub credit: f64,
    /// Whether the requirement is a required one.
    pub required: bool,
}

/// One requirement the student does not hold at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingSkill {
    /// The skill asked for.
    pub skill: SkillId,
    /// The requirement's minimum level.
    pub required_level: u8,
    /// The requirement's weight.
    pub weight: u8,
}

/// A scored student–offer pair with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchResult {
    /// The student.
    pub student_id: i64,
    /// The offer.
    pub offer_id: i64,
    /// Sum of credits over sum of weights, in [0, 1]; 0 for an offer without
    /// requirements.
    pub score: f64,
    /// Whether no hard filter failed.
    pub eligible: bool,
    /// Number of preferred requirements held at their minimum level, the first
    /// tie-break after the score.
    pub preferred_met: u32,
    /// Requirements held at their minimum level or above.
    pub met: Vec<SkillMatch>,
    /// Requirements held below their minimum level (required ones included).
    pub partially_met: Vec<SkillMatch>,
    /// Required skills the student does not hold at all.
    pub missing_required: Vec<MissingSkill>,
    /// Preferred skills the student does not hold at all.
    pub missing_preferred: Vec<MissingSkill>,
    /// Hard filters that failed, in the order of [`HardFilter`]; empty when eligible.
    pub failed_filters: Vec<HardFilter>,
}

/// The credit of one requirement for a student at `level` (0 when the skill is
/// not held): the weight when `level ≥ min_level`, else `weight·level/min_level`.
pub fn credit(level: u8, min_level: u8, weight: u8) -> f64 {
    f64::from(credit_units(level, min_level, weight)) / f64::from(CREDIT_UNIT)
}

/// [`credit`] in sixtieths.
pub(crate) fn credit_units(level: u8, min_level: u8, weight: u8) -> u32 {
    let m = u32::from(min_level.clamp(1, 5));
    let w = u32::from(weight.clamp(1, 5));
    let l = u32::from(level.min(5));
    if l >= m {
        w * CREDIT_UNIT
    } else {
        w * l * (CREDIT_UNIT / m)
    }
}

/// A student level as the engine reads it: `None` for 0, at most 5.
pub(crate) fn clamp_level(level: u8) -> Option<u8> {
    (level > 0).then_some(level.min(5))
}

/// The student's skills with ancestor credit, sorted by skill, each at the
/// highest level through which it is reached. Skills unknown to the taxonomy
/// are dropped: no offer can ask for them either.
pub fn effective_skills(taxonomy: &Taxonomy, skills: &[(SkillId, u8)]) -> Vec<(SkillId, u8)> {
    let mut out: Vec<(SkillId, u8)> = Vec::with_capacity(skills.len() * 2);
    for &(skill, level) in skills {
        let Some(level) = clamp_level(level) else {
            continue;
        };
        if !taxonomy.contains(skill) {
            continue;
        }
        out.push((skill, level));
        out.extend(taxonomy.ancestors(skill).iter().map(|&a| (a, level)));
    }
    // Highest level first within a skill, so dedup keeps it.
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    out.dedup_by_key(|e| e.0);
    out
}

/// Lower-cased, trimmed city name: the form cities are compared in.
pub fn normalise_city(city: &str) -> String {
    city.trim().to_lowercase()
}

/// Failed filters that depend on the offer alone.
pub(crate) fn offer_filters(
    status: OfferStatus,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
    out: &mut Vec<HardFilter>,
) {
    if status != OfferStatus::Open {
        out.push(HardFilter::NotOpen);
    }
    if deadline.is_some_and(|d| d < today) {
        out.push(HardFilter::DeadlinePassed);
    }
}

/// Whether a student available from `from` until `until` can start on `start`.
pub(crate) fn available(from: Option<NaiveDate>, until: Option<NaiveDate>, start: Option<NaiveDate>) -> bool {
    match start {
        None => true,
        Some(s) => from.is_none_or(|f| f <= s) && until.is_none_or(|u| s <= u),
    }
}

/// Whether the student's degree meets the offer's minimum.
pub(crate) fn degree_ok(student: Option<DegreeLevel>, minimum: Option<DegreeLevel>) -> bool {
    match minimum {
        None => true,
        Some(min) => student.is_some_and(|d| d >= min),
    }
}

/// Every failed hard filter of a pair given as plain values, skills excluded;
/// `student_cities` are already normalised.
pub(crate) fn pair_filters(
    student: &StudentProfile,
    student_cities: &[String],
    offer: &OfferProfile,
    today: NaiveDate,
    recruiter_view: bool,
    applied: bool,
) -> Vec<HardFilter> {
    let mut out = Vec::new();
    offer_filters(offer.status, offer.deadline, today, &mut out);
    if !student.wanted_kinds.contains(&offer.kind) {
        out.push(HardFilter::KindNotWanted);
    }
    if !available(student.available_from, student.available_until, offer.start_date) {
        out.push(HardFilter::NotAvailable);
    }
    if !degree_ok(student.degree_level, offer.min_degree_level) {
        out.push(HardFilter::DegreeTooLow);
    }
    let city = normalise_city(&offer.city);
    let remote = offer.work_mode == WorkMode::Remote && student.remote_ok;
    if !remote && !student_cities.contains(&city) {
        out.push(HardFilter::CityNotAcceptable);
    }
    if recruiter_view && !student.discoverable && !applied {
        out.push(HardFilter::NotDiscoverable);
    }
    out
}

/// Scores a pair and writes its explanation. `level_of` gives the student's
/// effective level of a skill (0 when not held); `failed` holds the failed
/// filters other than skills.
pub(crate) fn evaluate(
    student_id: i64,
    offer_id: i64,
    requirements: &[Requirement],
    level_of: impl Fn(SkillId) -> u8,
    mut failed: Vec<HardFilter>,
) -> MatchResult {
    let mut result = MatchResult {
        student_id,
        offer_id,
        score: 0.0,
        eligible: false,
        preferred_met: 0,
        met: Vec::new(),
        partially_met: Vec::new(),
        missing_required: Vec::new(),
        missing_preferred: Vec::new(),
        failed_filters: Vec::new(),
    };
    let mut earned = 0u32;
    let mut total = 0u32;
    let mut required_missing = false;
    for r in requirements {
        let (m, w) = (r.level(), r.weight());
        let l = level_of(r.skill).min(5);
        let units = credit_units(l, m, w);
        earned += units;
        total += u32::from(w) * CREDIT_UNIT;
        if l == 0 {
            let missing = MissingSkill { skill: r.skill, required_level: m, weight: w };
            if r.required {
                required_missing = true;
                result.missing_required.push(missing);
            } else {
                result.missing_preferred.push(missing);
            }
            continue;
        }
        let held = SkillMatch {
            skill: r.skill,
            student_level: l,
            required_level: m,
            weight: w,
            credit: f64::from(units) / f64::from(CREDIT_UNIT),
            required: r.required,
        };
        if l >= m {
            if !r.required {
                result.preferred_met += 1;
            }
            result.met.push(held);
        } else {
            required_missing |= r.required;
            result.partially_met.push(held);
        }
    }
    if required_missing {
        failed.push(HardFilter::MissingRequiredSkill);
    }
    failed.sort_unstable();
    failed.dedup();
    result.score = if total == 0 { 0.0 } else { f64::from(earned) / f64::from(total) };
    result.eligible = failed.is_empty();
    result.failed_filters = failed;
    result
}

/// Sort key of a result: greater is better. Scores are exact fractions
/// `earned / total` in credit units, so equal scores compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RankKey {
    /// Credit earned, in units.
    pub earned: u32,
    /// Sum of weights, in units; 0 for an offer without requirements.
    pub total: u32,
    /// Preferred requirements met.
    pub preferred_met: u32,
    /// Stable id of the ranked item (student or offer).
    pub id: i64,
}

impl Ord for RankKey {
    fn cmp(&self, other: &Self) -> Ordering {
        let lhs = u64::from(self.earned) * u64::from(other.total.max(1));
        let rhs = u64::from(other.earned) * u64::from(self.total.max(1));
        lhs.cmp(&rhs).then(self.preferred_met.cmp(&other.preferred_met)).then(other.id.cmp(&self.id))
    }
}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders results best first: score, then preferred skills met, then id.
pub(crate) fn rank_order(a: &RankKey, b: &RankKey) -> Ordering {
    b.cmp(a)
}

/// Keeps the `limit` best items seen, by [`RankKey`].
pub(crate) struct TopK<T> {
    limit: usize,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(RankKey, T)>>,
}

impl<T: Ord> TopK<T> {
    /// An empty selection of at most `limit` items.
    pub fn new(limit: usize) -> Self {
        Self { limit, heap: std::collections::BinaryHeap::with_capacity(limit.saturating_add(1).min(4096)) }
    }

    /// Whether `limit` items are held.
    pub fn is_full(&self) -> bool {
        self.heap.len() >= self.limit
    }

    /// The worst key held once full: anything not better can be skipped.
    pub fn threshold(&self) -> Option<&RankKey> {
        if self.is_full() {
            self.heap.peek().map(|e| &e.0 .0)
        } else {
            None
        }
    }

    /// Offers an item; kept when among the best `limit`.
    pub fn push(&mut self, key: RankKey, item: T) {
        if self.limit == 0 {
            return;
        }
        if self.is_full() {
            match self.heap.peek() {
                Some(worst) if key > worst.0 .0 => {
                    self.heap.pop();
                }
                _ => return,
            }
        }
        self.heap.push(std::cmp::Reverse((key, item)));
    }

    /// The items kept, best first.
    pub fn into_sorted(self) -> Vec<(RankKey, T)> {
        let mut items: Vec<(RankKey, T)> = self.heap.into_iter().map(|e| e.0).collect();
        items.sort_by(|a, b| rank_order(&a.0, &b.0));
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(skill: u32, min_level: u8, weight: u8, required: bool) -> Requirement {
        Requirement { skill: SkillId(skill), min_level, weight, required }
    }

    #[test]
    fn credit_rules() {
        // (student level, min level, weight, expected credit)
        let table: &[(u8, u8, u8, f64)] = &[
            (3, 3, 4, 4.0),       // met exactly: full weight
            (5, 2, 3, 3.0),       // above the minimum: still the weight
            (2, 4, 4, 2.0),       // partial: w·l/m
            (1, 3, 5, 5.0 / 3.0), // partial, non-integer
            (4, 5, 5, 4.0),       // partial just below
            (0, 1, 5, 0.0),       // missing
            (9, 3, 2, 2.0),       // levels above 5 count as 5
            (2, 0, 0, 1.0),       // min and weight clamp to 1
        ];
        for &(l, m, w, expected) in table {
            assert!(
                (credit(l, m, w) - expected).abs() < 1e-12,
                "credit({l}, {m}, {w}) = {} ≠ {expected}",
                credit(l, m, w)
            );
        }
    }

    #[test]
    fn score_is_credit_over_weight_and_explains_each_requirement() {
        let reqs = [
            req(0, 3, 4, true),  // met at 4
            req(1, 4, 2, false), // partial at 2: credit 1
            req(2, 2, 3, false), // missing
            req(3, 1, 1, true),  // missing required
        ];
        let levels = |s: SkillId| match s.0 {
            0 => 4,
            1 => 2,
            _ => 0,
        };
        let r = evaluate(7, 9, &reqs, levels, Vec::new());
        assert!((r.score - 5.0 / 10.0).abs() < 1e-12);
        assert_eq!(r.met.len(), 1);
        assert_eq!(r.met[0].student_level, 4);
        assert_eq!(r.partially_met.len(), 1);
        assert!((r.partially_met[0].credit - 1.0).abs() < 1e-12);
        assert_eq!(r.missing_preferred[0].skill, SkillId(2));
        assert_eq!(r.missing_required[0].skill, SkillId(3));
        assert_eq!(r.failed_filters, vec![HardFilter::MissingRequiredSkill]);
        assert!(!r.eligible);
        assert_eq!(r.preferred_met, 0);
    }

    #[test]
    fn a_required_skill_below_its_minimum_makes_the_pair_ineligible() {
        let reqs = [req(0, 3, 1, true)];
        let r = evaluate(1, 1, &reqs, |_| 2, Vec::new());
        assert_eq!(r.failed_filters, vec![HardFilter::MissingRequiredSkill]);
        assert!(r.missing_required.is_empty());
        assert!(r.partially_met[0].required);
        let r = evaluate(1, 1, &reqs, |_| 3, Vec::new());
        assert!(r.eligible);
        assert_eq!(r.score, 1.0);
    }

    #[test]
    fn an_offer_without_requirements_scores_zero() {
        let r = evaluate(1, 1, &[], |_| 5, Vec::new());
        assert_eq!(r.score, 0.0);
        assert!(r.eligible);
    }

    #[test]
    fn ancestors_count_at_the_same_level_and_the_highest_level_wins() {
        // 0 ML ← 1 DL ← 2 PyTorch; 3 TensorFlow under DL; 4 alone
        let t = Taxonomy::new(vec![None, Some(SkillId(0)), Some(SkillId(1)), Some(SkillId(1)), None]).unwrap();
        type Skills = &'static [(u32, u8)];
        let table: &[(Skills, Skills)] = &[
            (&[(2, 3)], &[(0, 3), (1, 3), (2, 3)]),
            (&[(2, 2), (3, 4)], &[(0, 4), (1, 4), (2, 2), (3, 4)]),
            (&[(2, 4), (1, 2)], &[(0, 4), (1, 4), (2, 4)]),
            (&[(1, 5), (2, 1)], &[(0, 5), (1, 5), (2, 1)]),
            (&[(4, 2), (4, 3)], &[(4, 3)]),
            (&[(4, 0), (99, 5)], &[]),
        ];
        for (given, expected) in table {
            let given: Vec<_> = given.iter().map(|&(s, l)| (SkillId(s), l)).collect();
            let expected: Vec<_> = expected.iter().map(|&(s, l)| (SkillId(s), l)).collect();
            assert_eq!(effective_skills(&t, &given), expected, "{given:?}");
        }
    }

    fn student() -> StudentProfile {
        StudentProfile {
            id: 1,
            skills: vec![],
            wanted_kinds: vec![OfferKind::Internship],
            available_from: NaiveDate::from_ymd_opt(2025, 6, 1),
            available_until: NaiveDate::from_ymd_opt(2025, 9, 30),
            cities: vec!["Casablanca".into()],
            remote_ok: false,
            degree_level: Some(DegreeLevel::Bac3),
            discoverable: true,
        }
    }

    fn offer() -> OfferProfile {
        OfferProfile {
            id: 2,
            kind: OfferKind::Internship,
            status: OfferStatus::Open,
            deadline: NaiveDate::from_ymd_opt(2025, 5, 1),
            start_date: NaiveDate::from_ymd_opt(2025, 7, 1),
            city: " casablanca ".into(),
            work_mode: WorkMode::OnSite,
            min_degree_level: Some(DegreeLevel::Bac3),
            requirements: vec![],
        }
    }

    #[test]
    fn each_hard_filter() {
        type Case = (&'static str, fn(&mut StudentProfile, &mut OfferProfile), bool, bool, Vec<HardFilter>);
        fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
            NaiveDate::from_ymd_opt(y, m, day)
        }
        let cases: Vec<Case> = vec![
            ("all pass", |_, _| {}, false, false, vec![]),
            ("draft", |_, o| o.status = OfferStatus::Draft, false, false, vec![HardFilter::NotOpen]),
            ("filled", |_, o| o.status = OfferStatus::Filled, false, false, vec![HardFilter::NotOpen]),
            ("deadline passed", |_, o| o.deadline = d(2025, 4, 1), false, false, vec![HardFilter::DeadlinePassed]),
            ("no deadline", |_, o| o.deadline = None, false, false, vec![]),
            ("kind", |_, o| o.kind = OfferKind::WorkStudy, false, false, vec![HardFilter::KindNotWanted]),
            ("starts too early", |_, o| o.start_date = d(2025, 5, 31), false, false, vec![HardFilter::NotAvailable]),
            ("starts too late", |_, o| o.start_date = d(2025, 10, 1), false, false, vec![HardFilter::NotAvailable]),
            ("starts on the last day", |_, o| o.start_date = d(2025, 9, 30), false, false, vec![]),
            (
                "open-ended availability",
                |s, o| {
                    s.available_until = None;
                    o.start_date = d(2030, 1, 1)
                },
                false,
                false,
                vec![],
            ),
            ("unknown start", |_, o| o.start_date = None, false, false, vec![]),
            (
                "degree too low",
                |_, o| o.min_degree_level = Some(DegreeLevel::Bac5),
                false,
                false,
                vec![HardFilter::DegreeTooLow],
            ),
            ("degree higher", |s, _| s.degree_level = Some(DegreeLevel::Bac8), false, false, vec![]),
            ("unknown degree", |s, _| s.degree_level = None, false, false, vec![HardFilter::DegreeTooLow]),
            (
                "unknown degree, no minimum",
                |s, o| {
                    s.degree_level = None;
                    o.min_degree_level = None
                },
                false,
                false,
                vec![],
            ),
            ("other city", |_, o| o.city = "Rabat".into(), false, false, vec![HardFilter::CityNotAcceptable]),
            (
                "remote not accepted",
                |_, o| {
                    o.city = "Rabat".into();
                    o.work_mode = WorkMode::Remote
                },
                false,
                false,
                vec![HardFilter::CityNotAcceptable],
            ),
            (
                "remote accepted",
                |s, o| {
                    o.city = "Rabat".into();
                    o.work_mode = WorkMode::Remote;
                    s.remote_ok = true
                },
                false,
                false,
                vec![],
            ),
            (
                "hybrid is not remote",
                |s, o| {
                    o.city = "Rabat".into();
                    o.work_mode = WorkMode::Hybrid;
                    s.remote_ok = true
                },
                false,
                false,
                vec![HardFilter::CityNotAcceptable],
            ),
            ("hidden, student view", |s, _| s.discoverable = false, false, false, vec![]),
            ("hidden, recruiter view", |s, _| s.discoverable = false, true, false, vec![HardFilter::NotDiscoverable]),
            ("hidden but applied", |s, _| s.discoverable = false, true, true, vec![]),
        ];
        let today = NaiveDate::from_ymd_opt(2025, 5, 1).unwrap();
        for (name, edit, recruiter, applied, expected) in cases {
            let (mut s, mut o) = (student(), offer());
            edit(&mut s, &mut o);
            let cities: Vec<String> = s.cities.iter().map(|c| normalise_city(c)).collect();
            assert_eq!(pair_filters(&s, &cities, &o, today, recruiter, applied), expected, "{name}");
        }
    }

    #[test]
    fn ties_break_on_preferred_met_then_id() {
        let k = |earned, total, preferred_met, id| RankKey { earned, total, preferred_met, id };
        let mut keys = [
            k(30, 60, 0, 1),
            k(60, 120, 1, 5), // same score as 30/60, more preferred met
            k(60, 120, 1, 3),
            k(90, 120, 0, 9),
            k(0, 0, 0, 0),
        ];
        keys.sort_by(rank_order);
        let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
        assert_eq!(ids, vec![9, 3, 5, 1, 0]);

        let mut top = TopK::new(2);
        for key in [k(1, 2, 0, 4), k(1, 2, 0, 2), k(1, 2, 0, 3), k(0, 2, 0, 1)] {
            top.push(key, key.id);
        }
        let kept: Vec<i64> = top.into_sorted().into_iter().map(|e| e.1).collect();
        assert_eq!(kept, vec![2, 3]);
    }
}
