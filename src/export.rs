//! The forms a report is exported in: which one a caller asked for (content
//! negotiation on `Accept`), the CSV writer every CSV export goes through and
//! the workbook writer every `.xlsx` export goes through. No I/O: files are
//! built in memory.

/// Media type of the JSON form of every report.
pub const APPLICATION_JSON: &str = "application/json";

/// Media type of the CSV form of every report, as asked in `Accept`.
pub const TEXT_CSV: &str = "text/csv";

/// The forms a report answers in, the server's preference first: JSON wins
/// every tie, then CSV.
pub const REPORT_FORMS: [&str; 3] = [APPLICATION_JSON, TEXT_CSV, XLSX];

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

/// The `Content-Type` of every CSV answer.
pub const TEXT_CSV_UTF8: &str = "text/csv; charset=utf-8";

/// Media type of the workbook form of every report and of the roster template.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An Excel workbook as the document describes it: bytes, not an array.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Workbook(pub Vec<u8>);

/// Media type of the agreement document.
pub const PDF: &str = "application/pdf";

/// A PDF as the document describes it: bytes, not an array.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PdfFile(pub Vec<u8>);

/// Decimals a ratio keeps in CSV: enough to tell rates apart, few enough to read.
pub const CSV_RATIO_DECIMALS: usize = 4;

/// One cell of an export. Text is neutralised against formula injection;
/// numbers are written as they are, so that a negative figure stays a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Free text (a name, a label, a code): anything a person typed.
    Text(String),
    /// A figure, written by the report itself.
    Number(String),
    /// A share between 0 and 1 (a placement rate): rounded in CSV, a
    /// percentage in a workbook.
    Share(f64),
    /// A quotient of two figures (demand over supply): rounded in CSV.
    Ratio(f64),
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

    /// A share that may be absent.
    pub fn share(value: Option<f64>) -> Self {
        value.map_or(Cell::Empty, Cell::Share)
    }

    /// A ratio that may be absent.
    pub fn ratio(value: Option<f64>) -> Self {
        value.map_or(Cell::Empty, Cell::Ratio)
    }

    /// The text written to a CSV file of `dialect`: the Excel dialect writes
    /// figures with a decimal comma (`0,25`), as a French Excel reads them.
    pub fn written_in(&self, dialect: CsvDialect) -> std::borrow::Cow<'_, str> {
        let standard = self.written();
        match (dialect, self) {
            (CsvDialect::Excel, Cell::Number(_) | Cell::Share(_) | Cell::Ratio(_)) => standard.replace('.', ",").into(),
            _ => standard,
        }
    }

    /// The text written to a standard CSV file.
    pub fn written(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(text) => neutralised(text),
            Cell::Number(number) => number.into(),
            Cell::Share(value) | Cell::Ratio(value) => rounded(*value).into(),
            Cell::Empty => "".into(),
        }
    }
}

/// `value` with at most [`CSV_RATIO_DECIMALS`] decimals, trailing zeros dropped
/// (`0.25`, `0.3333`, `1`).
fn rounded(value: f64) -> String {
    let fixed = format!("{value:.CSV_RATIO_DECIMALS$}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".into()
    } else {
        trimmed.into()
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

/// The `Content-Disposition` value that makes a browser save the answer as
/// `stem.extension`; the stem keeps letters, digits, `-` and `_` only (every
/// other character becomes `-`), so that no quote or path reaches the header.
pub fn attachment(stem: &str, extension: &str) -> String {
    let safe: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    format!("attachment; filename=\"{safe}.{extension}\"")
}

/// How a CSV file is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CsvDialect {
    /// RFC 4180 as most tools read it: UTF-8, `,`, LF.
    #[default]
    Standard,
    /// What a French Excel opens by double-click with accents and columns
    /// intact: a UTF-8 byte order mark, `;`, CRLF.
    Excel,
}

/// A CSV file in the standard dialect.
pub fn csv(header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    csv_in(CsvDialect::Standard, header, rows)
}

/// A CSV file: one header row, then the rows, every cell through [`Cell::written`].
pub fn csv_in(dialect: CsvDialect, header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, csv::Error> {
    let mut builder = csv::WriterBuilder::new();
    let mut out = Vec::new();
    if dialect == CsvDialect::Excel {
        builder.delimiter(b';').terminator(csv::Terminator::CRLF);
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut writer = builder.from_writer(out);
    writer.write_record(header.iter().map(|h| neutralised(h)).collect::<Vec<_>>().iter().map(|h| h.as_ref()))?;
    for row in rows {
        writer
            .write_record(row.iter().map(|c| c.written_in(dialect)).collect::<Vec<_>>().iter().map(|c| c.as_ref()))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A column chart of one column of a sheet, one bar per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOf {
    /// Title above the chart.
    pub title: String,
    /// The columns naming each bar (several make nested labels: school, then period).
    pub label_columns: std::ops::Range<u16>,
    /// Index of the column the bars show.
    pub value_column: u16,
}

/// An `.xlsx` workbook of one sheet: a bold, frozen header row with a filter,
/// text neutralised as in CSV, figures as numbers, shares as percentages, and
/// optionally a chart beside the table.
pub fn xlsx(
    sheet_name: &str,
    header: &[&str],
    rows: &[Vec<Cell>],
    chart: Option<&ChartOf>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Chart, ChartType, Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("D9E1F2");
    let percent = Format::new().set_num_format("0.0%");
    let ratio = Format::new().set_num_format("0.00");
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (column, name) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, column, neutralised(name), &bold)?;
        sheet.set_column_width(column, (name.chars().count() + 2).clamp(10, 40) as f64)?;
    }
    for (line, row) in (1u32..).zip(rows) {
        for (column, cell) in (0u16..).zip(row) {
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(line, column, neutralised(text))?;
                }
                Cell::Number(number) => match number.parse::<f64>() {
                    Ok(value) => {
                        sheet.write_number(line, column, value)?;
                    }
                    Err(_) => {
                        sheet.write_string(line, column, number.as_str())?;
                    }
                },
                Cell::Share(value) => {
                    sheet.write_number_with_format(line, column, *value, &percent)?;
                }
                Cell::Ratio(value) => {
                    sheet.write_number_with_format(line, column, *value, &ratio)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_column = header.len().saturating_sub(1) as u16;
    let last_line = rows.len() as u32;
    if last_line > 0 {
        sheet.autofilter(0, 0, last_line, last_column)?;
    }
    if let Some(of) = chart.filter(|_| last_line > 0) {
        let mut bars = Chart::new(ChartType::Column);
        bars.title().set_name(&of.title);
        bars.add_series()
            .set_name((sheet_name, 0, of.value_column))
            .set_categories((
                sheet_name,
                1,
                of.label_columns.start,
                last_line,
                of.label_columns.end.saturating_sub(1).max(of.label_columns.start),
            ))
            .set_values((sheet_name, 1, of.value_column, last_line, of.value_column));
        bars.y_axis().set_num_format("0%");
        bars.legend().set_hidden();
        sheet.insert_chart(1, last_column + 2, &bars)?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_name_keeps_only_safe_characters() {
        let cases = [
            ("placement-stats-ECC-2027", "csv", "attachment; filename=\"placement-stats-ECC-2027.csv\""),
            ("roster-template-ENSA_M", "xlsx", "attachment; filename=\"roster-template-ENSA_M.xlsx\""),
            ("a\"b/c\\d é", "csv", "attachment; filename=\"a-b-c-d--.csv\""),
        ];
        for (stem, extension, expected) in cases {
            assert_eq!(attachment(stem, extension), expected, "{stem}");
        }
    }

    #[test]
    fn ratios_are_rounded_to_four_decimals_and_the_excel_dialect_writes_a_decimal_comma() {
        let cases = [
            (Cell::Share(0.25), "0.25", "0,25"),
            (Cell::Share(1.0 / 3.0), "0.3333", "0,3333"),
            (Cell::Ratio(2.0 / 3.0), "0.6667", "0,6667"),
            (Cell::Ratio(3.0), "3", "3"),
            (Cell::Share(0.0), "0", "0"),
            (Cell::Ratio(-0.00001), "0", "0"),
            (Cell::number(-1.5), "-1.5", "-1,5"),
            (Cell::text("3.5"), "3.5", "3.5"),
        ];
        for (cell, standard, excel) in cases {
            assert_eq!(cell.written_in(CsvDialect::Standard), standard, "{cell:?}");
            assert_eq!(cell.written_in(CsvDialect::Excel), excel, "{cell:?}");
        }
    }

    #[test]
    fn the_excel_dialect_has_a_bom_semicolons_and_crlf() {
        let rows = vec![vec![Cell::text("École; centrale"), Cell::Share(0.5)]];
        let file = csv_in(CsvDialect::Excel, &["school", "rate"], &rows).unwrap();
        assert_eq!(file, "\u{feff}school;rate\r\n\"École; centrale\";0,5\r\n".as_bytes());
    }

    #[test]
    fn a_workbook_neutralises_text_and_keeps_figures_as_numbers() {
        use calamine::Reader;
        let rows = vec![vec![Cell::text("=HYPERLINK(1)"), Cell::number(3), Cell::Share(0.25), Cell::Empty]];
        let chart = ChartOf { title: "Placement rate".into(), label_columns: 0..1, value_column: 2 };
        let file = xlsx("stats", &["group", "placed", "rate", "median"], &rows, Some(&chart)).unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(file)).unwrap();
        let sheet = book.worksheet_range("stats").unwrap();
        assert_eq!(sheet.get_value((1, 0)), Some(&calamine::Data::String("'=HYPERLINK(1)".into())));
        assert_eq!(sheet.get_value((1, 1)), Some(&calamine::Data::Float(3.0)));
        assert_eq!(sheet.get_value((1, 2)), Some(&calamine::Data::Float(0.25)));
        assert!(book.worksheet_formula("stats").unwrap().used_cells().next().is_none(), "no formula");
    }

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
