//! The rankings by a full scan over plain values: the reference the index is
//! checked against, and the baseline its speed is measured against.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::near_miss::{self, NearMiss, SkillGap};
use super::rules::{
    effective_skills, evaluate, normalise_city, pair_filters, MatchResult, OfferProfile, RankKey, StudentProfile, TopK,
    CREDIT_UNIT,
};
use super::taxonomy::{SkillId, Taxonomy};
use crate::domain::OfferKind;

/// A student with its effective skills and normalised cities.
type Prepared = (StudentProfile, Vec<(SkillId, u8)>, Vec<String>);

/// Students and offers as given, with each student's effective skills
/// computed once.
#[derive(Debug, Clone)]
pub struct BruteForce {
    students: Vec<Prepared>,
    offers: Vec<OfferProfile>,
    applications: HashSet<(i64, i64)>,
}

impl BruteForce {
    /// Takes the data as it is; ids are expected unique (a later duplicate is
    /// ignored, like an upsert of the first would not be).
    pub fn new(
        taxonomy: &Taxonomy,
        students: &[StudentProfile],
        offers: &[OfferProfile],
        applications: &[(i64, i64)],
    ) -> Self {
        let mut seen = HashSet::new();
        let students = students
            .iter()
            .filter(|s| seen.insert(s.id))
            .map(|s| {
                let cities = s.cities.iter().map(|c| normalise_city(c)).collect();
                (s.clone(), effective_skills(taxonomy, &s.skills), cities)
            })
            .collect();
        let mut seen = HashSet::new();
        let offers = offers.iter().filter(|o| seen.insert(o.id)).cloned().collect();
        Self { students, offers, applications: applications.iter().copied().collect() }
    }

    /// Number of students.
    pub fn students_len(&self) -> usize {
        self.students.len()
    }

    fn result(&self, student: &Prepared, offer: &OfferProfile, today: NaiveDate, recruiter_view: bool) -> MatchResult {
        let (profile, skills, cities) = student;
        let applied = self.applications.contains(&(profile.id, offer.id));
        let failed = pair_filters(profile, cities, offer, today, recruiter_view, applied);
        let level_of = |skill: SkillId| skills.binary_search_by_key(&skill, |e| e.0).map_or(0, |i| skills[i].1);
        evaluate(profile.id, offer.id, &offer.requirements, level_of, failed)
    }

    /// The same answer as [`super::MatchIndex::explain`].
    pub fn explain(
        &self,
        student_id: i64,
        offer_id: i64,
        today: NaiveDate,
        recruiter_view: bool,
    ) -> Option<MatchResult> {
        let student = self.students.iter().find(|s| s.0.id == student_id)?;
        let offer = self.offers.iter().find(|o| o.id == offer_id)?;
        Some(self.result(student, offer, today, recruiter_view))
    }

    /// The same answer as [`super::MatchIndex::top_offers_for_student`].
    pub fn top_offers_for_student(
        &self,
        student_id: i64,
        kind: Option<OfferKind>,
        limit: usize,
        today: NaiveDate,
    ) -> Vec<MatchResult> {
        let Some(student) = self.students.iter().find(|s| s.0.id == student_id) else {
            return Vec::new();
        };
        let mut top = TopK::new(limit);
        for (i, offer) in self.offers.iter().enumerate() {
            if kind.is_some_and(|k| k != offer.kind) {
                continue;
            }
            let r = self.result(student, offer, today, false);
            if r.eligible {
                top.push(key(&r, offer, offer.id), i);
            }
        }
        top.into_sorted().into_iter().map(|(_, i)| self.result(student, &self.offers[i], today, false)).collect()
    }

    /// The same answer as [`super::MatchIndex::near_misses_for_student`],
    /// found the long way: for every offer, every set of at most two required
    /// skills is raised to its minimum level (when absent or one level short)
    /// and the pair scored again; the smallest set that makes it eligible is
    /// the gap.
    pub fn near_misses_for_student(&self, student_id: i64, limit: usize, today: NaiveDate) -> Vec<NearMiss> {
        let Some((profile, skills, cities)) = self.students.iter().find(|s| s.0.id == student_id) else {
            return Vec::new();
        };
        let level = |skill: SkillId| skills.binary_search_by_key(&skill, |e| e.0).map_or(0, |i| skills[i].1);
        let mut found = Vec::new();
        for offer in &self.offers {
            let failed = pair_filters(profile, cities, offer, today, false, false);
            if !failed.is_empty() {
                continue;
            }
            let now = evaluate(profile.id, offer.id, &offer.requirements, level, Vec::new());
            if now.eligible {
                continue;
            }
            let raisable: Vec<usize> = (0..offer.requirements.len())
                .filter(|&i| {
                    let r = &offer.requirements[i];
                    let held = level(r.skill).min(5);
                    r.required && (held == 0 || held + 1 == r.level())
                })
                .collect();
            let mut sets: Vec<Vec<usize>> = raisable.iter().map(|&i| vec![i]).collect();
            for (n, &i) in raisable.iter().enumerate() {
                sets.extend(raisable[n + 1..].iter().map(|&j| vec![i, j]));
            }
            let closing = sets.into_iter().find_map(|set| {
                let raised = |skill: SkillId| {
                    let lifted = set
                        .iter()
                        .map(|&i| &offer.requirements[i])
                        .filter(|r| r.skill == skill)
                        .map(|r| r.level())
                        .max();
                    level(skill).max(lifted.unwrap_or(0))
                };
                let after = evaluate(profile.id, offer.id, &offer.requirements, raised, Vec::new());
                after.eligible.then_some((set, after.score))
            });
            if let Some((set, score_if_closed)) = closing {
                let mut gaps: Vec<SkillGap> = set
                    .iter()
                    .map(|&i| {
                        let r = &offer.requirements[i];
                        SkillGap { skill: r.skill, held_level: level(r.skill).min(5), required_level: r.level() }
                    })
                    .collect();
                gaps.sort();
                found.push(NearMiss { offer_id: offer.id, gaps, score: now.score, score_if_closed });
            }
        }
        found.sort_by(near_miss::rank);
        found.truncate(limit);
        found
    }

    /// The same answer as [`super::MatchIndex::top_candidates_for_offer`].
    pub fn top_candidates_for_offer(&self, offer_id: i64, limit: usize, today: NaiveDate) -> Vec<MatchResult> {
        let Some(offer) = self.offers.iter().find(|o| o.id == offer_id) else {
            return Vec::new();
        };
        let mut top = TopK::new(limit);
        for (i, student) in self.students.iter().enumerate() {
            let r = self.result(student, offer, today, true);
            if r.eligible {
                top.push(key(&r, offer, student.0.id), i);
            }
        }
        top.into_sorted().into_iter().map(|(_, i)| self.result(&self.students[i], offer, today, true)).collect()
    }
}

fn key(r: &MatchResult, offer: &OfferProfile, id: i64) -> RankKey {
    let total: u32 = offer.requirements.iter().map(|q| u32::from(q.weight()) * CREDIT_UNIT).sum();
    let earned: u32 = r
        .met
        .iter()
        .chain(&r.partially_met)
        .map(|m| super::rules::credit_units(m.student_level, m.required_level, m.weight))
        .sum();
    RankKey { earned, total, preferred_met: r.preferred_met, id }
}
