//! Rules a training of the catalogue must follow to be saved: a programme,
//! certificate or module of a school or an AXA organisation, and the skills it
//! teaches up to which level.

use crate::domain::ViolationCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

use super::{check_text, text_enum, UnknownValue, Violation, LEVEL_RANGE};

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
    Violation::new(field, ViolationCode::OutOfRange, format!("must be from {} to {}", range.start(), range.end()))
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
            format!("from {} to {} skills", SKILL_COUNT.start(), SKILL_COUNT.end()),
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
        out.push(Violation::new("start_dates", ViolationCode::Count, format!("at most {MAX_START_DATES} dates")));
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
                format!("an https:// address without spaces, at most {MAX_LINK_CHARS} characters"),
            ));
        }
    }
    out
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
}
