//! The rules of an allocation campaign's inputs: the campaign itself, a
//! student's choices and a recruiter's ranking. Plain functions, no I/O.

use crate::domain::ViolationCode;
use std::collections::HashSet;

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Message, UnknownValue, Violation};

/// Longest campaign name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Most choices a campaign may let a student rank.
pub const MAX_CHOICES: i64 = 20;
/// Most offers in one campaign.
pub const MAX_OFFERS: usize = 10_000;
/// Largest seed: 2^53 − 1, so that every client reads it exactly from JSON.
pub const MAX_SEED: i64 = (1 << 53) - 1;

crate::domain::text_enum! {
    /// Where a campaign stands: open (preferences, rankings and runs) until
    /// published, then final.
    CampaignStatus {
        /// Preferences and rankings are taken (within the window) and runs may be repeated.
        Open => "open",
        /// The assignments became applications in state `offered`. Final.
        Published => "published",
    }
}

/// Where `now` falls in the preference window `[opens_at, closes_at)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
}

pub fn window(opens_at: DateTime<Utc>, closes_at: DateTime<Utc>, now: DateTime<Utc>) -> Window {
    if now < opens_at {
        Window::NotYetOpen
    } else if now < closes_at {
        Window::Open
    } else {
        Window::Closed
    }
}

/// The checks on a new campaign that need no database.
#[derive(Debug, Clone, Copy)]
pub struct CampaignRules<'a> {
    pub name: &'a str,
    pub offer_ids: Option<&'a [i64]>,
    pub has_filter: bool,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub max_choices: i64,
    pub seed: Option<i64>,
}

pub fn validate_campaign(rules: &CampaignRules) -> Vec<Violation> {
    let mut violations = Vec::new();
    let name = rules.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        violations.push(Violation::new(
            "name",
            ViolationCode::Length,
            Message::new("campaign-name-length").arg("max", MAX_NAME_CHARS),
        ));
    }
    match (rules.offer_ids, rules.has_filter) {
        (Some(_), true) | (None, false) => {
            violations.push(Violation::new("offer_ids", ViolationCode::OneOf, Message::new("campaign-offers-one-of")))
        }
        (Some(ids), false) => {
            if ids.is_empty() || ids.len() > MAX_OFFERS {
                violations.push(Violation::new(
                    "offer_ids",
                    ViolationCode::Length,
                    Message::new("campaign-offers-count").arg("max", MAX_OFFERS),
                ));
            }
            violations.extend(duplicates("offer_ids", ids));
        }
        (None, true) => {}
    }
    if rules.closes_at <= rules.opens_at {
        violations.push(Violation::new(
            "closes_at",
            ViolationCode::BeforeOpening,
            crate::domain::Message::new("closes-at-must-be-after-opens-at"),
        ));
    }
    if !(1..=MAX_CHOICES).contains(&rules.max_choices) {
        violations.push(Violation::new(
            "max_choices",
            ViolationCode::OutOfRange,
            Message::new("campaign-max-choices").arg("max", MAX_CHOICES),
        ));
    }
    if rules.seed.is_some_and(|seed| !(0..=MAX_SEED).contains(&seed)) {
        violations.push(Violation::new(
            "seed",
            ViolationCode::OutOfRange,
            Message::new("campaign-seed").arg("max", MAX_SEED),
        ));
    }
    violations
}

/// One violation per repeated id, naming its index in `field`.
fn duplicates(field: &str, ids: &[i64]) -> Vec<Violation> {
    let mut seen = HashSet::new();
    ids.iter()
        .enumerate()
        .filter(|(_, id)| !seen.insert(**id))
        .map(|(i, id)| {
            Violation::new(
                format!("{field}[{i}]"),
                ViolationCode::Duplicate,
                Message::new("offer-listed-twice").arg("offer", *id),
            )
        })
        .collect()
}

/// Checks a student's choices against the campaign's offers and the
/// student's eligibility (`eligible(offer)`), each failure naming `offer_ids[i]`.
pub fn validate_choices(
    offer_ids: &[i64],
    max_choices: i64,
    in_campaign: impl Fn(i64) -> bool,
    eligible: impl Fn(i64) -> bool,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    if offer_ids.len() as i64 > max_choices {
        violations.push(Violation::new(
            "offer_ids",
            ViolationCode::TooMany,
            Message::new("campaign-at-most-choices").arg("max", max_choices),
        ));
    }
    violations.extend(duplicates("offer_ids", offer_ids));
    for (i, &offer) in offer_ids.iter().enumerate() {
        let field = format!("offer_ids[{i}]");
        if !in_campaign(offer) {
            violations.push(Violation::new(
                field,
                ViolationCode::NotInCampaign,
                Message::new("offer-not-in-campaign").arg("offer", offer),
            ));
        } else if !eligible(offer) {
            violations.push(Violation::new(
                field,
                ViolationCode::NotEligible,
                Message::new("not-eligible-for-offer").arg("offer", offer),
            ));
        }
    }
    violations
}

/// Checks a recruiter's ranking and exclusions: only students who ranked the
/// offer (`is_candidate`), each at most once in both lists together.
pub fn validate_ranking(ranking: &[i64], excluded: &[i64], is_candidate: impl Fn(i64) -> bool) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut seen = HashSet::new();
    let lists = [("ranking", ranking), ("excluded", excluded)];
    for (field, ids) in lists {
        for (i, &student) in ids.iter().enumerate() {
            let field = format!("{field}[{i}]");
            if !seen.insert(student) {
                violations.push(Violation::new(
                    field,
                    ViolationCode::Duplicate,
                    Message::new("student-listed-twice").arg("student", student),
                ));
            } else if !is_candidate(student) {
                violations.push(Violation::new(
                    field,
                    ViolationCode::NotACandidate,
                    Message::new("student-did-not-rank").arg("student", student),
                ));
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, hour, 0, 0).single().expect("valid time")
    }

    #[test]
    fn the_window_is_half_open() {
        let cases = [(8, Window::NotYetOpen), (9, Window::Open), (16, Window::Open), (17, Window::Closed)];
        for (hour, expected) in cases {
            assert_eq!(window(at(9), at(17), at(hour)), expected, "{hour}h");
        }
    }

    /// Choices, the maximum, and the (field, code) pairs expected.
    type ChoiceCase = (Vec<i64>, i64, Vec<(&'static str, &'static str)>);
    /// Ranking, exclusions, and the (field, code) pairs expected.
    type RankingCase = (Vec<i64>, Vec<i64>, Vec<(&'static str, &'static str)>);

    fn fields(violations: &[Violation]) -> Vec<(String, String)> {
        violations.iter().map(|v| (v.field.clone(), v.code.to_string())).collect()
    }

    #[test]
    fn campaign_rules() {
        let ok = CampaignRules {
            name: "PFE 2026",
            offer_ids: Some(&[1, 2]),
            has_filter: false,
            opens_at: at(9),
            closes_at: at(17),
            max_choices: 5,
            seed: Some(42),
        };
        let cases: Vec<(CampaignRules, Vec<(&str, &str)>)> = vec![
            (CampaignRules { ..ok }, vec![]),
            (CampaignRules { name: "  ", ..ok }, vec![("name", "length")]),
            (CampaignRules { offer_ids: None, ..ok }, vec![("offer_ids", "one_of")]),
            (CampaignRules { has_filter: true, ..ok }, vec![("offer_ids", "one_of")]),
            (CampaignRules { offer_ids: None, has_filter: true, ..ok }, vec![]),
            (CampaignRules { offer_ids: Some(&[]), ..ok }, vec![("offer_ids", "length")]),
            (CampaignRules { offer_ids: Some(&[3, 4, 3]), ..ok }, vec![("offer_ids[2]", "duplicate")]),
            (CampaignRules { closes_at: at(9), ..ok }, vec![("closes_at", "before_opening")]),
            (CampaignRules { max_choices: 0, ..ok }, vec![("max_choices", "out_of_range")]),
            (CampaignRules { max_choices: 21, ..ok }, vec![("max_choices", "out_of_range")]),
            (CampaignRules { seed: Some(-1), ..ok }, vec![("seed", "out_of_range")]),
            (CampaignRules { seed: Some(MAX_SEED + 1), ..ok }, vec![("seed", "out_of_range")]),
            (CampaignRules { seed: None, ..ok }, vec![]),
        ];
        for (rules, expected) in cases {
            let expected: Vec<(String, String)> =
                expected.into_iter().map(|(f, c)| (f.to_owned(), c.to_owned())).collect();
            assert_eq!(fields(&validate_campaign(&rules)), expected);
        }
    }

    #[test]
    fn choice_rules() {
        let in_campaign = |o: i64| o < 10;
        let eligible = |o: i64| o != 3;
        let cases: Vec<ChoiceCase> = vec![
            (vec![1, 2], 3, vec![]),
            (vec![], 3, vec![]),
            (vec![1, 2, 4, 5], 3, vec![("offer_ids", "too_many")]),
            (vec![1, 1], 3, vec![("offer_ids[1]", "duplicate")]),
            (vec![1, 12], 3, vec![("offer_ids[1]", "not_in_campaign")]),
            (vec![3, 1], 3, vec![("offer_ids[0]", "not_eligible")]),
        ];
        for (ids, max, expected) in cases {
            let expected: Vec<(String, String)> =
                expected.into_iter().map(|(f, c)| (f.to_owned(), c.to_owned())).collect();
            assert_eq!(fields(&validate_choices(&ids, max, in_campaign, eligible)), expected, "{ids:?}");
        }
    }

    #[test]
    fn ranking_rules() {
        let candidate = |s: i64| s < 10;
        let cases: Vec<RankingCase> = vec![
            (vec![1, 2], vec![3], vec![]),
            (vec![1, 1], vec![], vec![("ranking[1]", "duplicate")]),
            (vec![1], vec![1], vec![("excluded[0]", "duplicate")]),
            (vec![11], vec![], vec![("ranking[0]", "not_a_candidate")]),
            (vec![], vec![12], vec![("excluded[0]", "not_a_candidate")]),
        ];
        for (ranking, excluded, expected) in cases {
            let expected: Vec<(String, String)> =
                expected.into_iter().map(|(f, c)| (f.to_owned(), c.to_owned())).collect();
            assert_eq!(fields(&validate_ranking(&ranking, &excluded, candidate)), expected);
        }
    }
}
