//! Timing of a campaign run on synthetic data, against a baseline that only
//! reads the inputs once: each choice's offer looked up by id, as any
//! allocation must do at least.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use super::synthetic::{generate, CampaignShape};
use super::{run, Instance};

/// Figures of `bench campaign`.
#[derive(Debug, Clone)]
pub struct CampaignBenchReport {
    pub shape: CampaignShape,
    /// Choices over all students.
    pub choices: usize,
    /// Positions over all offers.
    pub positions: u64,
    pub generate: Duration,
    /// Fastest and median of the timed baselines.
    pub baseline: (Duration, Duration),
    /// Fastest and median of the timed runs.
    pub run: (Duration, Duration),
    pub assigned: u32,
    pub first_choice: u32,
}

/// Reads every choice once and looks its offer up by id.
pub fn baseline(instance: &Instance) -> usize {
    let index: HashMap<i64, u32> = instance.offers.iter().enumerate().map(|(i, o)| (o.offer_id, i as u32)).collect();
    instance.students.iter().flat_map(|s| &s.choices).filter(|c| c.eligible && index.contains_key(&c.offer_id)).count()
}

fn fastest_and_median(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort_unstable();
    (samples.first().copied().unwrap_or_default(), samples.get(samples.len() / 2).copied().unwrap_or_default())
}

/// Generates the campaign, then times `runs` baselines and `runs` runs.
pub fn measure(shape: CampaignShape, runs: usize) -> CampaignBenchReport {
    let start = Instant::now();
    let instance = generate(shape);
    let generate = start.elapsed();
    let runs = runs.max(1);
    let baseline = fastest_and_median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                black_box(baseline(black_box(&instance)));
                start.elapsed()
            })
            .collect(),
    );
    let mut last = None;
    let run_times = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let outcome = black_box(run(black_box(&instance)));
            let took = start.elapsed();
            last = Some(outcome);
            took
        })
        .collect();
    let figures = last.map(|o| o.figures).unwrap_or_default();
    CampaignBenchReport {
        shape,
        choices: instance.students.iter().map(|s| s.choices.len()).sum(),
        positions: instance.offers.iter().map(|o| u64::from(o.capacity)).sum(),
        generate,
        baseline,
        run: fastest_and_median(run_times),
        assigned: figures.assigned,
        first_choice: figures.first_choice,
    }
}
