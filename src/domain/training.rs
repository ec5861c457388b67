//! Rules a training of the catalogue must follow to be saved: a programme,
//! certificate or module of a school or an AXA organisation, and the skills it
//! teaches up to which level; and which trainings close a skill gap.

use crate::domain::ViolationCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

use super::reports::effective_levels;
use super::{check_text, text_enum, Message, UnknownValue, Violation, LEVEL_RANGE};

text_enum! {
    /// How a training is followed.
    TrainingMode {
        /// In a classroom or on a campus.
        OnSite => "on_site",
        /// At a distance.
        Online => "online",
        /// Alternating school and company periods (alternance).
        WorkStudy => "work_study",
    }
}

text_enum! {
    /// What a training leads to.
    TrainingKind {
        /// A degree programme (licence, master, engineering cycle).
        Programme => "programme",
        /// A certificate of the school or the organisation.
        Certificate => "certificate",
        /// A short module.
        Module => "module",
    }
}

/// Shortest and longest title, in characters, in each language.
pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 3..=200;
/// Fewest and most skills one training teaches.
pub const SKILL_COUNT: std::ops::RangeInclusive<usize> = 1..=30;
/// Shortest and longest duration, in hours.
pub const DURATION_HOURS: std::ops::RangeInclusive<u32> = 1..=5_000;
/// Fewest and most seats of one session.
pub const SEATS: std::ops::RangeInclusive<u32> = 1..=10_000;
/// Most start dates listed.
pub const MAX_START_DATES: usize = 12;
/// Longest link, in characters.
pub const MAX_LINK_CHARS: usize = 500;

/// One skill a training teaches, and the level a participant reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaughtSkill {
    /// Skill slug or alias, e.g. `python`; at most once per training.
    #[schema(example = "kubernetes")]
    pub skill: String,
    /// Level reached, from 1 (notions) to 5 (expert).
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(example = 3, minimum = 1, maximum = 5)]
    pub level: u8,
}

/// A training as its provider writes it. The provider is the caller's school
/// or organisation; an admin names one, `school_id` or `organisation_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingDraft {
    /// Only for admins: the school offering it.
    #[schema(example = json!(null))]
    pub school_id: Option<i64>,
    /// Only for admins: the organisation offering it.
    #[schema(example = 3)]
    pub organisation_id: Option<i64>,
    pub kind: TrainingKind,
    /// 3 to 200 characters.
    #[schema(example = "Certificat Conteneurs et orchestration", min_length = 3, max_length = 200, pattern = "\\S")]
    pub title_fr: String,
    /// 3 to 200 characters.
    #[schema(example = "Containers and orchestration certificate", min_length = 3, max_length = 200, pattern = "\\S")]
    pub title_en: String,
    /// What it teaches: 1 to 30 skills, each once.
    #[schema(min_items = 1, max_items = 30)]
    pub skills: Vec<TaughtSkill>,
    /// Length in hours of teaching, 1 to 5,000.
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(example = 60, minimum = 1, maximum = 5000)]
    pub duration_hours: u32,
    pub mode: TrainingMode,
    /// Next sessions' first days, at most 12, each once.
    #[serde(default)]
    #[schema(example = json!(["2027-02-01", "2027-09-15"]), max_items = 12)]
    pub start_dates: Vec<NaiveDate>,
    /// Seats of a session, 1 to 10,000.
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(example = 25, minimum = 1, maximum = 10000)]
    pub seats: u32,
    /// Where to read more and enrol: an `https://` address of at most 500 characters.
    #[schema(example = "https://formation.example.org/conteneurs", max_length = 500)]
    pub link: Option<String>,
}

/// Fields to change; absent ones are kept. `skills`, when given, replaces the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingPatch {
    pub kind: Option<TrainingKind>,
    #[schema(min_length = 3, max_length = 200, pattern = "\\S")]
    pub title_fr: Option<String>,
    #[schema(min_length = 3, max_length = 200, pattern = "\\S")]
    pub title_en: Option<String>,
    #[schema(min_items = 1, max_items = 30)]
    pub skills: Option<Vec<TaughtSkill>>,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(minimum = 1, maximum = 5000)]
    pub duration_hours: Option<u32>,
    pub mode: Option<TrainingMode>,
    #[schema(max_items = 12)]
    pub start_dates: Option<Vec<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(minimum = 1, maximum = 10000)]
    pub seats: Option<u32>,
    /// A new link; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub link: Option<Option<String>>,
}

/// Absent is `None`, `null` is `Some(None)`.
fn nullable<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl TrainingDraft {
    /// The draft with the patch's fields put in.
    pub fn patched(mut self, patch: TrainingPatch) -> Self {
        self.kind = patch.kind.unwrap_or(self.kind);
        self.title_fr = patch.title_fr.unwrap_or(self.title_fr);
        self.title_en = patch.title_en.unwrap_or(self.title_en);
        self.skills = patch.skills.unwrap_or(self.skills);
        self.duration_hours = patch.duration_hours.unwrap_or(self.duration_hours);
        self.mode = patch.mode.unwrap_or(self.mode);
        self.start_dates = patch.start_dates.unwrap_or(self.start_dates);
        self.seats = patch.seats.unwrap_or(self.seats);
        self.link = patch.link.unwrap_or(self.link);
        self
    }
}

fn out_of_range(field: &str, range: &std::ops::RangeInclusive<u32>) -> Violation {
    Violation::new(
        field,
        ViolationCode::OutOfRange,
        Message::new("from-to").arg("min", *range.start()).arg("max", *range.end()),
    )
}

/// Checks a training for saving; every violation names its field, e.g. `skills[1].level`.
pub fn validate_training(draft: &TrainingDraft) -> Vec<Violation> {
    let mut out = Vec::new();
    check_text("title_fr", &draft.title_fr, *TITLE_CHARS.start(), *TITLE_CHARS.end(), &mut out);
    check_text("title_en", &draft.title_en, *TITLE_CHARS.start(), *TITLE_CHARS.end(), &mut out);
    if !SKILL_COUNT.contains(&draft.skills.len()) {
        out.push(Violation::new(
            "skills",
            ViolationCode::Count,
            Message::new("skills-from-to").arg("min", *SKILL_COUNT.start()).arg("max", *SKILL_COUNT.end()),
        ));
    }
    let mut seen = HashSet::new();
    for (i, taught) in draft.skills.iter().enumerate() {
        if !seen.insert(taught.skill.trim().to_lowercase()) {
            out.push(Violation::new(
                format!("skills[{i}].skill"),
                ViolationCode::Duplicate,
                crate::domain::Message::new("this-skill-is-already-listed"),
            ));
        }
        if !LEVEL_RANGE.contains(&taught.level) {
            out.push(Violation::new(
                format!("skills[{i}].level"),
                ViolationCode::OutOfRange,
                crate::domain::Message::new("must-be-from-1-to-5"),
            ));
        }
    }
    if !DURATION_HOURS.contains(&draft.duration_hours) {
        out.push(out_of_range("duration_hours", &DURATION_HOURS));
    }
    if !SEATS.contains(&draft.seats) {
        out.push(out_of_range("seats", &SEATS));
    }
    if draft.start_dates.len() > MAX_START_DATES {
        out.push(Violation::new(
            "start_dates",
            ViolationCode::Count,
            Message::new("at-most-dates").arg("max", MAX_START_DATES),
        ));
    }
    let distinct: HashSet<_> = draft.start_dates.iter().collect();
    if distinct.len() != draft.start_dates.len() {
        out.push(Violation::new(
            "start_dates",
            ViolationCode::Duplicate,
            crate::domain::Message::new("each-date-once"),
        ));
    }
    if let Some(link) = &draft.link {
        if !link.starts_with("https://")
            || link.chars().count() > MAX_LINK_CHARS
            || link.chars().any(char::is_whitespace)
        {
            out.push(Violation::new(
                "link",
                ViolationCode::InvalidFormat,
                Message::new("training-link-format").arg("max", MAX_LINK_CHARS),
            ));
        }
    }
    out
}

/// Most trainings suggested for one skill gap.
pub const MAX_SUGGESTED: usize = 5;

/// A training of the catalogue as far as closing a skill gap goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueTraining {
    pub id: i64,
    /// Level reached on every skill, a narrower skill taught counting for its
    /// broader ones at its own level, as in matching.
    pub levels: BTreeMap<i64, i32>,
    pub seats: u32,
    /// The first start date on or after today, if any is listed.
    pub next_start: Option<NaiveDate>,
}

impl CatalogueTraining {
    /// A training teaching `taught` (skill id, level); `parents` maps a skill to its parent.
    pub fn new(
        id: i64,
        taught: &[(i64, i32)],
        parents: &HashMap<i64, Option<i64>>,
        seats: u32,
        start_dates: &[NaiveDate],
        today: NaiveDate,
    ) -> Self {
        let next_start = start_dates.iter().copied().filter(|d| *d >= today).min();
        CatalogueTraining { id, levels: effective_levels(taught, parents), seats, next_start }
    }

    /// The level it brings a participant to on `skill`, if it teaches it (or a narrower one).
    pub fn level_on(&self, skill: i64) -> Option<i32> {
        self.levels.get(&skill).copied()
    }

    /// Whether it brings a participant to `level` on `skill` or above.
    pub fn closes(&self, skill: i64, level: i32) -> bool {
        self.level_on(skill).is_some_and(|reached| reached >= level)
    }
}

/// The trainings that close a gap on `skill` at `level`: those teaching the
/// skill, or a narrower one, up to that level or above. The soonest next
/// session first (trainings without a date to come last), then the most
/// seats, then by id; at most [`MAX_SUGGESTED`].
pub fn closing(catalogue: &[CatalogueTraining], skill: i64, level: i32) -> Vec<&CatalogueTraining> {
    let mut found: Vec<&CatalogueTraining> = catalogue.iter().filter(|t| t.closes(skill, level)).collect();
    found.sort_by(|a, b| {
        match (a.next_start, b.next_start) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(b.seats.cmp(&a.seats))
        .then(a.id.cmp(&b.id))
    });
    found.truncate(MAX_SUGGESTED);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> TrainingDraft {
        TrainingDraft {
            school_id: None,
            organisation_id: None,
            kind: TrainingKind::Module,
            title_fr: "Module Python".into(),
            title_en: "Python module".into(),
            skills: vec![TaughtSkill { skill: "python".into(), level: 3 }],
            duration_hours: 30,
            mode: TrainingMode::Online,
            start_dates: vec![],
            seats: 20,
            link: None,
        }
    }

    #[test]
    fn each_rule_names_its_field() {
        let date = NaiveDate::from_ymd_opt(2027, 2, 1).unwrap();
        let cases: Vec<(TrainingDraft, Vec<&str>)> = vec![
            (draft(), vec![]),
            (TrainingDraft { title_fr: "x".into(), ..draft() }, vec!["title_fr"]),
            (TrainingDraft { skills: vec![], ..draft() }, vec!["skills"]),
            (
                TrainingDraft {
                    skills: vec![
                        TaughtSkill { skill: "python".into(), level: 3 },
                        TaughtSkill { skill: "Python".into(), level: 6 },
                    ],
                    ..draft()
                },
                vec!["skills[1].skill", "skills[1].level"],
            ),
            (TrainingDraft { duration_hours: 0, seats: 0, ..draft() }, vec!["duration_hours", "seats"]),
            (TrainingDraft { start_dates: vec![date, date], ..draft() }, vec!["start_dates"]),
            (TrainingDraft { link: Some("http://x.example".into()), ..draft() }, vec!["link"]),
            (TrainingDraft { link: Some("https://x.example/a".into()), ..draft() }, vec![]),
        ];
        for (draft, fields) in cases {
            let got: Vec<String> = validate_training(&draft).into_iter().map(|v| v.field).collect();
            assert_eq!(got, fields, "{draft:?}");
        }
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let patched = draft().patched(TrainingPatch {
            seats: Some(5),
            link: Some(Some("https://a.example".into())),
            ..Default::default()
        });
        assert_eq!(patched.seats, 5);
        assert_eq!(patched.link.as_deref(), Some("https://a.example"));
        assert_eq!(patched.title_fr, "Module Python");
        assert_eq!(draft().patched(TrainingPatch { link: Some(None), ..Default::default() }).link, None);
    }
    #[test]
    fn a_gap_is_closed_by_trainings_reaching_its_level_on_the_skill_or_a_narrower_one() {
        // 1 data science, 2 python under it, 3 sql.
        let parents: HashMap<i64, Option<i64>> = [(1, None), (2, Some(1)), (3, None)].into_iter().collect();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
        let past = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let catalogue = vec![
            CatalogueTraining::new(10, &[(2, 3)], &parents, 20, &[day(3, 1)], today),
            CatalogueTraining::new(11, &[(1, 4)], &parents, 10, &[day(2, 1), past], today),
            CatalogueTraining::new(12, &[(2, 2), (3, 5)], &parents, 30, &[past], today),
            CatalogueTraining::new(13, &[(1, 3)], &parents, 40, &[], today),
            CatalogueTraining::new(14, &[(3, 3)], &parents, 50, &[day(2, 1)], today),
            CatalogueTraining::new(15, &[(3, 4)], &parents, 60, &[day(2, 1)], today),
        ];
        assert_eq!(catalogue[2].next_start, None, "a past session is no next start");
        // (skill, level) -> trainings closing it, in order
        let cases: Vec<((i64, i32), Vec<i64>)> = vec![
            // Python itself taught at 3 (10); the broader skill does not teach the narrower (11, 13 no).
            ((2, 3), vec![10]),
            ((2, 2), vec![10, 12]),
            // Data science: its own trainings and the Python ones at their level; soonest first, dateless last.
            ((1, 3), vec![11, 10, 13]),
            ((1, 4), vec![11]),
            // Same date: more seats first; a training without a session to come last.
            ((3, 3), vec![15, 14, 12]),
            ((3, 4), vec![15, 12]),
            ((3, 6), vec![]),
        ];
        for ((skill, level), expected) in cases {
            let got: Vec<i64> = closing(&catalogue, skill, level).iter().map(|t| t.id).collect();
            assert_eq!(got, expected, "skill {skill} at {level}");
        }
    }
}
