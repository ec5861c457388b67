//! Latency and size figures of the index against the brute-force scan, for
//! the command line to print as a table.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Serialize;

use super::brute_force::BruteForce;
use super::index::MatchIndex;
use super::rules::{OfferProfile, StudentProfile};
use super::taxonomy::Taxonomy;

/// Results asked for per query, as in the product's first page.
pub const TOP_K: usize = 20;

/// Median and 99th percentile of a set of query latencies.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Latency {
    /// Number of queries timed.
    pub queries: usize,
    /// Median, in microseconds.
    pub p50_us: f64,
    /// 99th percentile, in microseconds.
    pub p99_us: f64,
    /// Slowest, in microseconds.
    pub max_us: f64,
}

impl Latency {
    /// Summarises durations (order does not matter).
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let at = |q: f64| -> f64 {
            if samples.is_empty() {
                return 0.0;
            }
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i].as_secs_f64() * 1e6
        };
        Self { queries: samples.len(), p50_us: at(0.50), p99_us: at(0.99), max_us: at(1.0) }
    }
}

/// Figures of one run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct BenchReport {
    /// Students indexed.
    pub students: usize,
    /// Offers indexed.
    pub offers: usize,
    /// Time to build the index, in milliseconds.
    pub build_ms: f64,
    /// Index size by [`MatchIndex::approx_memory_bytes`].
    pub memory_bytes: usize,
    /// Top candidates for an offer, through the index.
    pub candidates: Latency,
    /// Top offers for a student, through the index.
    pub offers_for_student: Latency,
    /// The best [`TOP_K`] near misses of a student: a scan of the open offers.
    pub near_misses: Latency,
    /// Top candidates for an offer, by full scan (when a baseline was given).
    pub brute_candidates: Option<Latency>,
    /// Top offers for a student, by full scan (when a baseline was given).
    pub brute_offers_for_student: Option<Latency>,
}

/// Builds an index from plain values and returns it with the time taken,
/// spare capacity given back.
pub fn build_index(
    taxonomy: Taxonomy,
    students: &[StudentProfile],
    offers: &[OfferProfile],
    applications: &[(i64, i64)],
) -> (MatchIndex, Duration) {
    let start = Instant::now();
    let mut index = MatchIndex::new(taxonomy);
    index.extend_students(students);
    for o in offers {
        index.upsert_offer(o);
    }
    for &(s, o) in applications {
        index.add_application(s, o);
    }
    index.shrink_to_fit();
    (index, start.elapsed())
}

fn time<T>(ids: &[i64], mut query: impl FnMut(i64) -> T) -> Latency {
    let samples = ids
        .iter()
        .map(|&id| {
            let start = Instant::now();
            std::hint::black_box(query(id));
            start.elapsed()
        })
        .collect();
    Latency::of(samples)
}

/// Times top-[`TOP_K`] queries on the index for each offer id and each student
/// id, and on the baseline for the first `brute_queries` of each.
pub fn measure(
    index: &MatchIndex,
    build_time: Duration,
    brute: Option<&BruteForce>,
    offer_ids: &[i64],
    student_ids: &[i64],
    brute_queries: usize,
    today: NaiveDate,
) -> BenchReport {
    let candidates = time(offer_ids, |id| index.top_candidates_for_offer(id, TOP_K, today));
    let offers_for_student = time(student_ids, |id| index.top_offers_for_student(id, None, TOP_K, today));
    let near_misses = time(student_ids, |id| index.near_misses_for_student(id, TOP_K, today));
    let few = |ids: &[i64]| ids[..brute_queries.min(ids.len())].to_vec();
    let brute_candidates = brute.map(|b| time(&few(offer_ids), |id| b.top_candidates_for_offer(id, TOP_K, today)));
    let brute_offers_for_student =
        brute.map(|b| time(&few(student_ids), |id| b.top_offers_for_student(id, None, TOP_K, today)));
    BenchReport {
        students: index.students_len(),
        offers: index.offers_len(),
        build_ms: build_time.as_secs_f64() * 1e3,
        memory_bytes: index.approx_memory_bytes(),
        candidates,
        offers_for_student,
        near_misses,
        brute_candidates,
        brute_offers_for_student,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::synthetic::{generate, SyntheticConfig};

    #[test]
    fn percentiles() {
        let samples = (1..=100).map(Duration::from_micros).collect();
        let l = Latency::of(samples);
        assert_eq!((l.queries, l.p50_us, l.p99_us, l.max_us), (100, 50.0, 99.0, 100.0));
        assert_eq!(Latency::of(Vec::new()).queries, 0);
    }

    #[test]
    fn a_small_run_reports_every_figure() {
        let config = SyntheticConfig { students: 500, offers: 50, ..SyntheticConfig::default() };
        let data = generate(&config, None);
        let taxonomy = Taxonomy::new(data.parents.clone()).unwrap();
        let brute = BruteForce::new(&taxonomy, &data.students, &data.offers, &data.applications);
        let (index, took) = build_index(taxonomy, &data.students, &data.offers, &data.applications);
        let report = measure(&index, took, Some(&brute), &[1, 2, 3], &[1, 2], 1, config.today);
        assert_eq!((report.students, report.offers), (500, 50));
        assert_eq!(report.candidates.queries, 3);
        assert_eq!(report.near_misses.queries, 2);
        assert_eq!(report.brute_candidates.map(|l| l.queries), Some(1));
        assert!(report.memory_bytes > 0);
    }
}
