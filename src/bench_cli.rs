//! The `seed synthetic` and `bench matching` commands: load a synthetic data
//! set into the database, and measure the in-memory index against a full scan
//! and, optionally, against the same ranking done by the database in one SQL
//! query.

use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::allocation::bench::CampaignBenchReport;
use crate::allocation::synthetic::CampaignShape;
use crate::auth::password::{PasswordHasher, PasswordParams};
use crate::db::{run_migrations, Backend, DatabaseTarget, DbConnection};
use crate::domain::OfferStatus;
use crate::matching::bench::{build_index, measure, BenchReport, Latency, TOP_K};
use crate::matching::synthetic::{generate, SyntheticConfig, SyntheticData};
use crate::matching::{BruteForce, Taxonomy};
use crate::store::sql_baseline::{build_covering_index, drop_covering_index, top_candidates};
use crate::store::synthetic::{self as store, SyntheticIds};

/// `passerelle seed synthetic ...`: a generated data set (skills, schools,
/// students, offers) written into the database; refused when one is already there.
#[derive(Debug, Clone, clap::Args)]
pub struct SyntheticArgs {
    #[arg(long, default_value_t = 10_000)]
    students: usize,
    #[arg(long, default_value_t = 1_000)]
    offers: usize,
    #[arg(long, default_value_t = 2_000)]
    skills: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Overrides the configured database.
    #[arg(long)]
    database_url: Option<String>,
}

/// `passerelle bench ...`
#[derive(Debug, Clone, clap::Subcommand)]
pub enum BenchCommand {
    /// Index against full scan (and against SQL with --sql), one run per
    /// student count, printed as a Markdown table.
    Matching {
        /// Student counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
        students: Vec<usize>,
        #[arg(long, default_value_t = 10_000)]
        offers: usize,
        #[arg(long, default_value_t = 2_000)]
        skills: usize,
        /// Index queries timed in each direction.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        /// Of those, how many also run by full scan.
        #[arg(long, default_value_t = 20)]
        brute_queries: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Also write each data set into --database-url and time the ranking
        /// as one SQL query. Replaces any synthetic data set already there.
        #[arg(long, requires = "database_url")]
        sql: bool,
        /// Offers ranked by SQL per run.
        #[arg(long, default_value_t = 20)]
        sql_queries: usize,
        /// sqlite://PATH or postgres://USER@HOST/DB.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// One allocation campaign (student-proposing deferred acceptance) on a
    /// synthetic cohort, against a baseline that only reads the inputs.
    Campaign {
        #[arg(long, default_value_t = 100_000)]
        students: usize,
        #[arg(long, default_value_t = 5_000)]
        offers: usize,
        /// Choices ranked by every student.
        #[arg(long, default_value_t = 10)]
        choices: usize,
        /// Timed runs; the fastest and the median are printed.
        #[arg(long, default_value_t = 10)]
        runs: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

/// Runs `seed synthetic`; `configured_url` is the service's database.
pub fn run_seed(args: SyntheticArgs, configured_url: &str) -> anyhow::Result<()> {
    let config = SyntheticConfig {
        seed: args.seed,
        skills: args.skills,
        students: args.students,
        offers: args.offers,
        // Dates around the day of the seed: a server started on the data set
        // ranks and takes applications for offers whose deadline is to come.
        today: chrono::Utc::now().date_naive(),
        ..SyntheticConfig::default()
    };
    seed_synthetic(args.database_url.as_deref().unwrap_or(configured_url), &config)
}

/// Runs a `bench` command and prints its table.
pub fn run_bench(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Matching {
            students,
            offers,
            skills,
            queries,
            brute_queries,
            seed,
            sql,
            sql_queries,
            database_url,
        } => {
            let runs = bench_matching(&MatchingBench {
                sizes: students,
                offers,
                skills,
                queries,
                brute_queries,
                seed,
                database_url: database_url.filter(|_| sql),
                sql_queries,
            })?;
            print_table(&runs);
            Ok(())
        }
        BenchCommand::Campaign { students, offers, choices, runs, seed } => {
            let shape = CampaignShape { students, offers, choices, seed };
            print_campaign(&crate::allocation::bench::measure(shape, runs));
            Ok(())
        }
    }
}

fn print_campaign(report: &CampaignBenchReport) {
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let shape = report.shape;
    println!(
        "{} students × {} offers × {} choices ({} choices, {} positions), seed {}, generated in {:.0} ms",
        shape.students,
        shape.offers,
        shape.choices,
        report.choices,
        report.positions,
        shape.seed,
        ms(report.generate)
    );
    println!();
    println!("| step | fastest (ms) | median (ms) |");
    println!("| --- | ---: | ---: |");
    println!(
        "| baseline: read every choice, look its offer up | {:.1} | {:.1} |",
        ms(report.baseline.0),
        ms(report.baseline.1)
    );
    println!("| deferred acceptance, explanations and figures | {:.1} | {:.1} |", ms(report.run.0), ms(report.run.1));
    println!();
    println!(
        "assigned {} of {} ({:.1} %), first choice {}",
        report.assigned,
        shape.students,
        100.0 * f64::from(report.assigned) / shape.students.max(1) as f64,
        report.first_choice
    );
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>12} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}

/// Generates the data set with a progress bar.
pub fn generate_with_progress(config: &SyntheticConfig) -> SyntheticData {
    let progress = bar((config.students + config.offers) as u64, "generating");
    let mut report = |n: u64| progress.set_position(n);
    let data = generate(config, Some(&mut report));
    progress.finish_and_clear();
    data
}

/// Connects and brings the schema up to date.
pub fn connect(database_url: &str) -> anyhow::Result<DbConnection> {
    let mut conn = DatabaseTarget::parse(database_url)?.connect()?;
    run_migrations(&mut conn)?;
    Ok(conn)
}

/// The PHC string of [`store::PASSWORD`], hashed once for every synthetic
/// account under the default cost parameters (it carries them, so a server
/// configured otherwise still verifies it).
pub fn synthetic_password_hash() -> anyhow::Result<String> {
    Ok(PasswordHasher::new(PasswordParams::default())?.hash(store::PASSWORD)?)
}

/// Writes the data set with a progress bar; returns where the ids landed and
/// the time taken.
pub fn write_with_progress(conn: &mut DbConnection, data: &SyntheticData) -> anyhow::Result<(SyntheticIds, Duration)> {
    let password_hash = synthetic_password_hash()?;
    let progress = bar((data.students.len() + data.offers.len()) as u64, "writing");
    let start = Instant::now();
    let ids = store::write(conn, data, &password_hash, |n| progress.set_position(n));
    progress.finish_and_clear();
    Ok((ids?, start.elapsed()))
}

/// `seed synthetic`: generates a data set and writes it into the database.
pub fn seed_synthetic(database_url: &str, config: &SyntheticConfig) -> anyhow::Result<()> {
    let mut conn = connect(database_url)?;
    let data = generate_with_progress(config);
    let (ids, took) = write_with_progress(&mut conn, &data)?;
    let requirements: usize = data.offers.iter().map(|o| o.requirements.len()).sum();
    let held: usize = data.students.iter().map(|s| s.skills.len()).sum();
    println!(
        "wrote {} skills, {} schools, {} students ({held} skills held), {} offers \
         ({requirements} requirements) in {:.1} s",
        data.parents.len(),
        data.schools.len(),
        data.students.len(),
        data.offers.len(),
        took.as_secs_f64()
    );
    println!(
        "student ids {}..={}, offer ids {}..={}, organisation {} ({}), recruiter account {}",
        ids.student(1),
        ids.student(data.students.len() as i64),
        ids.offer(1),
        ids.offer(data.offers.len() as i64),
        ids.organisation_id,
        store::ORGANISATION_CODE,
        ids.account_id
    );
    println!(
        "every account signs in with the test-only password {}: students {} to {}, recruiter {}",
        store::PASSWORD,
        store::student_email(1),
        store::student_email(data.students.len() as i64),
        store::RECRUITER_EMAIL
    );
    Ok(())
}

/// What `bench matching` runs.
#[derive(Debug, Clone)]
pub struct MatchingBench {
    /// Student counts, one run each.
    pub sizes: Vec<usize>,
    /// Offers in every run.
    pub offers: usize,
    /// Skills in the taxonomy.
    pub skills: usize,
    /// Index queries timed per direction.
    pub queries: usize,
    /// Of those, how many also run on the full scan (it is slow at scale).
    pub brute_queries: usize,
    /// Seed of the data and of the query sample.
    pub seed: u64,
    /// Database to run the SQL baseline on, if any.
    pub database_url: Option<String>,
    /// Offers ranked by SQL per run.
    pub sql_queries: usize,
}

/// The SQL baseline of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlFigures {
    /// `sqlite` or `postgresql`.
    pub backend: &'static str,
    /// Time to write the data set.
    pub load: Duration,
    /// Time to build the extra index and refresh the planner statistics.
    pub prepare: Duration,
    /// Latency of the one-query top-20 candidates.
    pub candidates: Latency,
}

/// Figures of one size.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchingRun {
    /// Index and full-scan figures.
    pub report: BenchReport,
    /// Growth of the resident set while the index was built, when the
    /// platform tells it: a check on [`BenchReport::memory_bytes`].
    pub rss_growth_bytes: Option<u64>,
    /// The SQL baseline, when asked for.
    pub sql: Option<SqlFigures>,
}

fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Open offers still taking applications, shuffled: the others answer
/// nothing at once and would flatter the figures.
fn query_offers(data: &SyntheticData, rng: &mut ChaCha8Rng, today: chrono::NaiveDate) -> Vec<i64> {
    let mut ids: Vec<i64> = data
        .offers
        .iter()
        .filter(|o| o.status == OfferStatus::Open && o.deadline.is_none_or(|d| d >= today))
        .map(|o| o.id)
        .collect();
    ids.shuffle(rng);
    ids
}

fn take_cycled(ids: &[i64], n: usize) -> Vec<i64> {
    ids.iter().copied().cycle().take(n).collect()
}

/// `bench matching`: one run per size; prints progress to standard error and
/// returns the figures.
pub fn bench_matching(options: &MatchingBench) -> anyhow::Result<Vec<MatchingRun>> {
    let mut conn = options.database_url.as_deref().map(connect).transpose().context("SQL baseline database")?;
    let mut runs = Vec::new();
    for &students in &options.sizes {
        let config = SyntheticConfig {
            seed: options.seed,
            skills: options.skills,
            students,
            offers: options.offers,
            ..SyntheticConfig::default()
        };
        let today = config.today;
        eprintln!("{students} students, {} offers: generating", options.offers);
        let data = generate_with_progress(&config);
        let taxonomy = Taxonomy::new(data.parents.clone())?;

        let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x5eed);
        let offers = query_offers(&data, &mut rng, today);
        anyhow::ensure!(!offers.is_empty(), "no open offer to query");
        let offer_ids = take_cycled(&offers, options.queries);
        let student_ids: Vec<i64> = (0..options.queries).map(|_| rng.gen_range(1..=students.max(1) as i64)).collect();

        eprintln!("  building the index");
        let before = resident_bytes();
        let (index, took) = build_index(taxonomy.clone(), &data.students, &data.offers, &data.applications);
        let rss_growth_bytes = before.zip(resident_bytes()).map(|(b, a)| a.saturating_sub(b));
        eprintln!("  built in {:.2} s; timing queries", took.as_secs_f64());
        let brute = BruteForce::new(&taxonomy, &data.students, &data.offers, &data.applications);
        let report = measure(&index, took, Some(&brute), &offer_ids, &student_ids, options.brute_queries, today);
        drop(brute);
        drop(index);

        let sql = match conn.as_mut() {
            Some(conn) => {
                let sql_offers = take_cycled(&offers, options.sql_queries);
                Some(sql_baseline(conn, &data, &sql_offers)?)
            }
            None => None,
        };
        let run = MatchingRun { report, rss_growth_bytes, sql };
        eprintln!("{}", row(&run));
        runs.push(run);
    }
    Ok(runs)
}

/// Column titles of [`row`], as a Markdown table head.
pub fn header() -> String {
    "| students | offers | build (s) | index MB (approx / RSS) | candidates p50 / p99 (µs) \
     | full scan p50 (µs) | offers for student p50 / p99 (µs) | full scan p50 (µs) \
     | near misses p50 / p99 (µs) | SQL candidates p50 / p99 (ms) | SQL ÷ index p50 | SQL load (s) |\n\
     |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        .to_owned()
}

/// One run as a Markdown table row.
pub fn row(run: &MatchingRun) -> String {
    let r = &run.report;
    let mb = |b: f64| b / (1024.0 * 1024.0);
    let rss = run.rss_growth_bytes.map_or("n/a".to_owned(), |b| format!("{:.0}", mb(b as f64)));
    let brute = |l: Option<Latency>| l.map_or("n/a".to_owned(), |l| format!("{:.0}", l.p50_us));
    let (sql, ratio, load) = match &run.sql {
        Some(s) => (
            format!("{}: {:.1} / {:.1}", s.backend, s.candidates.p50_us / 1e3, s.candidates.p99_us / 1e3),
            format!("{:.0}×", s.candidates.p50_us / r.candidates.p50_us.max(1e-3)),
            format!("{:.1}", s.load.as_secs_f64()),
        ),
        None => ("n/a".into(), "n/a".into(), "n/a".into()),
    };
    format!(
        "| {} | {} | {:.2} | {:.0} / {} | {:.0} / {:.0} | {} | {:.0} / {:.0} | {} | {:.0} / {:.0} | {} | {} | {} |",
        r.students,
        r.offers,
        r.build_ms / 1e3,
        mb(r.memory_bytes as f64),
        rss,
        r.candidates.p50_us,
        r.candidates.p99_us,
        brute(r.brute_candidates),
        r.offers_for_student.p50_us,
        r.offers_for_student.p99_us,
        brute(r.brute_offers_for_student),
        r.near_misses.p50_us,
        r.near_misses.p99_us,
        sql,
        ratio,
        load
    )
}

/// Prints the runs as a Markdown table, with what the SQL baseline leaves
/// out.
pub fn print_table(runs: &[MatchingRun]) {
    println!("{}", header());
    for run in runs {
        println!("{}", row(run));
    }
    println!(
        "\nTop-{TOP_K} queries. Index memory: the index's own estimate / growth of the \
         resident set while building."
    );
    if runs.iter().any(|r| r.sql.is_some()) {
        println!(
            "The SQL baseline ranks by direct skills only (no ancestor expansion) and \
             applies no hard filter other than the required skills, so it does less \
             work than the index."
        );
    }
}

/// Replaces any earlier synthetic set with `data`, indexes it, and times the
/// one-query ranking for each engine offer id in `offers`.
pub fn sql_baseline(conn: &mut DbConnection, data: &SyntheticData, offers: &[i64]) -> anyhow::Result<SqlFigures> {
    let backend = match conn.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgresql",
    };
    // The index would slow the load; it is built once the rows are in.
    drop_covering_index(conn)?;
    if store::remove(conn)? {
        eprintln!("  removed the previous synthetic data set");
    }
    let (ids, load) = write_with_progress(conn, data)?;
    eprintln!("  {backend}: wrote the data set in {:.1} s; indexing", load.as_secs_f64());
    let start = Instant::now();
    build_covering_index(conn)?;
    let prepare = start.elapsed();

    let db_offers: Vec<i64> = offers.iter().map(|&o| ids.offer(o)).collect();
    if let Some(&first) = db_offers.first() {
        // Warms the page cache and the statement cache; not timed.
        top_candidates(conn, first)?;
    }
    let mut samples = Vec::with_capacity(db_offers.len());
    for &offer in &db_offers {
        let start = Instant::now();
        std::hint::black_box(top_candidates(conn, offer)?);
        samples.push(start.elapsed());
    }
    drop_covering_index(conn)?;
    Ok(SqlFigures { backend, load, prepare, candidates: Latency::of(samples) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_bench_runs_end_to_end_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("b.db").display());
        let options = MatchingBench {
            sizes: vec![2_000, 3_000],
            offers: 100,
            skills: 200,
            queries: 50,
            brute_queries: 5,
            seed: 1,
            database_url: Some(url),
            sql_queries: 5,
        };
        let runs = bench_matching(&options).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1].report.students, 3_000);
        let sql = runs[1].sql.as_ref().unwrap();
        assert_eq!((sql.backend, sql.candidates.queries), ("sqlite", 5));
        assert!(row(&runs[0]).starts_with("| 2000 | 100 |"));
    }

    #[test]
    fn the_sql_ranking_agrees_with_the_rules_on_direct_skills() {
        use crate::matching::rules::credit_units;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let mut conn = connect(&url).unwrap();
        let data =
            generate(&SyntheticConfig { skills: 60, students: 1_500, offers: 10, ..SyntheticConfig::default() }, None);
        let ids = store::write(&mut conn, &data, "not-verified", |_| {}).unwrap();
        for offer in &data.offers {
            let mut expected: Vec<(i64, i64)> = data
                .students
                .iter()
                .filter_map(|s| {
                    let level = |skill| s.skills.iter().find(|&&(k, _)| k == skill).map_or(0, |&(_, l)| l);
                    let mut score = 0i64;
                    let mut held = false;
                    for r in &offer.requirements {
                        let l = level(r.skill);
                        if r.required && l < r.level() {
                            return None;
                        }
                        held |= l > 0;
                        score += i64::from(credit_units(l, r.level(), r.weight()));
                    }
                    held.then_some((ids.student(s.id), score))
                })
                .collect();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            expected.truncate(TOP_K);
            let got = top_candidates(&mut conn, ids.offer(offer.id)).unwrap();
            assert_eq!(got, expected, "offer {}", offer.id);
        }
    }
}
