//! Allocation campaign benchmark: student-proposing deferred acceptance on a
//! synthetic cohort of 100,000 students ranking 10 of 5,000 offers each,
//! against a baseline that only reads the inputs once.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use passerelle::allocation::bench::baseline;
use passerelle::allocation::run;
use passerelle::allocation::synthetic::{generate, CampaignShape};

fn campaign(c: &mut Criterion) {
    let instance = generate(CampaignShape { students: 100_000, offers: 5_000, choices: 10, seed: 42 });
    let mut group = c.benchmark_group("campaign_100k_x_5k_x_10");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("baseline_read_inputs", |b| b.iter(|| baseline(&instance)));
    group.bench_function("deferred_acceptance", |b| b.iter(|| run(&instance)));
    group.finish();
}

criterion_group!(benches, campaign);
criterion_main!(benches);
