//! Allocation campaigns: a cohort placed at once by student-proposing
//! deferred acceptance with capacities (Gale–Shapley; Roth–Peranson without
//! couples).
//!
//! Pure code, no I/O. The caller loads each student's ordered choices (with
//! the match score and eligibility of every pair, from the matching engine),
//! each offer's capacity and the recruiter's ranking and exclusions, and gets
//! back the assignment of every student with the reason for each better
//! choice they did not get, each offer's admitted list and cutoff, and the
//! organiser's figures.
//!
//! Guarantees of [`run`]:
//! - the matching is stable: no student and offer both prefer each other to
//!   what they got (an offer with a free position accepts anyone acceptable);
//! - it is the student-optimal stable matching: every student gets the best
//!   offer they can get in any stable matching, so ranking offers in one's
//!   true order of preference is the best strategy (strategy-proof for
//!   students);
//! - no offer admits more than its capacity, nobody is assigned to an offer
//!   they did not rank, are not eligible for, or were excluded from;
//! - the result depends only on the inputs and the seed, not on the order in
//!   which students or offers are given.
//!
//! How an offer ranks the students who chose it: first those the recruiter
//! ranked, in the recruiter's order; then the others by match score, best
//! first; equal scores by [`tie_break`] of the campaign's published seed,
//! lowest first. Students the recruiter excluded are never admitted.

pub mod bench;
pub mod synthetic;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

/// One choice of a student, in their order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The offer chosen.
    pub offer_id: i64,
    /// The match score of the pair, in [0, 1]; orders the candidates the
    /// recruiter did not rank.
    pub score: f64,
    /// Whether the student passes the offer's hard filters and required
    /// skills at run time; an ineligible choice is skipped.
    pub eligible: bool,
}

/// A student's ordered choices, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentChoices {
    pub student_id: i64,
    pub choices: Vec<Choice>,
}

/// An offer of the campaign: how many it admits and how its recruiter ranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OfferSeats {
    pub offer_id: i64,
    /// Free positions at run time.
    pub capacity: u32,
    /// Students the recruiter ranked, best first; they come before every
    /// student the recruiter did not rank.
    pub ranking: Vec<i64>,
    /// Students the recruiter will not take.
    pub excluded: Vec<i64>,
}

/// Everything a run depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Instance {
    /// The campaign's published seed: breaks ties between equal scores.
    pub seed: u64,
    pub students: Vec<StudentChoices>,
    pub offers: Vec<OfferSeats>,
}

/// How an offer saw a student: the recruiter's rank if the recruiter ranked
/// them, and the match score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Standing {
    /// Position in the recruiter's ranking, from 1; absent when not ranked.
    pub recruiter_rank: Option<u32>,
    /// Match score, in [0, 1].
    pub score: f64,
}

/// Why a student did not get a choice they ranked above their assignment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum MissReason {
    /// The student does not pass the offer's hard filters or required skills
    /// (or the offer is no longer in the campaign).
    NotEligible,
    /// The recruiter excluded the student.
    Excluded,
    /// The offer had no free position.
    NoPosition,
    /// Every position went to candidates the offer ranked higher.
    Filled {
        /// The lowest-ranked admitted candidate: the cutoff.
        lowest_admitted: Standing,
        /// How the offer saw this student.
        yours: Standing,
    },
}

impl MissReason {
    /// The reason in words.
    pub fn message(&self) -> String {
        match self {
            MissReason::NotEligible => "not eligible for this offer".into(),
            MissReason::Excluded => "you were excluded by the recruiter".into(),
            MissReason::NoPosition => "the offer had no free position".into(),
            MissReason::Filled { lowest_admitted, yours } => {
                match (lowest_admitted.recruiter_rank, yours.recruiter_rank) {
                    (Some(cutoff), Some(own)) => format!(
                        "filled by candidates the recruiter ranked higher; lowest admitted rank {cutoff}, yours {own}"
                    ),
                    (Some(_), None) => "filled by candidates the recruiter ranked; you were not ranked".into(),
                    _ if lowest_admitted.score == yours.score => format!(
                        "filled by candidates the offer ranked higher; lowest admitted score {:.2}, yours {:.2}, \
                     the tie was broken by the campaign's seed",
                        lowest_admitted.score, yours.score
                    ),
                    _ => format!(
                        "filled by candidates the offer ranked higher; lowest admitted score {:.2}, yours {:.2}",
                        lowest_admitted.score, yours.score
                    ),
                }
            }
        }
    }
}

/// A choice better than the assignment that the student did not get.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Missed {
    pub offer_id: i64,
    /// Its rank in the student's list, from 1.
    pub choice_rank: u32,
    #[serde(flatten)]
    pub reason: MissReason,
}

/// Where a student was placed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Assigned {
    pub offer_id: i64,
    /// Its rank in the student's list, from 1.
    pub choice_rank: u32,
    pub standing: Standing,
}

/// One student's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentOutcome {
    pub student_id: i64,
    /// `None` when no choice could be had.
    pub assigned: Option<Assigned>,
    /// Every choice ranked above the assignment (all of them when
    /// unassigned), best first, with why it was not had.
    pub missed: Vec<Missed>,
}

/// One offer's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferOutcome {
    pub offer_id: i64,
    pub capacity: u32,
    /// Admitted students, in the offer's order, best first.
    pub admitted: Vec<i64>,
    /// How the offer saw its lowest admitted student; `None` when nobody was admitted.
    pub cutoff: Option<Standing>,
}

/// The organiser's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
// Named apart from the reports' `Figures`: utoipa keeps one schema per name,
// and the placement statistics were documented with these fields.
#[schema(as = CampaignFigures)]
pub struct Figures {
    /// Students who took part.
    pub students: u32,
    /// Students assigned an offer.
    pub assigned: u32,
    /// Students assigned their first choice.
    pub first_choice: u32,
    /// `assigned / students`, 0 when nobody took part.
    pub share_assigned: f64,
    /// `first_choice / students`, 0 when nobody took part.
    pub share_first_choice: f64,
    /// `rank_distribution[i]`: students assigned their choice number `i + 1`.
    pub rank_distribution: Vec<u32>,
    /// Positions offered in total, and taken.
    pub positions: u64,
    pub positions_filled: u64,
}

/// The result of a run, students and offers in input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub students: Vec<StudentOutcome>,
    pub offers: Vec<OfferOutcome>,
    pub figures: Figures,
}

/// SplitMix64's finaliser: a bijection on `u64` whose output bits all depend
/// on every input bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The draw that orders two candidates of equal score for one offer, lowest
/// first: `mix(mix(mix(seed) ^ student_id) ^ offer_id)` with SplitMix64's
/// `mix`, ids as two's-complement 64-bit. Published with the seed so anyone
/// can check it; a pure function of its three inputs.
pub fn tie_break(seed: u64, student_id: i64, offer_id: i64) -> u64 {
    mix(mix(mix(seed) ^ student_id as u64) ^ offer_id as u64)
}

/// Order key of a candidate at one offer, lowest first.
type Priority = (u32, Reverse<u64>, u64, i64);

fn priority(recruiter_rank: Option<u32>, score: f64, draw: u64, student_id: i64) -> Priority {
    let score = if score.is_finite() { score.clamp(0.0, 1.0) } else { 0.0 };
    // Non-negative floats order like their bit patterns.
    (recruiter_rank.unwrap_or(u32::MAX), Reverse(score.to_bits()), draw, student_id)
}

/// Runs student-proposing deferred acceptance on `instance`. See the module
/// documentation for the guarantees. A choice of an offer absent from
/// `instance.offers` counts as not eligible; a repeated choice is ignored.
pub fn run(instance: &Instance) -> Outcome {
    let offer_count = instance.offers.len();
    let offer_index: HashMap<i64, u32> =
        instance.offers.iter().enumerate().map(|(i, o)| (o.offer_id, i as u32)).collect();
    // Recruiter decisions keyed by (offer, student): the rank from 1, or None when excluded.
    let mut decisions: HashMap<(u32, i64), Option<u32>> = HashMap::new();
    for (o, offer) in instance.offers.iter().enumerate() {
        for (position, &student) in offer.ranking.iter().enumerate() {
            decisions.entry((o as u32, student)).or_insert(Some(position as u32 + 1));
        }
        for &student in &offer.excluded {
            decisions.insert((o as u32, student), None);
        }
    }

    // Proposals, in student order: the student's acceptable choices.
    let total: usize = instance.students.iter().map(|s| s.choices.len()).sum();
    let mut prop_offer: Vec<u32> = Vec::with_capacity(total);
    let mut prop_choice: Vec<u32> = Vec::with_capacity(total);
    let mut prop_standing: Vec<Standing> = Vec::with_capacity(total);
    let mut prop_start: Vec<u32> = Vec::with_capacity(instance.students.len() + 1);
    // Choices refused before any proposal: (student, choice rank, offer, reason).
    let mut refused: Vec<(u32, u32, i64, MissReason)> = Vec::new();
    let mut per_offer = vec![0u32; offer_count + 1];
    for (s, student) in instance.students.iter().enumerate() {
        prop_start.push(prop_offer.len() as u32);
        let first = prop_offer.len();
        for (k, choice) in student.choices.iter().enumerate() {
            if student.choices[..k].iter().any(|earlier| earlier.offer_id == choice.offer_id) {
                continue;
            }
            let rank = k as u32 + 1;
            let Some(&o) = offer_index.get(&choice.offer_id).filter(|_| choice.eligible) else {
                refused.push((s as u32, rank, choice.offer_id, MissReason::NotEligible));
                continue;
            };
            let recruiter_rank = match decisions.get(&(o, student.student_id)) {
                Some(None) => {
                    refused.push((s as u32, rank, choice.offer_id, MissReason::Excluded));
                    continue;
                }
                Some(Some(rank)) => Some(*rank),
                None => None,
            };
            debug_assert!(prop_offer[first..].iter().all(|&seen| seen != o));
            prop_offer.push(o);
            prop_choice.push(rank);
            prop_standing.push(Standing { recruiter_rank, score: choice.score });
            per_offer[o as usize + 1] += 1;
        }
    }
    prop_start.push(prop_offer.len() as u32);
    let proposals = prop_offer.len();

    // Each offer's candidates sorted by its priority: rank r of offer o is
    // slot `offer_start[o] + r`, whose proposal is `owner[slot]`.
    let mut offer_start = per_offer;
    for o in 0..offer_count {
        offer_start[o + 1] += offer_start[o];
    }
    let mut fill = offer_start.clone();
    let mut owner: Vec<u32> = vec![0; proposals];
    let mut prop_student: Vec<u32> = vec![0; proposals];
    for s in 0..instance.students.len() {
        for p in prop_start[s]..prop_start[s + 1] {
            let o = prop_offer[p as usize] as usize;
            owner[fill[o] as usize] = p;
            fill[o] += 1;
            prop_student[p as usize] = s as u32;
        }
    }
    let mut prop_rank: Vec<u32> = vec![0; proposals];
    let mut keyed: Vec<(Priority, u32)> = Vec::new();
    for (o, offer) in instance.offers.iter().enumerate() {
        let slots = &mut owner[offer_start[o] as usize..offer_start[o + 1] as usize];
        keyed.clear();
        keyed.extend(slots.iter().map(|&p| {
            let standing = prop_standing[p as usize];
            let student_id = instance.students[prop_student[p as usize] as usize].student_id;
            let draw = tie_break(instance.seed, student_id, offer.offer_id);
            (priority(standing.recruiter_rank, standing.score, draw, student_id), p)
        }));
        keyed.sort_unstable_by_key(|a| a.0);
        for (r, (_, p)) in keyed.iter().enumerate() {
            slots[r] = *p;
            prop_rank[*p as usize] = r as u32;
        }
    }

    // Deferred acceptance: each free student proposes to their next choice;
    // the offer holds the best `capacity` ranks it has seen (a max-heap, so
    // the worst held is at the top) and releases the worst when a better one comes.
    let mut held: Vec<BinaryHeap<u32>> =
        instance.offers.iter().map(|offer| BinaryHeap::with_capacity(offer.capacity.min(1 << 16) as usize)).collect();
    let mut next: Vec<u32> = prop_start[..instance.students.len()].to_vec();
    let mut free: Vec<u32> = (0..instance.students.len() as u32).rev().collect();
    while let Some(s) = free.pop() {
        let end = prop_start[s as usize + 1];
        while next[s as usize] < end {
            let p = next[s as usize] as usize;
            next[s as usize] += 1;
            let o = prop_offer[p] as usize;
            let capacity = instance.offers[o].capacity as usize;
            let heap = &mut held[o];
            let r = prop_rank[p];
            if heap.len() < capacity {
                heap.push(r);
                break;
            }
            if let Some(mut worst) = heap.peek_mut() {
                if *worst > r {
                    let released = owner[(offer_start[o] + *worst) as usize];
                    *worst = r;
                    free.push(prop_student[released as usize]);
                    break;
                }
            }
        }
    }

    // Read the result back.
    let mut assigned_prop: Vec<Option<u32>> = vec![None; instance.students.len()];
    let mut offers_out = Vec::with_capacity(offer_count);
    let mut cutoffs: Vec<Option<Standing>> = Vec::with_capacity(offer_count);
    let mut positions = 0u64;
    let mut positions_filled = 0u64;
    for (o, offer) in instance.offers.iter().enumerate() {
        let mut ranks = std::mem::take(&mut held[o]).into_vec();
        ranks.sort_unstable();
        let admitted: Vec<i64> = ranks
            .iter()
            .map(|&r| {
                let p = owner[(offer_start[o] + r) as usize];
                let s = prop_student[p as usize];
                assigned_prop[s as usize] = Some(p);
                instance.students[s as usize].student_id
            })
            .collect();
        let cutoff = ranks.last().map(|&r| prop_standing[owner[(offer_start[o] + r) as usize] as usize]);
        positions += u64::from(offer.capacity);
        positions_filled += admitted.len() as u64;
        cutoffs.push(cutoff);
        offers_out.push(OfferOutcome { offer_id: offer.offer_id, capacity: offer.capacity, admitted, cutoff });
    }

    let mut refused_at = 0;
    let mut rank_distribution: Vec<u32> = Vec::new();
    let (mut assigned_count, mut first_choice) = (0u32, 0u32);
    let students_out: Vec<StudentOutcome> = instance
        .students
        .iter()
        .enumerate()
        .map(|(s, student)| {
            let assigned = assigned_prop[s].map(|p| Assigned {
                offer_id: instance.offers[prop_offer[p as usize] as usize].offer_id,
                choice_rank: prop_choice[p as usize],
                standing: prop_standing[p as usize],
            });
            let limit = assigned.map_or(u32::MAX, |a| a.choice_rank);
            let mut missed: Vec<Missed> = Vec::new();
            while refused_at < refused.len() && refused[refused_at].0 == s as u32 {
                let (_, choice_rank, offer_id, reason) = refused[refused_at];
                if choice_rank < limit {
                    missed.push(Missed { offer_id, choice_rank, reason });
                }
                refused_at += 1;
            }
            for p in prop_start[s]..prop_start[s + 1] {
                let choice_rank = prop_choice[p as usize];
                if choice_rank >= limit {
                    break;
                }
                let o = prop_offer[p as usize] as usize;
                let yours = prop_standing[p as usize];
                let reason = match cutoffs[o] {
                    Some(lowest_admitted) => MissReason::Filled { lowest_admitted, yours },
                    None => MissReason::NoPosition,
                };
                missed.push(Missed { offer_id: instance.offers[o].offer_id, choice_rank, reason });
            }
            missed.sort_unstable_by_key(|m| m.choice_rank);
            if let Some(a) = assigned {
                assigned_count += 1;
                first_choice += u32::from(a.choice_rank == 1);
                let i = a.choice_rank as usize - 1;
                if rank_distribution.len() <= i {
                    rank_distribution.resize(i + 1, 0);
                }
                rank_distribution[i] += 1;
            }
            StudentOutcome { student_id: student.student_id, assigned, missed }
        })
        .collect();

    let students = instance.students.len() as u32;
    let share = |n: u32| if students == 0 { 0.0 } else { f64::from(n) / f64::from(students) };
    let figures = Figures {
        students,
        assigned: assigned_count,
        first_choice,
        share_assigned: share(assigned_count),
        share_first_choice: share(first_choice),
        rank_distribution,
        positions,
        positions_filled,
    };
    Outcome { students: students_out, offers: offers_out, figures }
}

#[cfg(test)]
mod tests;
