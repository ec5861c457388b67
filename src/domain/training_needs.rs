//! The arithmetic of the training-needs report: per skill and per domain,
//! the seeking students whose near misses are blocked by it, the open
//! positions those near misses hold, and what is withheld from the committee.
//! No I/O: the application layer hands over plain facts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;

use super::reports::{withheld_by, Family, Window};

/// One near miss of a student, reduced to what the report counts.
#[derive(Debug, Clone, PartialEq)]
pub struct MissFact {
    pub offer_id: i64,
    pub published_at: NaiveDateTime,
    pub positions: u32,
    /// The required skills standing in the way: (skill id, level asked).
    pub gaps: Vec<(i64, i32)>,
}

/// A seeking student with their near misses.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedStudent {
    /// When the student joined a roster: they count in a window from then on.
    pub joined: NaiveDateTime,
    pub misses: Vec<MissFact>,
}

/// Raw counts of one skill or domain over a window, before withholding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedCounts {
    /// Students with a near miss, to an offer published in the window, whose gaps include it.
    pub students: u32,
    /// Σ positions of those near misses (each near miss once).
    pub positions: u32,
    /// The lowest level those gaps ask; `None` when there are none.
    pub level: Option<i32>,
}

impl NeedCounts {
    fn add(&mut self, miss: &MissFact, level: Option<i32>) {
        self.positions = self.positions.saturating_add(miss.positions);
        self.level = match (self.level, level) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// The counts of one window: by skill id and by domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedTally {
    pub skills: BTreeMap<i64, NeedCounts>,
    pub domains: BTreeMap<String, NeedCounts>,
}

/// Counts the students on a roster by the window's end over their near
/// misses to offers published in the window. Gaps on skills `domain_of` does
/// not know (outside the report's domain) are left out.
pub fn tally(students: &[NeedStudent], window: Window, domain_of: &BTreeMap<i64, String>) -> NeedTally {
    let mut out = NeedTally::default();
    for student in students.iter().filter(|s| window.reached_by(s.joined)) {
        let mut skills: BTreeSet<i64> = BTreeSet::new();
        let mut domains: BTreeSet<&str> = BTreeSet::new();
        for miss in student.misses.iter().filter(|m| window.contains(m.published_at)) {
            let mut miss_domains: BTreeSet<&str> = BTreeSet::new();
            for &(skill, level) in &miss.gaps {
                let Some(domain) = domain_of.get(&skill) else { continue };
                out.skills.entry(skill).or_default().add(miss, Some(level));
                skills.insert(skill);
                miss_domains.insert(domain);
            }
            for domain in miss_domains {
                out.domains.entry(domain.to_owned()).or_default().add(miss, None);
                domains.insert(domain);
            }
        }
        for skill in skills {
            out.skills.entry(skill).or_default().students += 1;
        }
        for domain in domains {
            out.domains.entry(domain.to_owned()).or_default().students += 1;
        }
    }
    out
}

/// Which cells the committee does not see. Cells are numbered by the caller;
/// `families` tie a domain to its skills (floor 1 over the span, where a skill
/// is listed because someone is blocked by it; 0 in a month, where every
/// skill of the span is listed) and a skill's or a domain's span to its months
/// (floor 0). The rules are those of the placement reports: fewer than 5
/// students withheld; then more children of a family, the fewest students
/// first, until at least two are withheld and hold more students than their
/// floors account for; when even all of them cannot, and they add up to the
/// parent (no student counted twice among them), the parent too.
pub fn withheld_needs(cells: &[NeedCounts], families: &[Family]) -> Vec<bool> {
    withheld_by(
        cells,
        families,
        |c| c.students,
        |hidden, floor| {
            let n = u32::try_from(hidden.len()).unwrap_or(u32::MAX);
            let students = hidden.iter().map(|c| c.students).fold(0u32, u32::saturating_add);
            n >= 2 && students > floor.saturating_mul(n)
        },
        |children, parent| {
            let sum =
                |figure: fn(&NeedCounts) -> u32| children.iter().map(|c| figure(c)).fold(0u32, u32::saturating_add);
            sum(|c| c.students) == parent.students && sum(|c| c.positions) == parent.positions
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(month: u32, day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, month, day).unwrap().and_hms_opt(12, 0, 0).unwrap()
    }

    fn miss(offer_id: i64, month: u32, positions: u32, gaps: &[(i64, i32)]) -> MissFact {
        MissFact { offer_id, published_at: at(month, 10), positions, gaps: gaps.to_vec() }
    }

    #[test]
    fn a_student_counts_once_per_skill_and_domain_and_each_near_miss_brings_its_positions() {
        // Skills 1, 2 of domain "cloud", 3 of "data"; 4 outside the report's domain.
        let domains: BTreeMap<i64, String> =
            [(1, "cloud"), (2, "cloud"), (3, "data")].into_iter().map(|(k, v)| (k, v.to_owned())).collect();
        let students = vec![
            // Two near misses blocked by skill 1 (levels 3 and 2), one also by 2.
            NeedStudent {
                joined: at(1, 1),
                misses: vec![miss(10, 2, 2, &[(1, 3)]), miss(11, 3, 3, &[(1, 2), (2, 1)])],
            },
            // Joined after March: counts in no window ending before.
            NeedStudent { joined: at(4, 1), misses: vec![miss(12, 3, 1, &[(3, 4), (4, 1)])] },
        ];
        let all = tally(&students, Window::ALL, &domains);
        let counts = |students, positions, level| NeedCounts { students, positions, level };
        assert_eq!(all.skills[&1], counts(1, 5, Some(2)));
        assert_eq!(all.skills[&2], counts(1, 3, Some(1)));
        assert_eq!(all.skills[&3], counts(1, 1, Some(4)));
        assert!(!all.skills.contains_key(&4));
        // Offer 11 blocked by two cloud skills counts its positions once.
        assert_eq!(all.domains["cloud"], counts(1, 5, None));
        assert_eq!(all.domains["data"], counts(1, 1, None));
        let march = Window::of_dates(NaiveDate::from_ymd_opt(2026, 3, 1), NaiveDate::from_ymd_opt(2026, 3, 31));
        let march = tally(&students, march, &domains);
        assert_eq!(march.skills[&1], counts(1, 3, Some(2)));
        assert!(!march.skills.contains_key(&3), "the second student joined after March");
    }

    #[test]
    fn small_counts_are_withheld_with_a_complement_and_the_total_when_nothing_else_protects_them() {
        let c = |students: u32| NeedCounts { students, positions: students, level: Some(1) };
        let family = |parent, children: Vec<usize>, floor| Family { parent, children, floor };
        // (cells, families) -> withheld
        let cases: Vec<(Vec<NeedCounts>, Vec<Family>, Vec<bool>)> = vec![
            // Nothing small: nothing withheld.
            (vec![c(12), c(6), c(6)], vec![family(0, vec![1, 2], 1)], vec![false, false, false]),
            // One small skill: the smallest other one goes with it.
            (vec![c(20), c(3), c(7), c(10)], vec![family(0, vec![1, 2, 3], 1)], vec![false, true, true, false]),
            // Two small ones of one student each, floor 1: their sum (2) would tell each; a third goes.
            (vec![c(20), c(1), c(1), c(18)], vec![family(0, vec![1, 2, 3], 1)], vec![false, true, true, true]),
            // Five skills of one student each adding up to the total: only withholding it protects them.
            (vec![c(5), c(1), c(1), c(1), c(1), c(1)], vec![family(0, vec![1, 2, 3, 4, 5], 1)], vec![true; 6]),
            // Overlapping skills (1 + 1 ≠ 8): the total tells nothing of the withheld ones and stays.
            (vec![c(8), c(1), c(1)], vec![family(0, vec![1, 2], 1)], vec![false, true, true]),
            // A small total withholds its children too.
            (vec![c(4), c(2), c(2)], vec![family(0, vec![1, 2], 0)], vec![true, true, true]),
        ];
        for (cells, families, expected) in cases {
            assert_eq!(withheld_needs(&cells, &families), expected, "{cells:?}");
        }
    }
}
