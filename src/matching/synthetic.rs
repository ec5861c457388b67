//! Deterministic synthetic data shaped like the real population: a taxonomy
//! with parent links, students whose skills follow a heavily skewed
//! popularity (the most common skill held by about 60% of students, the
//! second by about 40%, then a Zipf-like tail), offers drawing their
//! requirements from the same popularity, and schools weighted by city.
//! The same seed always gives the same data.

use chrono::{Duration, NaiveDate};
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::rules::{OfferProfile, Requirement, StudentProfile};
use super::taxonomy::SkillId;
use crate::domain::{DegreeLevel, OfferKind, OfferStatus, WorkMode};

/// Cities with their relative weight among schools and offers.
const CITIES: &[(&str, u32)] = &[
    ("Casablanca", 30),
    ("Rabat", 16),
    ("Marrakech", 9),
    ("Fès", 8),
    ("Tanger", 8),
    ("Agadir", 6),
    ("Meknès", 5),
    ("Oujda", 4),
    ("Kénitra", 4),
    ("Tétouan", 3),
    ("El Jadida", 3),
    ("Benguerir", 2),
    ("Settat", 2),
];

/// What to generate.
#[derive(Debug, Clone)]
pub struct SyntheticConfig {
    /// Seed of the random generator.
    pub seed: u64,
    /// Number of skills in the taxonomy.
    pub skills: usize,
    /// Number of schools.
    pub schools: usize,
    /// Number of students; ids are `1..=students`.
    pub students: usize,
    /// Number of offers; ids are `1..=offers`.
    pub offers: usize,
    /// Share of offers that are open (the others are drafts or closed).
    pub open_fraction: f64,
    /// Share of students who applied to one to three offers.
    pub applicant_fraction: f64,
    /// The day dates are drawn around.
    pub today: NaiveDate,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            skills: 2_000,
            schools: 40,
            students: 10_000,
            offers: 1_000,
            open_fraction: 0.9,
            applicant_fraction: 0.1,
            today: NaiveDate::from_ymd_opt(2025, 9, 1).unwrap_or_default(),
        }
    }
}

/// A generated school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct School {
    /// Display name.
    pub name: String,
    /// City of the campus.
    pub city: String,
}

/// Generated data as plain values, ready for the index or a database.
#[derive(Debug, Clone, Default)]
pub struct SyntheticData {
    /// Parent of each skill, the input of [`super::Taxonomy::new`].
    pub parents: Vec<Option<SkillId>>,
    /// Display name of each skill.
    pub skill_names: Vec<String>,
    /// Schools.
    pub schools: Vec<School>,
    /// Students.
    pub students: Vec<StudentProfile>,
    /// Index into `schools` of each student, in the order of `students`.
    pub student_schools: Vec<u32>,
    /// Offers.
    pub offers: Vec<OfferProfile>,
    /// Applications as `(student_id, offer_id)`.
    pub applications: Vec<(i64, i64)>,
}

fn weighted<T: Copy>(items: &[(T, u32)]) -> (Vec<T>, Option<WeightedIndex<u32>>) {
    let values = items.iter().map(|e| e.0).collect();
    (values, WeightedIndex::new(items.iter().map(|e| e.1)).ok())
}

struct Pick<T> {
    values: Vec<T>,
    dist: Option<WeightedIndex<u32>>,
}

impl<T: Copy> Pick<T> {
    fn new(items: &[(T, u32)]) -> Self {
        let (values, dist) = weighted(items);
        Self { values, dist }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> Option<T> {
        let i = self.dist.as_ref()?.sample(rng);
        self.values.get(i).copied()
    }
}

/// Draws distinct skills by popularity.
struct SkillDraw {
    /// Cumulative weights by popularity rank.
    cumulative: Vec<f64>,
    /// Skill at each popularity rank.
    by_rank: Vec<SkillId>,
}

impl SkillDraw {
    fn new(rng: &mut ChaCha8Rng, n: usize) -> Self {
        // Rank 0 and 1 are tuned so that, with ten draws per student, about
        // 60% and 40% of students hold them; the tail falls off as 1/rank.
        let mut cumulative = Vec::with_capacity(n);
        let mut sum = 0.0;
        for rank in 0..n {
            sum += match rank {
                0 => 0.085,
                1 => 0.048,
                r => 0.12 / (r as f64 + 1.0),
            };
            cumulative.push(sum);
        }
        let mut by_rank: Vec<SkillId> = (0..n as u32).map(SkillId).collect();
        for i in (1..n).rev() {
            by_rank.swap(i, rng.gen_range(0..=i));
        }
        Self { cumulative, by_rank }
    }

    fn draw(&self, rng: &mut ChaCha8Rng, count: usize, out: &mut Vec<SkillId>) {
        out.clear();
        let Some(&total) = self.cumulative.last() else {
            return;
        };
        let count = count.min(self.by_rank.len());
        while out.len() < count {
            let x = rng.gen::<f64>() * total;
            let rank = self.cumulative.partition_point(|&c| c <= x);
            if let Some(&skill) = self.by_rank.get(rank) {
                if !out.contains(&skill) {
                    out.push(skill);
                }
            }
        }
    }
}

fn days(rng: &mut ChaCha8Rng, from: i64, to: i64) -> Duration {
    Duration::days(rng.gen_range(from..=to))
}

/// Generates the data described by `config`, calling `progress` with the
/// number of students and offers made so far every 10,000 of them.
pub fn generate(config: &SyntheticConfig, mut progress: Option<&mut dyn FnMut(u64)>) -> SyntheticData {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let n = config.skills;
    let today = config.today;

    // A tenth of the skills are roots (domains); about half of the others
    // sit under a domain and a fifth under another skill, which gives chains
    // like framework → technique → domain.
    let roots = (n / 10).max(1);
    let mut parents = Vec::with_capacity(n);
    for i in 0..n {
        let roll: f64 = rng.gen();
        let parent = if i < roots {
            None
        } else if roll < 0.5 {
            Some(SkillId(rng.gen_range(0..roots) as u32))
        } else if roll < 0.7 && i > roots {
            Some(SkillId(rng.gen_range(roots..i) as u32))
        } else {
            None
        };
        parents.push(parent);
    }
    let skill_names = (0..n).map(|i| format!("skill-{i:04}")).collect();

    let city_pick = Pick::new(CITIES);
    let schools: Vec<School> = (0..config.schools.max(1))
        .map(|i| School {
            name: format!("École {}", i + 1),
            city: city_pick.sample(&mut rng).unwrap_or("Casablanca").to_owned(),
        })
        .collect();
    // A few large schools, many small ones.
    let school_weights: Vec<(u32, u32)> = (0..schools.len() as u32).map(|i| (i, 1000 / (i + 1) + 5)).collect();
    let school_pick = Pick::new(&school_weights);

    let draw = SkillDraw::new(&mut rng, n);
    let level_pick = Pick::new(&[(1u8, 15), (2, 25), (3, 30), (4, 20), (5, 10)]);
    let degree_pick = Pick::new(&[
        (Some(DegreeLevel::Bac2), 15),
        (Some(DegreeLevel::Bac3), 30),
        (Some(DegreeLevel::Bac4), 20),
        (Some(DegreeLevel::Bac5), 30),
        (Some(DegreeLevel::Bac8), 2),
        (None, 3),
    ]);
    let kinds_pick = Pick::new(&[(0u8, 45), (1, 25), (2, 30)]);

    let mut done = 0u64;
    let mut next_report = 10_000u64;
    let mut tick = |done: &mut u64| {
        *done += 1;
        if *done == next_report {
            next_report += 10_000;
            if let Some(p) = progress.as_mut() {
                p(*done);
            }
        }
    };

    let mut students = Vec::with_capacity(config.students);
    let mut student_schools = Vec::with_capacity(config.students);
    let mut drawn = Vec::new();
    for i in 0..config.students {
        let school = school_pick.sample(&mut rng).unwrap_or(0);
        let count = rng.gen_range(5..=15);
        draw.draw(&mut rng, count, &mut drawn);
        let skills = drawn.iter().map(|&s| (s, level_pick.sample(&mut rng).unwrap_or(3))).collect();
        let mut cities = vec![schools[school as usize].city.clone()];
        for p in [0.4, 0.15] {
            if rng.gen_bool(p) {
                let c = city_pick.sample(&mut rng).unwrap_or("Rabat");
                if !cities.iter().any(|x| x == c) {
                    cities.push(c.to_owned());
                }
            }
        }
        let wanted_kinds = match kinds_pick.sample(&mut rng) {
            Some(0) => vec![OfferKind::Internship],
            Some(1) => vec![OfferKind::WorkStudy],
            _ => vec![OfferKind::Internship, OfferKind::WorkStudy],
        };
        let available_from = rng.gen_bool(0.8).then(|| today + days(&mut rng, 0, 180));
        let available_until = rng.gen_bool(0.6).then(|| available_from.unwrap_or(today) + days(&mut rng, 60, 365));
        students.push(StudentProfile {
            id: i as i64 + 1,
            skills,
            wanted_kinds,
            available_from,
            available_until,
            cities,
            remote_ok: rng.gen_bool(0.35),
            degree_level: degree_pick.sample(&mut rng).flatten(),
            discoverable: rng.gen_bool(0.85),
        });
        student_schools.push(school);
        tick(&mut done);
    }

    let status_pick = Pick::new(&[(OfferStatus::Draft, 1), (OfferStatus::Closed, 2)]);
    let mode_pick = Pick::new(&[(WorkMode::OnSite, 60), (WorkMode::Hybrid, 30), (WorkMode::Remote, 10)]);
    let min_degree_pick = Pick::new(&[
        (None, 30),
        (Some(DegreeLevel::Bac2), 10),
        (Some(DegreeLevel::Bac3), 25),
        (Some(DegreeLevel::Bac4), 15),
        (Some(DegreeLevel::Bac5), 20),
    ]);
    let min_level_pick = Pick::new(&[(1u8, 10), (2, 30), (3, 35), (4, 20), (5, 5)]);
    let mut offers = Vec::with_capacity(config.offers);
    for i in 0..config.offers {
        draw.draw(&mut rng, 8, &mut drawn);
        let required_a = rng.gen_range(0..drawn.len().max(1));
        let required_b = (required_a + rng.gen_range(1..drawn.len().max(2))) % drawn.len().max(1);
        let requirements = drawn
            .iter()
            .enumerate()
            .map(|(j, &skill)| Requirement {
                skill,
                min_level: min_level_pick.sample(&mut rng).unwrap_or(3),
                weight: rng.gen_range(1..=5),
                required: j == required_a || j == required_b,
            })
            .collect();
        let status = if rng.gen_bool(config.open_fraction.clamp(0.0, 1.0)) {
            OfferStatus::Open
        } else {
            status_pick.sample(&mut rng).unwrap_or(OfferStatus::Closed)
        };
        let deadline = rng.gen_bool(0.9).then(|| {
            if rng.gen_bool(0.05) {
                today - days(&mut rng, 1, 30)
            } else {
                today + days(&mut rng, 7, 90)
            }
        });
        offers.push(OfferProfile {
            id: i as i64 + 1,
            kind: if rng.gen_bool(0.65) { OfferKind::Internship } else { OfferKind::WorkStudy },
            status,
            deadline,
            start_date: rng.gen_bool(0.9).then(|| today + days(&mut rng, 14, 240)),
            city: city_pick.sample(&mut rng).unwrap_or("Casablanca").to_owned(),
            work_mode: mode_pick.sample(&mut rng).unwrap_or(WorkMode::OnSite),
            min_degree_level: min_degree_pick.sample(&mut rng).flatten(),
            requirements,
        });
        tick(&mut done);
    }

    let mut applications = Vec::new();
    if !offers.is_empty() {
        for s in &students {
            if rng.gen_bool(config.applicant_fraction.clamp(0.0, 1.0)) {
                for _ in 0..rng.gen_range(1..=3) {
                    let offer = rng.gen_range(1..=offers.len() as i64);
                    applications.push((s.id, offer));
                }
            }
        }
    }
    applications.sort_unstable();
    applications.dedup();

    SyntheticData { parents, skill_names, schools, students, student_schools, offers, applications }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Taxonomy;

    fn small() -> SyntheticConfig {
        SyntheticConfig { students: 5_000, offers: 300, ..SyntheticConfig::default() }
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let a = generate(&small(), None);
        let b = generate(&small(), None);
        assert_eq!(a.students, b.students);
        assert_eq!(a.offers, b.offers);
        assert_eq!(a.applications, b.applications);
        let c = generate(&SyntheticConfig { seed: 7, ..small() }, None);
        assert_ne!(a.students, c.students);
    }

    #[test]
    fn the_shape_is_as_described() {
        let mut calls = Vec::new();
        let mut record = |n: u64| calls.push(n);
        let data = generate(&small(), Some(&mut record));
        assert!(calls.is_empty());
        assert!(Taxonomy::new(data.parents.clone()).is_ok());
        assert!(data.parents.iter().filter(|p| p.is_some()).count() > 1_000);
        let mut holders = vec![0usize; data.parents.len()];
        for s in &data.students {
            assert!((5..=15).contains(&s.skills.len()));
            assert!(s.skills.iter().all(|&(_, l)| (1..=5).contains(&l)));
            for &(skill, _) in &s.skills {
                holders[skill.index()] += 1;
            }
        }
        holders.sort_unstable_by(|a, b| b.cmp(a));
        let share = |i: usize| holders[i] as f64 / data.students.len() as f64;
        assert!((0.5..0.7).contains(&share(0)), "top skill {}", share(0));
        assert!((0.3..0.5).contains(&share(1)), "second skill {}", share(1));
        assert!(share(10) < 0.2);
        for o in &data.offers {
            assert_eq!(o.requirements.len(), 8);
            assert_eq!(o.requirements.iter().filter(|r| r.required).count(), 2);
        }
    }

    #[test]
    fn progress_is_reported() {
        let mut calls = Vec::new();
        let mut record = |n: u64| calls.push(n);
        generate(&SyntheticConfig { students: 25_000, offers: 0, ..SyntheticConfig::default() }, Some(&mut record));
        assert_eq!(calls, vec![10_000, 20_000]);
    }
}
