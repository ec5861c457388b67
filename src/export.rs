//! The forms a report is exported in: which one a caller asked for (content
//! negotiation on `Accept`) and the CSV writer every CSV export goes through.
//! No I/O.

/// Media type of the JSON form of every report.
pub const APPLICATION_JSON: &str = "application/json";

/// Media type of the CSV form of every report, as asked in `Accept`.
pub const TEXT_CSV: &str = "text/csv";

/// The forms a report answers in, the server's preference first: JSON wins
/// every tie.
pub const REPORT_FORMS: [&str; 2] = [APPLICATION_JSON, TEXT_CSV];

/// The quality (0 to 1000, RFC 9110 `qvalue` × 1000) of one `Accept` element,
/// or `None` when its weight is not a valid qvalue (the element is then
/// ignored, as one the server does not understand).
fn quality(params: &mut dyn Iterator<Item = &str>) -> Option<u16> {
    for param in params {
        let Some((name, value)) = param.split_once('=') else { continue };
        if !name.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        let value = value.trim();
        let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
        if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
        return match whole {
            "0" => Some(thousandths),
            "1" if thousandths == 0 => Some(1000),
            _ => None,
        };
    }
    Some(1000)
}

/// How specifically a media range names `offered`: 2 for the exact type,
/// 1 for `type/*`, 0 for `*/*`; `None` when it does not match.
fn specificity(range: &str, offered: &str) -> Option<u8> {
    let (kind, sub) = range.split_once('/')?;
    let (offered_kind, offered_sub) = offered.split_once('/')?;
    match (kind.trim(), sub.trim()) {
        ("*", "*") => Some(0),
        (k, "*") if k.eq_ignore_ascii_case(offered_kind) => Some(1),
        (k, s) if k.eq_ignore_ascii_case(offered_kind) && s.eq_ignore_ascii_case(offered_sub) => Some(2),
        _ => None,
    }
}

/// The form to answer in (RFC 9110 §12.5.1): each offered form takes the
/// quality of the most specific media range of `accept` that matches it
/// (`text/csv` before `text/*` before `*/*`); the highest quality wins, a
/// quality of 0 refuses the form, and ties go to the order of `offered`.
/// Without an `Accept` header, or when it accepts none of the forms, the
/// first offered form: the header may then be disregarded, and a report is
/// more use than a 406.
pub fn negotiate<'a>(accept: Option<&str>, offered: &[&'a str]) -> Option<&'a str> {
    let first = offered.first().copied();
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else { return first };
    let ranges: Vec<(&str, Option<u16>)> = accept
        .split(',')
        .filter_map(|element| {
            let mut parts = element.split(';');
            let range = parts.next()?.trim();
            (!range.is_empty()).then(|| (range, quality(&mut parts)))
        })
        .collect();
    let mut best: Option<(&str, u16)> = None;
    for &form in offered {
        let matched = ranges
            .iter()
            .filter_map(|&(range, q)| Some((specificity(range, form)?, q?)))
            .max_by_key(|&(specificity, _)| specificity);
        if let Some((_, q)) = matched.filter(|&(_, q)| q > 0) {
            if best.is_none_or(|(_, top)| q > top) {
                best = Some((form, q));
            }
        }
    }
    best.map(|(form, _)| form).or(first)
}

/// One cell of a CSV export. Text is neutralised against formula injection;
/// numbers are written as they are, so that a negative figure stays a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Free text (a name, a label, a code): anything a person typed.
    Text(String),
    /// A figure, written by the report itself.
    Number(String),
    /// A withheld or absent figure.
    Empty,
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Cell::Text(value.into())
    }

    pub fn number(value: impl ToString) -> Self {
        Cell::Number(value.to_string())
    }

    /// A figure that may be absent (withheld, or undefined like a rate of nobody).
    pub fn figure<T: ToString>(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, |v| Cell::number(v))
    }

    /// The text written to the file.
    pub fn written(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(text) => neutralised(text),
            Cell::Number(number) => number.into(),
            Cell::Empty => "".into(),
        }
    }
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP, CSV
/// injection): `=`, `+`, `-`, `@`, and tab or carriage return, which some
/// spreadsheets skip before looking for them.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` prefixed with a single quote when a spreadsheet would read it as a
/// formula; the quote makes it plain text and shows what was there.
pub fn neutralised(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A CSV file: one header row, then the rows, every cell through [`Cell::written`].
pub fn csv(header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header.iter().map(|h| neutralised(h)).collect::<Vec<_>>().iter().map(|h| h.as_ref()))?;
    for row in rows {
        writer.write_record(row.iter().map(Cell::written).collect::<Vec<_>>().iter().map(|c| c.as_ref()))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_quality_wins_and_json_wins_ties() {
        let cases: [(Option<&str>, &str); 18] = [
            (None, APPLICATION_JSON),
            (Some(""), APPLICATION_JSON),
            (Some("text/csv"), TEXT_CSV),
            (Some("TEXT/CSV"), TEXT_CSV),
            (Some("application/json, text/csv;q=0.1"), APPLICATION_JSON),
            (Some("application/json;q=0.1, text/csv"), TEXT_CSV),
            (Some("text/csv, application/json"), APPLICATION_JSON),
            (Some("text/csv;q=0.5, application/json;q=0.5"), APPLICATION_JSON),
            (Some("application/json;q=0, text/csv;q=0.001"), TEXT_CSV),
            (Some("*/*"), APPLICATION_JSON),
            (Some("*/*;q=0.1, text/csv"), TEXT_CSV),
            (Some("text/*"), TEXT_CSV),
            (Some("text/*;q=0.9, application/*;q=0.8"), TEXT_CSV),
            // The most specific range decides: text/csv refused although */* is welcome.
            (Some("*/*, text/csv;q=0"), APPLICATION_JSON),
            (Some("*/*;q=0.2, application/json;q=0"), TEXT_CSV),
            (Some("text/csv; charset=utf-8; q=0.7, application/json; q=0.6"), TEXT_CSV),
            // Nothing acceptable, or nonsense: the header is disregarded.
            (Some("text/html"), APPLICATION_JSON),
            (Some("application/json;q=0, text/csv;q=0"), APPLICATION_JSON),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept, &REPORT_FORMS), Some(expected), "{accept:?}");
        }
    }

    #[test]
    fn an_invalid_weight_ignores_its_element() {
        for accept in ["text/csv;q=2", "text/csv;q=0.1234", "text/csv;q=abc", "text/csv;q=-1", "text/csv;q=1.5"] {
            assert_eq!(negotiate(Some(accept), &REPORT_FORMS), Some(APPLICATION_JSON), "{accept}");
        }
        assert_eq!(negotiate(Some("text/csv;q=1.000"), &REPORT_FORMS), Some(TEXT_CSV));
        assert_eq!(negotiate(Some("text/csv;q=0."), &REPORT_FORMS), Some(APPLICATION_JSON));
        assert_eq!(negotiate(Some("text/csv;q=1."), &REPORT_FORMS), Some(TEXT_CSV));
        assert_eq!(negotiate(Some("nonsense, ,;q=1"), &REPORT_FORMS), Some(APPLICATION_JSON));
        assert_eq!(negotiate(Some("text/csv"), &[]), None);
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_quoted() {
        let cases = [
            ("=HYPERLINK(\"http://evil.example\",\"Rapport\")", "'=HYPERLINK(\"http://evil.example\",\"Rapport\")"),
            ("+33 6", "'+33 6"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("Data Science", "Data Science"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("'quoted", "'quoted"),
            ("", ""),
        ];
        for (text, expected) in cases {
            assert_eq!(Cell::text(text).written(), expected, "{text:?}");
        }
    }

    #[test]
    fn numbers_and_empty_cells_are_written_as_they_are() {
        let cases = [
            (Cell::number(-3), "-3"),
            (Cell::number(-0.25), "-0.25"),
            (Cell::number(12), "12"),
            (Cell::figure(Some(0.2)), "0.2"),
            (Cell::figure(None::<u32>), ""),
            (Cell::Empty, ""),
        ];
        for (cell, expected) in cases {
            assert_eq!(cell.written(), expected, "{cell:?}");
        }
    }

    #[test]
    fn a_file_quotes_what_csv_needs_and_neutralises_text() {
        let rows = vec![
            vec![Cell::text("=1+1"), Cell::number(-1), Cell::Empty],
            vec![Cell::text("a,b"), Cell::number(2), Cell::text("say \"hi\"")],
        ];
        let file = String::from_utf8(csv(&["name", "figure", "note"], &rows).unwrap()).unwrap();
        assert_eq!(file, "name,figure,note\n'=1+1,-1,\n\"a,b\",2,\"say \"\"hi\"\"\"\n");
    }
}
