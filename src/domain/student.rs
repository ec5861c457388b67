//! Rules for what a student, or a school on a student's behalf, may record:
//! skills, availability, credentials, roster rows and the free-text profile.

use super::{check_text, DegreeLevel, Message, UnknownValue, Violation, LEVEL_RANGE};
use crate::domain::ViolationCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

/// Most skills on one profile.
pub const MAX_SKILLS: usize = 60;
/// Longest skill slug, in characters.
pub const MAX_SKILL_CHARS: usize = 100;
/// Shortest and longest password, in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 12..=128;
/// Longest email address, in characters (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest local part of an email address, before the `@`.
pub const MAX_EMAIL_LOCAL_CHARS: usize = 64;
/// Longest student number, in characters.
pub const MAX_STUDENT_NUMBER_CHARS: usize = 32;
/// Longest first or last name, in characters.
pub const MAX_PERSON_NAME_CHARS: usize = 100;
/// Longest programme name, in characters.
pub const MAX_PROGRAMME_CHARS: usize = 200;
/// Earliest and latest graduation year a roster may give.
pub const GRADUATION_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;
/// Longest bio, in characters.
pub const MAX_BIO_CHARS: usize = 2_000;
/// Most links on one profile.
pub const MAX_LINKS: usize = 10;
/// Longest link, in characters.
pub const MAX_LINK_CHARS: usize = 300;
/// Most preferred cities on one profile.
pub const MAX_CITIES: usize = 20;
/// Longest city name, in characters.
pub const MAX_CITY_CHARS: usize = 100;
/// Most languages on one profile.
pub const MAX_LANGUAGES: usize = 10;
/// Longest language name, in characters.
pub const MAX_LANGUAGE_CHARS: usize = 50;

crate::domain::text_enum! {
    /// Command of a language on the CEFR scale, ordered from beginner to native.
    LanguageLevel {
        /// Beginner.
        A1 => "a1",
        /// Elementary.
        A2 => "a2",
        /// Intermediate.
        B1 => "b1",
        /// Upper intermediate.
        B2 => "b2",
        /// Advanced.
        C1 => "c1",
        /// Proficient.
        C2 => "c2",
        /// Mother tongue.
        Native => "native",
    }
}

crate::domain::text_enum! {
    /// What a reading of a student's data by someone else was, as listed to
    /// the student (law 09-08: who processed their data, and how).
    ProfileReading {
        /// The profile itself (`GET /students/{id}`).
        Profile => "profile",
        /// A list of students that showed the profile (`GET /students`).
        StudentList => "student_list",
        /// The ranked candidates of an offer, naming the student (`GET /offers/{id}/matches`).
        CandidateRanking => "candidate_ranking",
        /// The offers ranked for the student (`GET /students/{id}/matches`).
        OfferRanking => "offer_ranking",
        /// The student's score for one offer (`GET /students/{id}/matches/{offer_id}`).
        PairExplanation => "pair_explanation",
        /// An application of the student, alone or in a list, with its cover
        /// letter and score (`GET /applications`, `GET /applications/{id}`,
        /// the answer of a transition); `offer_id` is the application's offer.
        Application => "application",
        /// A placement of the student, alone or in a list, with its agreement
        /// (`GET /placements`, `GET /placements/{id}`); `offer_id` is the
        /// placement's offer.
        Placement => "placement",
    }
}

/// A language a student speaks and how well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LanguageSkill {
    /// Language name, e.g. `French`; 1 to 50 characters, once per profile.
    #[schema(example = "French", min_length = 1, max_length = 50, pattern = "\\S")]
    pub language: String,
    /// CEFR level, or native.
    pub level: LanguageLevel,
}

/// Checks a student's skills given as (canonical slug, level) pairs: at most
/// 60, levels from 1 to 5, each skill once.
pub fn validate_skills(skills: &[(String, u8)]) -> Vec<Violation> {
    let mut out = Vec::new();
    if skills.len() > MAX_SKILLS {
        out.push(Violation::new(
            "skills",
            ViolationCode::TooMany,
            Message::new("at-most-skills").arg("max", MAX_SKILLS),
        ));
    }
    let mut seen = HashSet::new();
    for (index, (skill, level)) in skills.iter().enumerate() {
        let field = format!("skills[{index}].skill");
        let before = out.len();
        check_text(&field, skill, 1, MAX_SKILL_CHARS, &mut out);
        if out.len() == before && !seen.insert(skill.trim().to_lowercase()) {
            out.push(Violation::new(
                field,
                ViolationCode::Duplicate,
                crate::domain::Message::new("this-skill-is-already-listed"),
            ));
        }
        if !LEVEL_RANGE.contains(level) {
            out.push(Violation::new(
                format!("skills[{index}].level"),
                ViolationCode::OutOfRange,
                Message::new("between").arg("min", *LEVEL_RANGE.start()).arg("max", *LEVEL_RANGE.end()),
            ));
        }
    }
    out
}

/// Checks an availability window: when both ends are given, `until` is not
/// before `from` (a single day is a valid window).
pub fn validate_availability(from: Option<NaiveDate>, until: Option<NaiveDate>) -> Vec<Violation> {
    match (from, until) {
        (Some(from), Some(until)) if until < from => vec![Violation::new(
            "available_until",
            ViolationCode::BeforeAvailableFrom,
            Message::new("available-until-before-from"),
        )],
        _ => Vec::new(),
    }
}

/// Checks a new password's length (field `password`): 12 to 128 characters,
/// counted as Unicode characters, spaces included, so that passphrases work.
pub fn validate_password(password: &str) -> Vec<Violation> {
    let length = password.chars().count();
    let (min, max) = (*PASSWORD_CHARS.start(), *PASSWORD_CHARS.end());
    if length == 0 {
        vec![Violation::new("password", ViolationCode::Required, crate::domain::Message::new("required"))]
    } else if length < min {
        vec![Violation::new("password", ViolationCode::TooShort, Message::new("too-short").arg("min", min))]
    } else if length > max {
        vec![Violation::new("password", ViolationCode::TooLong, Message::new("too-long").arg("max", max))]
    } else {
        Vec::new()
    }
}

/// The form in which email addresses are stored and compared: trimmed and
/// lowercased, so that one person cannot hold two accounts by changing case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email address (field `email`), surrounding spaces ignored: at most
/// 254 characters, one `@` with a non-empty local part of at most 64
/// characters, and a domain of dot-separated non-empty labels with at least one
/// dot. Deliverability is left to the confirmation mail.
pub fn validate_email(email: &str) -> Vec<Violation> {
    let email = email.trim();
    if email.is_empty() {
        return vec![Violation::new("email", ViolationCode::Required, crate::domain::Message::new("required"))];
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return vec![Violation::new(
            "email",
            ViolationCode::TooLong,
            Message::new("too-long").arg("max", MAX_EMAIL_CHARS),
        )];
    }
    if is_sane_email(email) {
        Vec::new()
    } else {
        vec![Violation::new("email", ViolationCode::InvalidFormat, crate::domain::Message::new("not-an-email-address"))]
    }
}

fn is_sane_email(email: &str) -> bool {
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.chars().count() <= MAX_EMAIL_LOCAL_CHARS
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// The columns of a roster, in the order of the CSV header; no other is taken.
pub const ROSTER_COLUMNS: [&str; 7] =
    ["student_number", "first_name", "last_name", "email", "programme", "degree_level", "graduation_year"];

/// One row of a school's student roster, as text straight from the file, so
/// that every bad cell is reported rather than the first parse error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterRow {
    /// The school's own identifier: 1 to 32 of letters, digits, `-`, `_`, `/`.
    #[schema(example = "ECC-2027-0042", pattern = "^[A-Za-z0-9_/-]{1,32}$")]
    pub student_number: String,
    /// 1 to 100 characters.
    #[schema(example = "Salma", min_length = 1, max_length = 100, pattern = "\\S")]
    pub first_name: String,
    /// 1 to 100 characters.
    #[schema(example = "Bennani", min_length = 1, max_length = 100, pattern = "\\S")]
    pub last_name: String,
    /// The student's address; the account is created for it.
    #[schema(
        example = "salma.bennani@ecc.example.org",
        max_length = 254,
        pattern = "^[^\\s@\\x00-\\x1f\\x7f-\\x9f]{1,64}@[^\\s@.\\x00-\\x1f\\x7f-\\x9f]+(\\.[^\\s@.\\x00-\\x1f\\x7f-\\x9f]+)+$"
    )]
    pub email: String,
    /// Programme name, 1 to 200 characters.
    #[schema(example = "Génie informatique", min_length = 1, max_length = 200, pattern = "\\S")]
    pub programme: String,
    /// One of `bac+2`, `bac+3`, `bac+4`, `bac+5`, `bac+8` (case and spaces ignored).
    #[schema(example = "bac+5", value_type = DegreeLevel)]
    pub degree_level: String,
    /// Expected graduation year, from 2000 to 2100.
    #[schema(example = "2027", pattern = "^(20[0-9]{2}|2100)$")]
    pub graduation_year: String,
}

/// A roster row once checked, with text trimmed and the email normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RosterEntry {
    /// The school's own identifier of the student.
    #[schema(example = "ECC-2027-0042")]
    pub student_number: String,
    /// First name.
    #[schema(example = "Salma")]
    pub first_name: String,
    /// Last name.
    #[schema(example = "Bennani")]
    pub last_name: String,
    /// Normalised email address.
    #[schema(example = "salma.bennani@ecc.example.org")]
    pub email: String,
    /// Programme name.
    #[schema(example = "Génie informatique")]
    pub programme: String,
    /// Degree level the student is preparing.
    pub degree_level: DegreeLevel,
    /// Expected graduation year.
    #[schema(example = 2027)]
    pub graduation_year: i32,
}

/// Checks a roster row; fields are named as in the row, and a caller reporting
/// on a whole file prefixes them with the row, e.g. `rows[3].email`.
pub fn validate_roster_row(row: &RosterRow) -> Vec<Violation> {
    parse_roster_row(row).err().unwrap_or_default()
}

/// Turns a roster row into an entry, or lists every broken rule as
/// [`validate_roster_row`] does.
pub fn parse_roster_row(row: &RosterRow) -> Result<RosterEntry, Vec<Violation>> {
    let mut out = Vec::new();
    let cells = [
        ("student_number", &row.student_number),
        ("first_name", &row.first_name),
        ("last_name", &row.last_name),
        ("email", &row.email),
        ("programme", &row.programme),
        ("degree_level", &row.degree_level),
        ("graduation_year", &row.graduation_year),
    ];
    out.extend(cells.iter().filter_map(|(field, value)| super::input::check_characters(field, value, false)));
    if !out.is_empty() {
        return Err(out);
    }
    let before = out.len();
    check_text("student_number", &row.student_number, 1, MAX_STUDENT_NUMBER_CHARS, &mut out);
    let student_number = row.student_number.trim();
    if out.len() == before && !student_number.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
    {
        out.push(Violation::new("student_number", ViolationCode::InvalidFormat, Message::new("student-number-format")));
    }
    check_text("first_name", &row.first_name, 1, MAX_PERSON_NAME_CHARS, &mut out);
    check_text("last_name", &row.last_name, 1, MAX_PERSON_NAME_CHARS, &mut out);
    out.extend(validate_email(&row.email));
    check_text("programme", &row.programme, 1, MAX_PROGRAMME_CHARS, &mut out);

    let level_text: String = row.degree_level.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    let degree_level = level_text.parse::<DegreeLevel>().ok();
    if degree_level.is_none() {
        let known: Vec<&str> = DegreeLevel::ALL.iter().map(|level| level.as_str()).collect();
        out.push(Violation::new(
            "degree_level",
            ViolationCode::UnknownValue,
            Message::new("one-of").arg("values", known.join(", ")),
        ));
    }

    let graduation_year = match row.graduation_year.trim().parse::<i32>() {
        Ok(year) if GRADUATION_YEARS.contains(&year) => Some(year),
        Ok(_) => {
            out.push(Violation::new(
                "graduation_year",
                ViolationCode::OutOfRange,
                Message::new("between").arg("min", *GRADUATION_YEARS.start()).arg("max", *GRADUATION_YEARS.end()),
            ));
            None
        }
        Err(_) => {
            out.push(Violation::new(
                "graduation_year",
                ViolationCode::InvalidFormat,
                crate::domain::Message::new("must-be-a-year-e-g-2026"),
            ));
            None
        }
    };

    match (degree_level, graduation_year) {
        (Some(degree_level), Some(graduation_year)) if out.is_empty() => Ok(RosterEntry {
            student_number: student_number.to_owned(),
            first_name: row.first_name.trim().to_owned(),
            last_name: row.last_name.trim().to_owned(),
            email: normalise_email(&row.email),
            programme: row.programme.trim().to_owned(),
            degree_level,
            graduation_year,
        }),
        _ => Err(out),
    }
}

/// The free-text parts of a student profile, borrowed from the request.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileText<'a> {
    /// Short presentation, at most 2,000 characters.
    pub bio: Option<&'a str>,
    /// At most 10 http(s) links of at most 300 characters each.
    pub links: &'a [String],
    /// At most 20 preferred cities of at most 100 characters each.
    pub cities: &'a [String],
    /// At most 10 languages, each once.
    pub languages: &'a [LanguageSkill],
}

/// Checks the free-text parts of a profile: bio length, links (http or https
/// only, so that no script URL reaches another user's browser), cities and
/// languages. Fields: `bio`, `links`, `links[i]`, `cities`, `cities[i]`,
/// `languages`, `languages[i].language`.
pub fn validate_profile_text(text: &ProfileText<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    if text.bio.is_some_and(|bio| bio.chars().count() > MAX_BIO_CHARS) {
        out.push(Violation::new("bio", ViolationCode::TooLong, Message::new("too-long").arg("max", MAX_BIO_CHARS)));
    }

    check_count("links", text.links.len(), MAX_LINKS, &mut out);
    for (index, link) in text.links.iter().enumerate() {
        let field = format!("links[{index}]");
        let link = link.trim();
        if link.chars().count() > MAX_LINK_CHARS {
            out.push(Violation::new(
                field,
                ViolationCode::TooLong,
                Message::new("too-long").arg("max", MAX_LINK_CHARS),
            ));
        } else if !is_web_link(link) {
            out.push(Violation::new(
                field,
                ViolationCode::InvalidFormat,
                crate::domain::Message::new("must-be-an-http-or-https-link"),
            ));
        }
    }

    check_count("cities", text.cities.len(), MAX_CITIES, &mut out);
    let mut seen_cities = HashSet::new();
    for (index, city) in text.cities.iter().enumerate() {
        let field = format!("cities[{index}]");
        let before = out.len();
        check_text(&field, city, 1, MAX_CITY_CHARS, &mut out);
        if out.len() == before && !seen_cities.insert(city.trim().to_lowercase()) {
            out.push(Violation::new(
                field,
                ViolationCode::Duplicate,
                crate::domain::Message::new("this-city-is-already-listed"),
            ));
        }
    }

    check_count("languages", text.languages.len(), MAX_LANGUAGES, &mut out);
    let mut seen_languages = HashSet::new();
    for (index, skill) in text.languages.iter().enumerate() {
        let field = format!("languages[{index}].language");
        let before = out.len();
        check_text(&field, &skill.language, 1, MAX_LANGUAGE_CHARS, &mut out);
        if out.len() == before && !seen_languages.insert(skill.language.trim().to_lowercase()) {
            out.push(Violation::new(
                field,
                ViolationCode::Duplicate,
                crate::domain::Message::new("this-language-is-already-listed"),
            ));
        }
    }
    out
}

fn is_web_link(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty() && !link.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_count(field: &str, count: usize, max: usize, out: &mut Vec<Violation>) {
    if count > max {
        out.push(Violation::new(field, ViolationCode::TooMany, Message::new("at-most-entries").arg("max", max)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(violations: Vec<Violation>) -> Vec<(String, String)> {
        violations.into_iter().map(|v| (v.field, v.code.to_string())).collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    #[test]
    fn skills_rules() {
        let many: Vec<(String, u8)> = (0..61).map(|i| (format!("skill-{i}"), 3)).collect();
        let most: Vec<(String, u8)> = many[..60].to_vec();
        type Skills = Vec<(String, u8)>;
        let cases: Vec<(Skills, &[(&str, &str)])> = vec![
            (vec![], &[]),
            (vec![("python".into(), 1), ("sql".into(), 5)], &[]),
            (vec![("python".into(), 0)], &[("skills[0].level", "out_of_range")]),
            (vec![("python".into(), 6)], &[("skills[0].level", "out_of_range")]),
            (vec![("python".into(), 3), ("python".into(), 4)], &[("skills[1].skill", "duplicate")]),
            (vec![(" ".into(), 3)], &[("skills[0].skill", "required")]),
            (most, &[]),
            (many, &[("skills", "too_many")]),
        ];
        for (index, (skills, expected)) in cases.into_iter().enumerate() {
            assert_eq!(found(validate_skills(&skills)), pairs(expected), "case {index}");
        }
    }

    #[test]
    fn availability_rules() {
        let cases = [
            (Some("2025-07-01"), Some("2025-06-30"), 1),
            (Some("2025-07-01"), Some("2025-07-01"), 0),
            (Some("2025-07-01"), Some("2025-12-31"), 0),
            (None, Some("2025-06-30"), 0),
            (Some("2025-07-01"), None, 0),
            (None, None, 0),
        ];
        for (from, until, count) in cases {
            let got = validate_availability(from.map(date), until.map(date));
            assert_eq!(got.len(), count, "{from:?}..{until:?}");
            assert!(got.iter().all(|v| v.field == "available_until"));
        }
    }

    #[test]
    fn password_length_rules() {
        let cases = [
            (String::new(), Some("required")),
            ("a".repeat(11), Some("too_short")),
            ("a".repeat(12), None),
            ("é".repeat(12), None),
            ("correct horse battery".to_owned(), None),
            ("a".repeat(128), None),
            ("a".repeat(129), Some("too_long")),
        ];
        for (password, code) in cases {
            let got: Vec<String> = validate_password(&password).into_iter().map(|v| v.code.to_string()).collect();
            assert_eq!(got, code.map(str::to_owned).into_iter().collect::<Vec<_>>(), "{password:?}");
        }
    }

    #[test]
    fn email_rules() {
        let long_domain = format!("a@{}.ma", "d".repeat(250));
        let cases = [
            ("salma@example.ma", None),
            ("  Salma.Bennani+axa@Um5.ac.ma ", None),
            ("", Some("required")),
            ("   ", Some("required")),
            ("salma", Some("invalid_format")),
            ("@example.ma", Some("invalid_format")),
            ("salma@", Some("invalid_format")),
            ("salma@localhost", Some("invalid_format")),
            ("salma@@example.ma", Some("invalid_format")),
            ("sal@ma@example.ma", Some("invalid_format")),
            ("salma@example..ma", Some("invalid_format")),
            ("salma@.example.ma", Some("invalid_format")),
            ("salma@example.ma.", Some("invalid_format")),
            ("sal ma@example.ma", Some("invalid_format")),
            (long_domain.as_str(), Some("too_long")),
        ];
        for (email, code) in cases {
            let got: Vec<String> = validate_email(email).into_iter().map(|v| v.code.to_string()).collect();
            assert_eq!(got, code.map(str::to_owned).into_iter().collect::<Vec<_>>(), "{email:?}");
        }
        let local = format!("{}@example.ma", "l".repeat(65));
        assert_eq!(validate_email(&local)[0].code.as_str(), "invalid_format");
    }

    #[test]
    fn emails_normalise_to_trimmed_lowercase() {
        let cases = [
            ("Salma@Example.MA", "salma@example.ma"),
            ("  x@y.ma\n", "x@y.ma"),
            ("already@lower.ma", "already@lower.ma"),
        ];
        for (raw, normal) in cases {
            assert_eq!(normalise_email(raw), normal);
        }
    }

    fn row() -> RosterRow {
        RosterRow {
            student_number: " ENSIAS-2023/042 ".into(),
            first_name: "Salma".into(),
            last_name: "Bennani".into(),
            email: "Salma.Bennani@um5.ac.ma".into(),
            programme: "Génie logiciel".into(),
            degree_level: "Bac+5".into(),
            graduation_year: "2026".into(),
        }
    }

    #[test]
    fn roster_row_rules_name_the_column() {
        type Change = fn(&mut RosterRow);
        let cases: Vec<(Change, &[(&str, &str)])> = vec![
            (|_| {}, &[]),
            (|r| r.student_number = String::new(), &[("student_number", "required")]),
            (|r| r.student_number = "a".repeat(33), &[("student_number", "too_long")]),
            (|r| r.student_number = "a".repeat(32), &[]),
            (|r| r.student_number = "AB 12".into(), &[("student_number", "invalid_format")]),
            (|r| r.student_number = "AB_12".into(), &[]),
            (|r| r.student_number = "ÉTU12".into(), &[("student_number", "invalid_format")]),
            (|r| r.first_name = " ".into(), &[("first_name", "required")]),
            (|r| r.last_name = "x".repeat(101), &[("last_name", "too_long")]),
            (|r| r.email = "nope".into(), &[("email", "invalid_format")]),
            (|r| r.programme = "p".repeat(201), &[("programme", "too_long")]),
            (|r| r.degree_level = "bac + 3".into(), &[]),
            (|r| r.degree_level = "bac+6".into(), &[("degree_level", "unknown_value")]),
            (|r| r.degree_level = String::new(), &[("degree_level", "unknown_value")]),
            (|r| r.graduation_year = "1999".into(), &[("graduation_year", "out_of_range")]),
            (|r| r.graduation_year = "2100".into(), &[]),
            (|r| r.graduation_year = "2101".into(), &[("graduation_year", "out_of_range")]),
            (|r| r.graduation_year = "next year".into(), &[("graduation_year", "invalid_format")]),
            (
                |r| {
                    r.first_name = String::new();
                    r.graduation_year = String::new();
                },
                &[("first_name", "required"), ("graduation_year", "invalid_format")],
            ),
        ];
        for (index, (change, expected)) in cases.into_iter().enumerate() {
            let mut r = row();
            change(&mut r);
            assert_eq!(found(validate_roster_row(&r)), pairs(expected), "case {index}");
            assert_eq!(parse_roster_row(&r).is_ok(), expected.is_empty(), "case {index}");
        }
    }

    #[test]
    fn roster_rows_parse_into_clean_entries() {
        let entry = parse_roster_row(&row()).expect("valid row");
        assert_eq!(
            entry,
            RosterEntry {
                student_number: "ENSIAS-2023/042".into(),
                first_name: "Salma".into(),
                last_name: "Bennani".into(),
                email: "salma.bennani@um5.ac.ma".into(),
                programme: "Génie logiciel".into(),
                degree_level: DegreeLevel::Bac5,
                graduation_year: 2026,
            }
        );
    }

    #[test]
    fn profile_text_rules() {
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let language = |name: &str, level| LanguageSkill { language: name.into(), level };
        let long_bio = "b".repeat(2_001);
        let full_bio = "b".repeat(2_000);
        let long_link = format!("https://example.ma/{}", "p".repeat(290));
        let eleven_links: Vec<String> = (0..11).map(|i| format!("https://site{i}.ma")).collect();
        let twenty_one_cities: Vec<String> = (0..21).map(|i| format!("City {i}")).collect();
        let eleven_languages: Vec<LanguageSkill> =
            (0..11).map(|i| language(&format!("Language {i}"), LanguageLevel::B1)).collect();
        let good_links = strings(&["https://github.com/salma", "HTTP://portfolio.ma"]);
        let bad_links = strings(&["javascript:alert(1)", "https://", "ftp://x.ma", "https://a b.ma"]);
        let cities = strings(&["Casablanca", "Rabat"]);
        let dup_cities = strings(&["Rabat", "rabat ", ""]);
        let languages = [language("Arabic", LanguageLevel::Native), language("French", LanguageLevel::C1)];
        let dup_languages = [language("French", LanguageLevel::C1), language("french", LanguageLevel::B2)];

        let cases: Vec<(ProfileText, &[(&str, &str)])> = vec![
            (ProfileText::default(), &[]),
            (ProfileText { bio: Some(&full_bio), links: &good_links, cities: &cities, languages: &languages }, &[]),
            (ProfileText { bio: Some(&long_bio), ..Default::default() }, &[("bio", "too_long")]),
            (
                ProfileText { links: &bad_links, ..Default::default() },
                &[
                    ("links[0]", "invalid_format"),
                    ("links[1]", "invalid_format"),
                    ("links[2]", "invalid_format"),
                    ("links[3]", "invalid_format"),
                ],
            ),
            (
                ProfileText { links: std::slice::from_ref(&long_link), ..Default::default() },
                &[("links[0]", "too_long")],
            ),
            (ProfileText { links: &eleven_links, ..Default::default() }, &[("links", "too_many")]),
            (ProfileText { links: &eleven_links[..10], ..Default::default() }, &[]),
            (ProfileText { cities: &twenty_one_cities, ..Default::default() }, &[("cities", "too_many")]),
            (
                ProfileText { cities: &dup_cities, ..Default::default() },
                &[("cities[1]", "duplicate"), ("cities[2]", "required")],
            ),
            (ProfileText { languages: &eleven_languages, ..Default::default() }, &[("languages", "too_many")]),
            (
                ProfileText { languages: &dup_languages, ..Default::default() },
                &[("languages[1].language", "duplicate")],
            ),
        ];
        for (index, (text, expected)) in cases.into_iter().enumerate() {
            assert_eq!(found(validate_profile_text(&text)), pairs(expected), "case {index}");
        }
    }

    #[test]
    fn language_levels_are_ordered_and_travel_as_text() {
        let cases = [("a1", LanguageLevel::A1), ("c2", LanguageLevel::C2), ("native", LanguageLevel::Native)];
        for (text, level) in cases {
            assert_eq!(text.parse::<LanguageLevel>(), Ok(level));
            assert_eq!(serde_json::to_value(level).ok(), Some(serde_json::Value::from(text)));
        }
        assert!("C1".parse::<LanguageLevel>().is_err());
        assert!(LanguageLevel::Native > LanguageLevel::C2);
        assert!(LanguageLevel::B1 > LanguageLevel::A2);
    }
}
