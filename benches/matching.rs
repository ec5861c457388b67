//! Matching engine benchmarks: the index against the brute-force scan on
//! synthetic data with 10,000 offers, at 10k and 100k students (and 1M with
//! `PASSERELLE_BENCH_1M=1`, which takes several minutes more).
//!
//! Queries rotate through a fixed sample of open offers and of students, so a
//! figure is an average over many different queries, not the cost of one
//! lucky offer.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use passerelle::matching::bench::{build_index, TOP_K};
use passerelle::matching::synthetic::{generate, SyntheticConfig, SyntheticData};
use passerelle::matching::{BruteForce, MatchIndex, Taxonomy};

const OFFERS: usize = 10_000;
const SAMPLE: usize = 500;

struct Fixture {
    students: usize,
    config: SyntheticConfig,
    data: SyntheticData,
    index: MatchIndex,
    offer_ids: Vec<i64>,
    student_ids: Vec<i64>,
}

fn sizes() -> Vec<usize> {
    let mut sizes = vec![10_000, 100_000];
    if std::env::var("PASSERELLE_BENCH_1M").is_ok_and(|v| v == "1") {
        sizes.push(1_000_000);
    }
    sizes
}

fn fixture(students: usize) -> Fixture {
    let config = SyntheticConfig { students, offers: OFFERS, ..SyntheticConfig::default() };
    let data = generate(&config, None);
    let taxonomy = Taxonomy::new(data.parents.clone()).expect("generated taxonomy is valid");
    let (index, _) = build_index(taxonomy, &data.students, &data.offers, &data.applications);
    let today = config.today;
    // Offers that are closed or past their deadline return at once; leaving
    // them out keeps the figure about real ranking work.
    let open: Vec<i64> = data
        .offers
        .iter()
        .filter(|o| o.status == passerelle::domain::OfferStatus::Open && o.deadline.is_none_or(|d| d >= today))
        .map(|o| o.id)
        .collect();
    let step = (open.len() / SAMPLE).max(1);
    let offer_ids = open.iter().step_by(step).copied().take(SAMPLE).collect();
    let student_step = (students / SAMPLE).max(1);
    let student_ids = (1..=students as i64).step_by(student_step).take(SAMPLE).collect();
    Fixture { students, config, data, index, offer_ids, student_ids }
}

fn rotating(ids: &[i64]) -> impl FnMut() -> i64 + '_ {
    let mut i = 0;
    move || {
        i = (i + 1) % ids.len();
        ids[i]
    }
}

fn matching(c: &mut Criterion) {
    let fixtures: Vec<Fixture> = sizes().into_iter().map(fixture).collect();

    let mut group = c.benchmark_group("candidates_for_offer");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for f in &fixtures {
        let today = f.config.today;
        let mut next = rotating(&f.offer_ids);
        group.bench_with_input(BenchmarkId::new("index", f.students), f, |b, f| {
            b.iter(|| f.index.top_candidates_for_offer(next(), TOP_K, today))
        });
    }
    // The scan costs tens of milliseconds a query at 100k: few samples suffice.
    group.sample_size(10);
    for f in &fixtures {
        let today = f.config.today;
        let taxonomy = f.index.taxonomy().clone();
        let brute = BruteForce::new(&taxonomy, &f.data.students, &f.data.offers, &f.data.applications);
        let mut next = rotating(&f.offer_ids);
        group.bench_function(BenchmarkId::new("brute_force", f.students), |b| {
            b.iter(|| brute.top_candidates_for_offer(next(), TOP_K, today))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("offers_for_student");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for f in &fixtures {
        let today = f.config.today;
        let mut next = rotating(&f.student_ids);
        group.bench_with_input(BenchmarkId::new("index", f.students), f, |b, f| {
            b.iter(|| f.index.top_offers_for_student(next(), None, TOP_K, today))
        });
    }
    group.sample_size(10);
    for f in &fixtures {
        let today = f.config.today;
        let taxonomy = f.index.taxonomy().clone();
        let brute = BruteForce::new(&taxonomy, &f.data.students, &f.data.offers, &f.data.applications);
        let mut next = rotating(&f.student_ids);
        group.bench_function(BenchmarkId::new("brute_force", f.students), |b| {
            b.iter(|| brute.top_offers_for_student(next(), None, TOP_K, today))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("index_build");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    for f in &fixtures {
        let taxonomy = f.index.taxonomy().clone();
        group.bench_function(BenchmarkId::from_parameter(f.students), |b| {
            b.iter_batched(
                || taxonomy.clone(),
                |t| build_index(t, &f.data.students, &f.data.offers, &f.data.applications).0,
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
