//! Rules an offer must follow to be saved, and more to be published.
//!
//! A draft is checked for consistency on every save; publishing adds what a
//! student needs to apply (dates that are still ahead, at least one
//! requirement to be matched against).

use super::{check_text, DegreeLevel, Message, OfferKind, OfferStatus, Violation, WorkMode, LEVEL_RANGE};
use crate::domain::ViolationCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

/// Shortest and longest title, in characters.
pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 3..=200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// Longest city name, in characters.
pub const MAX_CITY_CHARS: usize = 100;
/// Fewest and most positions of one offer.
pub const POSITIONS: std::ops::RangeInclusive<u32> = 1..=500;
/// Shortest and longest duration, in months.
pub const DURATION_MONTHS: std::ops::RangeInclusive<u8> = 1..=36;
/// Fewest and most skill requirements of one offer.
pub const REQUIREMENT_COUNT: std::ops::RangeInclusive<usize> = 1..=30;
/// Highest monthly stipend, in dirhams.
pub const MAX_STIPEND_MAD: u32 = 100_000;
/// Most languages one offer may ask for.
pub const MAX_LANGUAGES: usize = 10;
/// Longest skill slug, in characters.
pub const MAX_SKILL_CHARS: usize = 100;
/// Longest language name, in characters.
pub const MAX_LANGUAGE_CHARS: usize = 50;

/// One skill an offer asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementDraft {
    /// Canonical skill slug, e.g. `python`; at most once per offer.
    #[schema(example = "python")]
    pub skill: String,
    /// Lowest useful level, from 1 (notions) to 5 (expert).
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(example = 3, minimum = 1, maximum = 5)]
    pub min_level: u8,
    /// Importance in matching, from 1 to 5.
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(example = 4, minimum = 1, maximum = 5)]
    pub weight: u8,
    /// Whether a student without this skill at `min_level` is out of the running.
    #[schema(example = true)]
    pub required: bool,
}

/// An offer as a recruiter writes it, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferDraft {
    /// Internship or work-study.
    pub kind: OfferKind,
    /// 3 to 200 characters.
    #[schema(example = "Stage PFE – Data Scientist", min_length = 3, max_length = 200, pattern = "\\S")]
    pub title: String,
    /// At most 10,000 characters.
    #[schema(
        example = "Conception de modèles de tarification automobile avec l'équipe Data d'AXA Maroc.",
        max_length = 10_000
    )]
    pub description: String,
    /// Where the work happens, 1 to 100 characters.
    #[schema(example = "Casablanca", min_length = 1, max_length = 100, pattern = "\\S")]
    pub city: String,
    /// On site, hybrid or remote.
    pub work_mode: WorkMode,
    /// First day; needed to publish, and not in the past then.
    #[schema(example = "2027-02-01")]
    pub start_date: Option<NaiveDate>,
    /// Length in months, from 1 to 36.
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 6, minimum = 1, maximum = 36)]
    pub duration_months: Option<u8>,
    /// How many students may be taken, from 1 to 500.
    #[serde(deserialize_with = "crate::domain::whole_number::deserialize")]
    #[schema(example = 2, minimum = 1, maximum = 500)]
    pub positions: u32,
    /// Lowest degree level a candidate must have.
    pub min_degree_level: Option<DegreeLevel>,
    /// Last day to apply; needed to publish, not in the past then, and not
    /// after the start date.
    #[schema(example = "2027-01-15")]
    pub deadline: Option<NaiveDate>,
    /// Monthly stipend in dirhams (MAD), at most 100,000.
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 4000, minimum = 0, maximum = 100_000)]
    pub stipend_mad: Option<u32>,
    /// Working languages, e.g. `French`; at most 10, each once, 1 to 50 characters.
    #[serde(default)]
    #[schema(example = json!(["French", "English"]), value_type = Vec<super::texts::LanguageName>, max_items = 10)]
    pub languages: Vec<String>,
    /// Skills asked for: 1 to 30, each skill once.
    #[schema(example = json!([{"skill": "python", "min_level": 3, "weight": 5, "required": true}]), min_items = 1, max_items = 30)]
    pub requirements: Vec<RequirementDraft>,
}

/// Checks an offer for saving; every violation names its field, e.g.
/// `requirements[2].min_level`.
pub fn validate_offer(draft: &OfferDraft) -> Vec<Violation> {
    let mut out = Vec::new();
    check_text("title", &draft.title, *TITLE_CHARS.start(), *TITLE_CHARS.end(), &mut out);
    if draft.description.chars().count() > MAX_DESCRIPTION_CHARS {
        out.push(Violation::new(
            "description",
            ViolationCode::TooLong,
            Message::new("too-long").arg("max", MAX_DESCRIPTION_CHARS),
        ));
    }
    check_text("city", &draft.city, 1, MAX_CITY_CHARS, &mut out);
    if !POSITIONS.contains(&draft.positions) {
        out.push(out_of_range("positions", &POSITIONS));
    }
    if draft.duration_months.is_some_and(|months| !DURATION_MONTHS.contains(&months)) {
        out.push(out_of_range("duration_months", &DURATION_MONTHS));
    }
    if let (Some(deadline), Some(start)) = (draft.deadline, draft.start_date) {
        if deadline > start {
            out.push(Violation::new(
                "deadline",
                ViolationCode::AfterStartDate,
                Message::new("deadline-after-start-date"),
            ));
        }
    }
    if draft.stipend_mad.is_some_and(|stipend| stipend > MAX_STIPEND_MAD) {
        out.push(Violation::new(
            "stipend_mad",
            ViolationCode::OutOfRange,
            Message::new("at-most-mad").arg("max", MAX_STIPEND_MAD),
        ));
    }
    check_languages(&draft.languages, &mut out);
    check_requirements(&draft.requirements, &mut out);
    out
}

/// Checks an offer for publishing on `today`: every rule of [`validate_offer`],
/// plus a start date and a deadline that are both given and not in the past.
pub fn validate_publish(draft: &OfferDraft, today: NaiveDate) -> Vec<Violation> {
    let mut out = validate_offer(draft);
    for (field, date) in [("start_date", draft.start_date), ("deadline", draft.deadline)] {
        match date {
            None => out.push(Violation::new(
                field,
                ViolationCode::Required,
                crate::domain::Message::new("needed-to-publish"),
            )),
            Some(date) if date < today => out.push(Violation::new(
                field,
                ViolationCode::InThePast,
                crate::domain::Message::new("must-not-be-in-the-past"),
            )),
            Some(_) => {}
        }
    }
    out
}

/// Whether an offer may go from `from` to `to`: publish (draft → open), close
/// (open → closed, or draft → closed to drop a draft), fill (open → filled when
/// the last position is taken) and reopen (filled → open when a position frees
/// up). Anything else, including staying put, is refused.
pub fn offer_status_move(from: OfferStatus, to: OfferStatus) -> bool {
    use OfferStatus::{Closed, Draft, Filled, Open};
    matches!((from, to), (Draft, Open) | (Draft, Closed) | (Open, Closed) | (Open, Filled) | (Filled, Open))
}

fn check_languages(languages: &[String], out: &mut Vec<Violation>) {
    if languages.len() > MAX_LANGUAGES {
        out.push(Violation::new(
            "languages",
            ViolationCode::TooMany,
            Message::new("at-most-languages").arg("max", MAX_LANGUAGES),
        ));
    }
    let mut seen = HashSet::new();
    for (index, language) in languages.iter().enumerate() {
        let field = format!("languages[{index}]");
        let before = out.len();
        check_text(&field, language, 1, MAX_LANGUAGE_CHARS, out);
        if out.len() == before && !seen.insert(language.trim().to_lowercase()) {
            out.push(Violation::new(
                field,
                ViolationCode::Duplicate,
                crate::domain::Message::new("this-language-is-already-listed"),
            ));
        }
    }
}

fn check_requirements(requirements: &[RequirementDraft], out: &mut Vec<Violation>) {
    if requirements.len() < *REQUIREMENT_COUNT.start() {
        out.push(Violation::new(
            "requirements",
            ViolationCode::TooFew,
            crate::domain::Message::new("at-least-one-skill-requirement"),
        ));
    } else if requirements.len() > *REQUIREMENT_COUNT.end() {
        out.push(Violation::new(
            "requirements",
            ViolationCode::TooMany,
            Message::new("at-most-requirements").arg("max", *REQUIREMENT_COUNT.end()),
        ));
    }
    let mut seen = HashSet::new();
    for (index, requirement) in requirements.iter().enumerate() {
        let field = format!("requirements[{index}].skill");
        let before = out.len();
        check_text(&field, &requirement.skill, 1, MAX_SKILL_CHARS, out);
        if out.len() == before && !seen.insert(requirement.skill.as_str()) {
            out.push(Violation::new(
                field,
                ViolationCode::Duplicate,
                crate::domain::Message::new("this-skill-is-already-required"),
            ));
        }
        if !LEVEL_RANGE.contains(&requirement.min_level) {
            out.push(out_of_range(&format!("requirements[{index}].min_level"), &LEVEL_RANGE));
        }
        if !LEVEL_RANGE.contains(&requirement.weight) {
            out.push(out_of_range(&format!("requirements[{index}].weight"), &LEVEL_RANGE));
        }
    }
}

fn out_of_range<T: Copy + Into<crate::i18n::Arg>>(field: &str, range: &std::ops::RangeInclusive<T>) -> Violation {
    Violation::new(
        field,
        ViolationCode::OutOfRange,
        Message::new("between").arg("min", *range.start()).arg("max", *range.end()),
    )
}

#[cfg(test)]
mod tests {
    use super::OfferStatus as S;
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    fn requirement(skill: &str) -> RequirementDraft {
        RequirementDraft { skill: skill.into(), min_level: 3, weight: 2, required: true }
    }

    fn draft() -> OfferDraft {
        OfferDraft {
            kind: OfferKind::Internship,
            title: "Data analyst intern".into(),
            description: "Claims analytics at AXA Assurance Maroc.".into(),
            city: "Casablanca".into(),
            work_mode: WorkMode::Hybrid,
            start_date: Some(date("2025-07-01")),
            duration_months: Some(6),
            positions: 2,
            min_degree_level: Some(DegreeLevel::Bac4),
            deadline: Some(date("2025-06-15")),
            stipend_mad: Some(4_000),
            languages: vec!["French".into(), "English".into()],
            requirements: vec![requirement("python"), requirement("sql")],
        }
    }

    fn found(violations: Vec<Violation>) -> Vec<(String, String)> {
        violations.into_iter().map(|v| (v.field, v.code.to_string())).collect()
    }

    type Change = fn(&mut OfferDraft);

    #[test]
    fn offer_rules_name_field_and_code() {
        let cases: Vec<(Change, &[(&str, &str)])> = vec![
            (|_| {}, &[]),
            (|d| d.title = "ab".into(), &[("title", "too_short")]),
            (|d| d.title = "  ".into(), &[("title", "required")]),
            (|d| d.title = "é".repeat(200), &[]),
            (|d| d.title = "é".repeat(201), &[("title", "too_long")]),
            (|d| d.description = "x".repeat(10_001), &[("description", "too_long")]),
            (|d| d.description = String::new(), &[]),
            (|d| d.city = String::new(), &[("city", "required")]),
            (|d| d.city = "c".repeat(101), &[("city", "too_long")]),
            (|d| d.positions = 0, &[("positions", "out_of_range")]),
            (|d| d.positions = 500, &[]),
            (|d| d.positions = 501, &[("positions", "out_of_range")]),
            (|d| d.duration_months = Some(0), &[("duration_months", "out_of_range")]),
            (|d| d.duration_months = Some(37), &[("duration_months", "out_of_range")]),
            (|d| d.duration_months = None, &[]),
            (|d| d.deadline = Some(date("2025-07-02")), &[("deadline", "after_start_date")]),
            (|d| d.deadline = Some(date("2025-07-01")), &[]),
            (|d| d.start_date = None, &[]),
            (|d| d.stipend_mad = Some(100_001), &[("stipend_mad", "out_of_range")]),
            (|d| d.stipend_mad = Some(100_000), &[]),
            (|d| d.requirements.clear(), &[("requirements", "too_few")]),
            (
                |d| d.requirements = (0..31).map(|i| requirement(&format!("skill-{i}"))).collect(),
                &[("requirements", "too_many")],
            ),
            (|d| d.requirements = (0..30).map(|i| requirement(&format!("skill-{i}"))).collect(), &[]),
            (|d| d.requirements[1].min_level = 0, &[("requirements[1].min_level", "out_of_range")]),
            (|d| d.requirements[0].min_level = 6, &[("requirements[0].min_level", "out_of_range")]),
            (|d| d.requirements[1].weight = 0, &[("requirements[1].weight", "out_of_range")]),
            (|d| d.requirements[1].weight = 5, &[]),
            (|d| d.requirements.push(requirement("python")), &[("requirements[2].skill", "duplicate")]),
            (|d| d.requirements[0].skill = String::new(), &[("requirements[0].skill", "required")]),
            (|d| d.languages.push("french ".into()), &[("languages[2]", "duplicate")]),
            (|d| d.languages = (0..11).map(|i| format!("Language {i}")).collect(), &[("languages", "too_many")]),
            (|d| d.languages[0] = String::new(), &[("languages[0]", "required")]),
        ];
        for (index, (change, expected)) in cases.into_iter().enumerate() {
            let mut d = draft();
            change(&mut d);
            let expected: Vec<(String, String)> =
                expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
            assert_eq!(found(validate_offer(&d)), expected, "case {index}");
        }
    }

    #[test]
    fn publishing_needs_dates_ahead_and_requirements() {
        let today = date("2025-06-01");
        let cases: Vec<(Change, &[(&str, &str)])> = vec![
            (|_| {}, &[]),
            (|d| d.start_date = None, &[("start_date", "required")]),
            (|d| d.deadline = None, &[("deadline", "required")]),
            (
                |d| {
                    d.start_date = None;
                    d.deadline = None;
                },
                &[("start_date", "required"), ("deadline", "required")],
            ),
            (|d| d.deadline = Some(date("2025-05-31")), &[("deadline", "in_the_past")]),
            (|d| d.deadline = Some(date("2025-06-01")), &[]),
            (
                |d| {
                    d.start_date = Some(date("2025-05-01"));
                    d.deadline = Some(date("2025-04-01"));
                },
                &[("start_date", "in_the_past"), ("deadline", "in_the_past")],
            ),
            (|d| d.requirements.clear(), &[("requirements", "too_few")]),
            (|d| d.positions = 0, &[("positions", "out_of_range")]),
        ];
        for (index, (change, expected)) in cases.into_iter().enumerate() {
            let mut d = draft();
            change(&mut d);
            let expected: Vec<(String, String)> =
                expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
            assert_eq!(found(validate_publish(&d, today)), expected, "case {index}");
        }
    }

    #[test]
    fn offer_status_moves_match_the_table() {
        // Rows `from`, columns `to`, both in declaration order: draft, open,
        // closed, filled. `o` allowed, `.` refused.
        let table = [
            /* draft  */ ". o o .", /* open   */ ". . o o", /* closed */ ". . . .",
            /* filled */ ". o . .",
        ];
        assert_eq!(S::ALL, [S::Draft, S::Open, S::Closed, S::Filled]);
        for (&from, row) in S::ALL.iter().zip(table) {
            let cells: Vec<bool> = row.split_whitespace().map(|cell| cell == "o").collect();
            assert_eq!(cells.len(), S::ALL.len());
            for (&to, expected) in S::ALL.iter().zip(cells) {
                assert_eq!(offer_status_move(from, to), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn drafts_travel_as_json() {
        let json = serde_json::to_value(draft()).expect("serialise");
        assert_eq!(json["kind"], "internship");
        assert_eq!(json["requirements"][0]["skill"], "python");
        let back: OfferDraft = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, draft());
    }
}
