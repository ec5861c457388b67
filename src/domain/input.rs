//! Rules every text and date a client sends must follow, whatever the field:
//! no control characters (PostgreSQL refuses NUL in text, and no field of the
//! product has a use for the others), and dates within a sane range (the
//! databases and the date library disagree on the extremes).

use crate::domain::ViolationCode;
use chrono::NaiveDate;
use serde_json::Value;

use super::{Message, Violation};

/// Fields of free, multi-line text, named by their JSON key: they may hold
/// line breaks and tabs, which every other field refuses.
pub const MULTI_LINE_FIELDS: &[&str] = &["description", "cover_letter", "bio", "note", "reason"];

/// Earliest date the service accepts.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => panic!("valid date"),
};

/// Latest date the service accepts.
pub const LATEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2200, 12, 31) {
    Some(date) => date,
    None => panic!("valid date"),
};

/// The sentence that documents the date range, in the OpenAPI document and in messages.
pub fn date_range_text() -> String {
    format!("between {EARLIEST_DATE} and {LATEST_DATE}")
}

/// Which characters a text may not hold: U+0000 to U+001F and U+007F, except
/// line feed, carriage return and tab in multi-line text.
pub fn is_refused_character(c: char, multi_line: bool) -> bool {
    let control = c <= '\u{1f}' || c == '\u{7f}';
    control && !(multi_line && matches!(c, '\n' | '\r' | '\t'))
}

/// The first refused character of `text`, if any.
pub fn refused_character(text: &str, multi_line: bool) -> Option<char> {
    text.chars().find(|c| is_refused_character(*c, multi_line))
}

/// A violation naming `field` when `text` holds a refused character.
pub fn check_characters(field: &str, text: &str, multi_line: bool) -> Option<Violation> {
    refused_character(text, multi_line).map(|c| {
        let id = if multi_line { "control-character-multi-line" } else { "control-character" };
        Violation::new(
            field,
            ViolationCode::ControlCharacter,
            Message::new(id).arg("found", format!("U+{:04X}", u32::from(c))),
        )
    })
}

/// Whether a field named `key` is multi-line text.
pub fn is_multi_line(key: &str) -> bool {
    MULTI_LINE_FIELDS.contains(&key)
}

/// A violation naming `field` when `date` is outside the accepted range.
pub fn check_date(field: &str, date: NaiveDate) -> Option<Violation> {
    (!(EARLIEST_DATE..=LATEST_DATE).contains(&date)).then(|| {
        Violation::new(
            field,
            ViolationCode::OutOfRange,
            Message::new("date-between")
                .arg("earliest", EARLIEST_DATE.to_string())
                .arg("latest", LATEST_DATE.to_string()),
        )
    })
}

/// Reads a date as the API writes it (`YYYY-MM-DD`, with a sign and more
/// digits for years beyond 9999); anything else is left to the field's own
/// parser to refuse.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    text.parse().ok()
}

/// Every string of a JSON document (object keys included) with a refused
/// character, named by its JSON path (`requirements[2].skill`). A string is
/// multi-line text when the key holding it, or the list holding it, is a
/// multi-line field.
pub fn check_json_characters(value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    walk(value, "", false, &mut out);
    out
}

fn walk(value: &Value, path: &str, multi_line: bool, out: &mut Vec<Violation>) {
    match value {
        Value::String(text) => {
            out.extend(check_characters(if path.is_empty() { "body" } else { path }, text, multi_line))
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{index}]"), multi_line, out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let field = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                if let Some(violation) = check_characters(&field, key, false) {
                    // The key itself is shown escaped: it is the broken thing.
                    let escaped = key.escape_default();
                    let field = if path.is_empty() { escaped.to_string() } else { format!("{path}.{escaped}") };
                    out.push(Violation {
                        field,
                        message: Message::new("the-key").arg("rule", violation.message),
                        ..violation
                    });
                    continue;
                }
                walk(item, &field, is_multi_line(key), out);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Where the dates of a request body are, as read from its schema: only the
/// branches that lead to a date are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateShape {
    /// This value is a date.
    Date,
    /// An object whose named members lead to dates.
    Object(Vec<(String, DateShape)>),
    /// A list whose items lead to dates.
    List(Box<DateShape>),
}

/// Every date of `value` found where `shape` says dates are, outside the
/// accepted range, named by its JSON path. Strings that are not dates are
/// left to the typed parser, which names them itself.
pub fn check_json_dates(value: &Value, shape: &DateShape) -> Vec<Violation> {
    let mut out = Vec::new();
    walk_dates(value, shape, "", &mut out);
    out
}

fn walk_dates(value: &Value, shape: &DateShape, path: &str, out: &mut Vec<Violation>) {
    match (shape, value) {
        (DateShape::Date, Value::String(text)) => {
            if let Some(date) = parse_date(text) {
                out.extend(check_date(if path.is_empty() { "body" } else { path }, date));
            }
        }
        (DateShape::Object(members), Value::Object(fields)) => {
            for (name, member) in members {
                if let Some(item) = fields.get(name) {
                    let field = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                    walk_dates(item, member, &field, out);
                }
            }
        }
        (DateShape::List(item_shape), Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                walk_dates(item, item_shape, &format!("{path}[{index}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_refused_except_breaks_in_multi_line_text() {
        let cases: &[(&str, bool, Option<char>)] = &[
            ("Salma Bennani", false, None),
            ("Génie informatique – 2ᵉ année", false, None),
            ("a\u{0}b", false, Some('\u{0}')),
            ("a\u{0}b", true, Some('\u{0}')),
            ("line\nbreak", false, Some('\n')),
            ("line\nbreak", true, None),
            ("tab\there", true, None),
            ("crlf\r\n", true, None),
            ("crlf\r\n", false, Some('\r')),
            ("bell\u{7}", true, Some('\u{7}')),
            ("escape\u{1b}[31m", true, Some('\u{1b}')),
            ("delete\u{7f}", false, Some('\u{7f}')),
            ("unit separator\u{1f}", false, Some('\u{1f}')),
            // C1 controls and other invisible characters are printable as far as the databases go.
            ("next line\u{85}", false, None),
            ("space\u{20}", false, None),
        ];
        for (text, multi_line, expected) in cases {
            assert_eq!(refused_character(text, *multi_line), *expected, "{text:?} multi_line={multi_line}");
        }
    }

    #[test]
    fn the_message_names_the_character() {
        let violation = check_characters("title", "x\u{0}", false);
        assert_eq!(violation.as_ref().map(|v| v.code.as_str()), Some("control_character"));
        assert!(violation.is_some_and(|v| v.field == "title" && v.message.to_string().contains("U+0000")));
    }

    #[test]
    fn json_strings_are_named_by_their_path() {
        let body = json!({
            "title": "Data",
            "description": "two\nlines",
            "requirements": [{"skill": "python"}, {"skill": "rust"}, {"skill": "s\u{0}ql"}],
            "languages": ["fr", "e\nn"],
            "bio": ["kept\tas", "multi-line"],
            "k\u{1}ey": 1,
        });
        let fields: Vec<String> = check_json_characters(&body).into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["k\\u{1}ey", "languages[1]", "requirements[2].skill"]);
        assert!(check_json_characters(&json!("a\u{0}")).iter().all(|v| v.field == "body"));
        assert!(check_json_characters(&json!({"note": "ok\r\n", "n": 1, "b": true, "x": null})).is_empty());
    }

    #[test]
    fn dates_are_bounded() {
        let cases: &[(&str, bool)] = &[
            ("1900-01-01", true),
            ("2027-02-01", true),
            ("2200-12-31", true),
            ("1899-12-31", false),
            ("2201-01-01", false),
            ("-4714-01-01", false),
            ("-262143-01-01", false),
            ("+10000-01-01", false),
        ];
        for (text, accepted) in cases {
            let date = parse_date(text);
            assert!(date.is_some(), "{text} parses");
            assert_eq!(date.and_then(|d| check_date("start_date", d)).is_none(), *accepted, "{text}");
        }
        assert_eq!(parse_date("2027-13-01"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn dates_are_found_where_the_shape_says() {
        let shape = DateShape::Object(vec![
            ("start_date".into(), DateShape::Date),
            ("terms".into(), DateShape::List(Box::new(DateShape::Object(vec![("end".into(), DateShape::Date)])))),
        ]);
        let body = json!({
            "start_date": "-4714-01-01",
            "title": "3000-01-01",
            "terms": [{"end": "2027-01-01"}, {"end": "2300-01-01"}, {"end": "not a date"}],
        });
        let fields: Vec<String> = check_json_dates(&body, &shape).into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["start_date", "terms[1].end"]);
        assert!(check_json_dates(&json!({"start_date": null}), &shape).is_empty());
        assert!(check_json_dates(&json!([1, 2]), &shape).is_empty());
    }
}
