//! Near misses: offers a student would be eligible for with a little more
//! skill. A pair is a near miss when the only hard filter it fails is a
//! required skill, and what stands in the way is at most [`MAX_GAPS`]
//! required skills, each either not held at all or held one level below its
//! minimum. Closing a gap means reaching the requirement's minimum level.

use std::cmp::Ordering;

use super::rules::{HardFilter, MatchResult};
use super::taxonomy::SkillId;

/// Most required skills a near miss may lack.
pub const MAX_GAPS: usize = 2;

/// A required skill the student lacks or holds one level too low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkillGap {
    pub skill: SkillId,
    /// The student's effective level now; 0 when not held.
    pub held_level: u8,
    /// The level the offer asks for.
    pub required_level: u8,
}

/// An offer the student would be eligible for once the gaps are closed.
#[derive(Debug, Clone, PartialEq)]
pub struct NearMiss {
    pub offer_id: i64,
    /// By skill id.
    pub gaps: Vec<SkillGap>,
    /// The score now.
    pub score: f64,
    /// The score with every gap closed.
    pub score_if_closed: f64,
}

impl NearMiss {
    /// What closing the gaps would add to the score.
    pub fn gain(&self) -> f64 {
        self.score_if_closed - self.score
    }
}

/// Whether a student holding `(held, required)` levels on an offer's
/// required skills may be a near miss of it on skills: between one and
/// [`MAX_GAPS`] of them are short, each not held (0) or held one level below.
/// A necessary condition of [`near_miss`], cheap enough to test on every
/// offer before a pair's explanation is built; it says nothing of the other
/// hard filters.
pub fn within_reach(required: impl IntoIterator<Item = (u8, u8)>) -> bool {
    let mut short = 0;
    for (held, required_level) in required {
        if held >= required_level {
            continue;
        }
        if held != 0 && held + 1 != required_level {
            return false;
        }
        short += 1;
        if short > MAX_GAPS {
            return false;
        }
    }
    short > 0
}

/// The near miss a scored pair is, if it is one.
pub fn near_miss(result: &MatchResult) -> Option<NearMiss> {
    if result.failed_filters != [HardFilter::MissingRequiredSkill] {
        return None;
    }
    let mut gaps: Vec<(SkillGap, f64, u8)> = result
        .missing_required
        .iter()
        .map(|m| (SkillGap { skill: m.skill, held_level: 0, required_level: m.required_level }, 0.0, m.weight))
        .chain(result.partially_met.iter().filter(|p| p.required).map(|p| {
            (
                SkillGap { skill: p.skill, held_level: p.student_level, required_level: p.required_level },
                p.credit,
                p.weight,
            )
        }))
        .collect();
    let closable = |g: &SkillGap| g.held_level == 0 || g.held_level + 1 == g.required_level;
    if gaps.is_empty() || gaps.len() > MAX_GAPS || !gaps.iter().all(|(g, _, _)| closable(g)) {
        return None;
    }
    let weights: u32 = result
        .met
        .iter()
        .chain(&result.partially_met)
        .map(|m| u32::from(m.weight))
        .chain(result.missing_required.iter().chain(&result.missing_preferred).map(|m| u32::from(m.weight)))
        .sum();
    let added: f64 = gaps.iter().map(|(_, credit, weight)| f64::from(*weight) - credit).sum();
    let score_if_closed = if weights == 0 { 0.0 } else { (result.score + added / f64::from(weights)).min(1.0) };
    gaps.sort_by_key(|(g, _, _)| g.skill);
    Some(NearMiss {
        offer_id: result.offer_id,
        gaps: gaps.into_iter().map(|(g, _, _)| g).collect(),
        score: result.score,
        score_if_closed,
    })
}

/// Orders near misses best first: largest gain, then fewer gaps, then the
/// higher score once closed, then offer id.
pub fn rank(a: &NearMiss, b: &NearMiss) -> Ordering {
    b.gain()
        .total_cmp(&a.gain())
        .then(a.gaps.len().cmp(&b.gaps.len()))
        .then(b.score_if_closed.total_cmp(&a.score_if_closed))
        .then(a.offer_id.cmp(&b.offer_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::rules::{MissingSkill, SkillMatch};

    fn result(
        failed: Vec<HardFilter>,
        met: &[(u32, u8, u8)],
        partial: &[(u32, u8, u8, u8, bool)],
        missing: &[(u32, u8, u8)],
    ) -> MatchResult {
        let partially_met: Vec<SkillMatch> = partial
            .iter()
            .map(|&(skill, held, min, weight, required)| SkillMatch {
                skill: SkillId(skill),
                student_level: held,
                required_level: min,
                weight,
                credit: f64::from(weight) * f64::from(held) / f64::from(min),
                required,
            })
            .collect();
        let met: Vec<SkillMatch> = met
            .iter()
            .map(|&(skill, min, weight)| SkillMatch {
                skill: SkillId(skill),
                student_level: min,
                required_level: min,
                weight,
                credit: f64::from(weight),
                required: true,
            })
            .collect();
        let missing_required: Vec<MissingSkill> = missing
            .iter()
            .map(|&(skill, min, weight)| MissingSkill { skill: SkillId(skill), required_level: min, weight })
            .collect();
        let total: f64 = met.iter().chain(&partially_met).map(|m| f64::from(m.weight)).sum::<f64>()
            + missing_required.iter().map(|m| f64::from(m.weight)).sum::<f64>();
        let earned: f64 = met.iter().chain(&partially_met).map(|m| m.credit).sum();
        MatchResult {
            student_id: 1,
            offer_id: 9,
            score: earned / total,
            eligible: failed.is_empty(),
            preferred_met: 0,
            met,
            partially_met,
            missing_required,
            missing_preferred: Vec::new(),
            failed_filters: failed,
        }
    }

    #[test]
    fn only_small_skill_gaps_are_near_misses() {
        let skills_only = vec![HardFilter::MissingRequiredSkill];
        // (failed filters, partial, missing) -> gaps, or None
        type Partial = Vec<(u32, u8, u8, u8, bool)>;
        type Levels = Vec<(u32, u8, u8)>;
        let cases: Vec<(Vec<HardFilter>, Partial, Levels, Option<Levels>)> = vec![
            // Two skills missing: a near miss.
            (skills_only.clone(), vec![], vec![(3, 2, 1), (2, 3, 1)], Some(vec![(2, 0, 3), (3, 0, 2)])),
            // Three missing: too far.
            (skills_only.clone(), vec![], vec![(2, 3, 1), (3, 2, 1), (4, 1, 1)], None),
            // One level short on a held skill.
            (skills_only.clone(), vec![(5, 2, 3, 1, true)], vec![], Some(vec![(5, 2, 3)])),
            // Two levels short: too far.
            (skills_only.clone(), vec![(5, 1, 3, 1, true)], vec![], None),
            // A preferred skill below its level is no gap.
            (skills_only.clone(), vec![(5, 1, 3, 1, false)], vec![(2, 3, 1)], Some(vec![(2, 0, 3)])),
            // Another hard filter fails: skills would not help.
            (vec![HardFilter::CityNotAcceptable, HardFilter::MissingRequiredSkill], vec![], vec![(2, 3, 1)], None),
            // Eligible already.
            (vec![], vec![], vec![], None),
        ];
        for (failed, partial, missing, expected) in cases {
            let got = near_miss(&result(failed.clone(), &[(1, 3, 2)], &partial, &missing));
            let got =
                got.map(|n| n.gaps.iter().map(|g| (g.skill.0, g.held_level, g.required_level)).collect::<Vec<_>>());
            assert_eq!(got, expected, "{failed:?} {partial:?} {missing:?}");
        }
    }

    #[test]
    fn within_reach_counts_the_short_required_skills() {
        // (held, required) per required skill -> within reach
        let cases: Vec<(Vec<(u8, u8)>, bool)> = vec![
            // No requirement, or all met: eligible, not a near miss.
            (vec![], false),
            (vec![(3, 3), (5, 1)], false),
            // One or two not held.
            (vec![(0, 3)], true),
            (vec![(0, 3), (4, 2), (0, 1)], true),
            // One level short on a held skill counts as one gap.
            (vec![(2, 3)], true),
            (vec![(2, 3), (0, 5)], true),
            // Two levels short: out of reach, whatever else.
            (vec![(1, 3)], false),
            (vec![(3, 5), (0, 1)], false),
            // Three short: out of reach.
            (vec![(0, 1), (0, 2), (0, 3)], false),
            (vec![(0, 1), (1, 2), (4, 5)], false),
        ];
        for (levels, expected) in cases {
            assert_eq!(within_reach(levels.iter().copied()), expected, "{levels:?}");
        }
    }

    #[test]
    fn within_reach_answers_what_the_full_result_answers_on_skills() {
        // Every (held, minimum) on up to three required skills, with a
        // preferred skill beside them: the cheap test and the full result
        // agree when no other filter fails.
        use crate::matching::rules::{evaluate, Requirement};
        let pairs: Vec<(u8, u8)> = (0..=5).flat_map(|h| (1..=5).map(move |m| (h, m))).collect();
        let mut sets: Vec<Vec<(u8, u8)>> = vec![vec![]];
        let mut longest = sets.clone();
        for _ in 0..3 {
            longest = longest.iter().flat_map(|s| pairs.iter().map(move |&p| [s.as_slice(), &[p]].concat())).collect();
            sets.extend(longest.iter().cloned());
        }
        let mut near = 0;
        for levels in &sets {
            let mut requirements: Vec<Requirement> = levels
                .iter()
                .enumerate()
                .map(|(i, &(_, m))| Requirement { skill: SkillId(i as u32), min_level: m, weight: 2, required: true })
                .collect();
            requirements.push(Requirement { skill: SkillId(9), min_level: 4, weight: 1, required: false });
            let level_of = |s: SkillId| levels.get(s.0 as usize).map_or(1, |&(h, _)| h);
            let full = near_miss(&evaluate(1, 2, &requirements, level_of, Vec::new()));
            assert_eq!(within_reach(levels.iter().copied()), full.is_some(), "{levels:?}");
            near += usize::from(full.is_some());
        }
        assert!(near > 1_000, "{near} near misses among {} cases", sets.len());
    }

    #[test]
    fn the_gain_is_the_credit_the_gaps_would_add() {
        // Met: weight 2. Missing: weight 1 and weight 3. Score 2/6, closed 6/6.
        let n = near_miss(&result(vec![HardFilter::MissingRequiredSkill], &[(1, 3, 2)], &[], &[(2, 3, 1), (3, 2, 3)]))
            .unwrap();
        assert!((n.score - 2.0 / 6.0).abs() < 1e-12);
        assert!((n.score_if_closed - 1.0).abs() < 1e-12);
        assert!((n.gain() - 4.0 / 6.0).abs() < 1e-12);
    }
}
