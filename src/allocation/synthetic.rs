//! Deterministic synthetic campaigns for benchmarks: offers whose popularity
//! is skewed (a few are chosen by many, most by few), capacities of 1 to 40
//! positions, every student ranking a fixed number of distinct offers, scores
//! in sixtieths so that ties occur as they do in real data.

use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Choice, Instance, OfferSeats, StudentChoices};

/// The size of a synthetic campaign.
#[derive(Debug, Clone, Copy)]
pub struct CampaignShape {
    pub students: usize,
    pub offers: usize,
    pub choices: usize,
    pub seed: u64,
}

/// A campaign of the given shape; the same shape always gives the same one.
/// Student ids are `1..=students`, offer ids `1..=offers`.
pub fn generate(shape: CampaignShape) -> Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(shape.seed);
    let offers: Vec<OfferSeats> = (1..=shape.offers as i64)
        .map(|offer_id| OfferSeats { offer_id, capacity: rng.gen_range(1..=40), ..OfferSeats::default() })
        .collect();
    let choices = shape.choices.min(shape.offers);
    let weights: Vec<f64> = (1..=shape.offers).map(|rank| 1.0 / (rank as f64).powf(0.7)).collect();
    let popularity = WeightedIndex::new(&weights).ok();
    let students = (1..=shape.students as i64)
        .map(|student_id| {
            let mut picked: Vec<Choice> = Vec::with_capacity(choices);
            while picked.len() < choices {
                let o = match &popularity {
                    Some(p) => p.sample(&mut rng),
                    None => break,
                };
                let offer_id = o as i64 + 1;
                if picked.iter().any(|c| c.offer_id == offer_id) {
                    continue;
                }
                let score = f64::from(rng.gen_range(0..=60u32)) / 60.0;
                picked.push(Choice { offer_id, score, eligible: rng.gen_bool(0.98) });
            }
            StudentChoices { student_id, choices: picked }
        })
        .collect();
    Instance { seed: shape.seed, students, offers }
}
