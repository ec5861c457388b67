//! A school's roster import: CSV (UTF-8 or Windows-1252, `,` or `;`), JSON
//! or an Excel workbook, all rows or none; and the template to fill in.

use crate::domain::ViolationCode;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::{policy, Caller};
use crate::domain::student::{parse_roster_row, RosterEntry, RosterRow, ROSTER_COLUMNS};
use crate::domain::{Message, Violation};
use crate::error::ApiError;
use crate::export;
use crate::store::{reference, roster};

/// A roster sent as JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterUpload {
    #[schema(example = json!([{"student_number": "ECC-2027-0042", "first_name": "Salma", "last_name": "Bennani", "email": "salma.bennani@ecc.example.org", "programme": "Génie informatique", "degree_level": "bac+5", "graduation_year": "2027"}]))]
    pub rows: Vec<RosterRow>,
}

/// How a roster file was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RosterFormat {
    /// `text/csv`.
    Csv,
    /// `application/json`, `{"rows": [...]}`.
    Json,
    /// An Excel workbook (`.xlsx`); the first sheet is read.
    Xlsx,
}

/// The character encoding a CSV roster was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum RosterEncoding {
    /// UTF-8 without a byte order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 behind a byte order mark, as Excel writes "CSV UTF-8".
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// Windows-1252, as a French Excel writes "CSV (séparateur : point-virgule)";
    /// assumed whenever the bytes are not UTF-8.
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// The cell separator of a CSV roster, found on its header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RosterSeparator {
    /// `,`
    Comma,
    /// `;`, as spreadsheets write CSV where the comma is the decimal mark.
    Semicolon,
}

impl RosterSeparator {
    fn byte(self) -> u8 {
        match self {
            RosterSeparator::Comma => b',',
            RosterSeparator::Semicolon => b';',
        }
    }
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterImport {
    /// Rows received.
    #[schema(example = 2)]
    pub rows: usize,
    /// Students added to the roster.
    #[schema(example = 1)]
    pub created: usize,
    /// Students already on the roster (same student number), updated.
    #[schema(example = 1)]
    pub updated: usize,
    /// How the roster was sent.
    pub format: RosterFormat,
    /// The encoding the CSV was read in; null for JSON and workbooks.
    pub encoding: Option<RosterEncoding>,
    /// The separator the CSV was read with; null for JSON and workbooks.
    pub separator: Option<RosterSeparator>,
}

/// The text of a CSV file and the encoding it was read in: UTF-8 (a leading
/// byte order mark dropped), or Windows-1252 when the bytes are not UTF-8,
/// which is what a French Excel writes and which decodes any byte sequence.
fn decode(body: &[u8]) -> (std::borrow::Cow<'_, str>, RosterEncoding) {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let (bytes, with_bom) = match body.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.into(), if with_bom { RosterEncoding::Utf8Bom } else { RosterEncoding::Utf8 }),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(body).0, RosterEncoding::Windows1252),
    }
}

/// The separator of the header line: `;` when it holds more semicolons than
/// commas (no column name holds either), `,` otherwise.
fn separator_of(text: &str) -> RosterSeparator {
    let header = text.lines().next().unwrap_or_default();
    let count = |c: char| header.chars().filter(|&h| h == c).count();
    if count(';') > count(',') {
        RosterSeparator::Semicolon
    } else {
        RosterSeparator::Comma
    }
}

/// Roster rows, each with its line in the file.
type Lines = Vec<(usize, RosterRow)>;

/// Checks the header names exactly the seven columns.
fn check_header(headers: &csv::StringRecord) -> Result<(), ApiError> {
    let missing = ROSTER_COLUMNS.iter().filter(|column| !headers.iter().any(|h| h == **column)).map(|column| {
        Violation::new(
            format!("header.{column}"),
            ViolationCode::Required,
            Message::new("roster-column-missing").arg("column", *column),
        )
    });
    let unknown = headers.iter().filter(|h| !ROSTER_COLUMNS.contains(h)).map(|column| {
        let shown = column.escape_default();
        Violation::new(format!("header.{shown}"), ViolationCode::UnknownColumn, unknown_column(1, shown.to_string()))
    });
    ApiError::check(missing.chain(unknown).collect())
}

/// Reads the records under a header (line 1) as rows; each record comes with
/// its line number.
fn rows_of(
    headers: &csv::StringRecord,
    records: impl Iterator<Item = (usize, Result<csv::StringRecord, csv::Error>)>,
) -> Result<Vec<(usize, RosterRow)>, ApiError> {
    check_header(headers)?;
    records
        .map(|(line, record)| {
            record.and_then(|record| record.deserialize::<RosterRow>(Some(headers))).map(|row| (line, row)).map_err(
                |e| {
                    ApiError::Validation(vec![Violation::new(
                        format!("line {line}"),
                        ViolationCode::Unreadable,
                        Message::new("roster-line").arg("line", line).arg("reason", unreadable(&e)),
                    )])
                },
            )
        })
        .collect()
}

/// Why a CSV line cannot be read, in the file's terms rather than the parser's.
fn unreadable(error: &csv::Error) -> Message {
    match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            Message::new("roster-cell-count").arg("len", *len).arg("expected", *expected_len)
        }
        _ => Message::new("roster-line-not-csv"),
    }
}

/// A CSV roster, its encoding and separator; each row keeps its line number
/// (the header is line 1).
fn parse_csv(body: &[u8]) -> Result<(Lines, RosterEncoding, RosterSeparator), ApiError> {
    let (text, encoding) = decode(body);
    let separator = separator_of(&text);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(separator.byte()).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::BadRequest(Message::new("roster-unreadable-header").arg("reason", unreadable(&e))))?
        .clone();
    let records = reader.records().enumerate().map(|(index, record)| (index + 2, record));
    Ok((rows_of(&headers, records)?, encoding, separator))
}

/// An `.xlsx` roster: the first sheet, its first row the header. Numbers are
/// written as Excel shows them (a year typed as 2027 reads `2027`); a row's
/// line is its row number in the sheet, as Excel shows it.
fn parse_xlsx(body: &[u8]) -> Result<Vec<(usize, RosterRow)>, ApiError> {
    use calamine::Reader;
    let unreadable = || ApiError::BadRequest(crate::domain::Message::new("the-body-is-not-a-readable-xlsx-workbook"));
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(body)).map_err(|_| unreadable())?;
    let sheet = workbook.worksheet_range_at(0).ok_or_else(unreadable)?.map_err(|_| unreadable())?;
    // The range starts at the first cell used; rows above it are blank.
    let first_line = sheet.start().map_or(1, |(row, _)| row as usize + 1);
    let mut lines = sheet.rows().zip(first_line..).map(|(cells, line)| {
        let cells: Vec<String> = cells.iter().map(|cell| cell.to_string().trim().to_owned()).collect();
        (line, csv::StringRecord::from(cells))
    });
    let headers = lines.next().map(|(_, header)| header).unwrap_or_default();
    // A row left blank in the sheet is no student.
    let records = lines.filter(|(_, record)| record.iter().any(|cell| !cell.is_empty())).map(|(line, r)| (line, Ok(r)));
    rows_of(&headers, records)
}

/// Line `line` names a column the roster does not have.
fn unknown_column(line: usize, column: String) -> Message {
    Message::new("roster-unknown-column")
        .arg("line", line)
        .arg("column", column)
        .arg("columns", ROSTER_COLUMNS.join(", "))
}

/// Parses a JSON roster (`{"rows": [...]}`); row `i` is reported as line
/// `i + 2`, as if the rows were a CSV file under its header, and a key that is
/// not a column is refused by name.
fn parse_json(body: &[u8]) -> Result<Vec<(usize, RosterRow)>, ApiError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Upload {
        rows: Vec<serde_json::Map<String, serde_json::Value>>,
    }
    // The parser's own words (`expected value at line 1 column 2`) are not
    // for people: the reason is said in the caller's language.
    let upload: Upload = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::Validation(vec![Violation::new(
                "rows",
                ViolationCode::Invalid,
                Message::new("roster-json-shape"),
            )])
        } else if e.is_eof() {
            ApiError::BadRequest(Message::new("the-body-is-not-valid-json-it-ends-too"))
        } else {
            ApiError::BadRequest(Message::new("body-not-valid-json-at").arg("line", e.line()).arg("column", e.column()))
        }
    })?;
    let mut violations = Vec::new();
    let mut rows = Vec::with_capacity(upload.rows.len());
    for (index, cells) in upload.rows.into_iter().enumerate() {
        let line = index + 2;
        let unknown: Vec<Violation> = cells
            .keys()
            .filter(|key| !ROSTER_COLUMNS.contains(&key.as_str()))
            .map(|key| {
                let shown = key.escape_default();
                Violation::new(
                    format!("line {line}.{shown}"),
                    ViolationCode::UnknownColumn,
                    unknown_column(line, shown.to_string()),
                )
            })
            .collect();
        if !unknown.is_empty() {
            violations.extend(unknown);
            continue;
        }
        match serde_json::from_value::<RosterRow>(serde_json::Value::Object(cells)) {
            Ok(row) => rows.push((line, row)),
            Err(e) => violations.push(Violation::new(
                format!("line {line}"),
                ViolationCode::Unreadable,
                Message::new("roster-line").arg("line", line).arg("reason", e.to_string()),
            )),
        }
    }
    ApiError::check(violations)?;
    Ok(rows)
}

/// Checks every row, the uniqueness of student numbers and e-mails in the file
/// and against the roster already stored.
fn check_rows(
    rows: Vec<(usize, RosterRow)>,
    existing: &HashMap<String, roster::RosterStudent>,
) -> Result<Vec<RosterEntry>, ApiError> {
    let mut violations = Vec::new();
    let mut entries = Vec::with_capacity(rows.len());
    let mut numbers = HashSet::new();
    let mut emails: HashMap<String, String> =
        existing.iter().map(|(number, known)| (known.email.clone(), number.clone())).collect();
    for (line, row) in rows {
        match parse_roster_row(&row) {
            Ok(entry) => {
                if !numbers.insert(entry.student_number.clone()) {
                    violations.push(Violation::new(
                        format!("line {line}.student_number"),
                        ViolationCode::Duplicate,
                        cell(line, "student_number", &entry.student_number, Message::new("roster-appears-twice")),
                    ));
                }
                match emails.get(&entry.email) {
                    Some(owner) if *owner != entry.student_number => violations.push(Violation::new(
                        format!("line {line}.email"),
                        ViolationCode::Duplicate,
                        cell(line, "email", &entry.email, Message::new("roster-email-of-student").arg("owner", owner)),
                    )),
                    _ => {
                        emails.insert(entry.email.clone(), entry.student_number.clone());
                    }
                }
                entries.push(entry);
            }
            Err(found) => violations.extend(found.into_iter().map(|v| {
                let value = shown_value(&row, &v.field);
                Violation::new(format!("line {line}.{}", v.field), v.code, cell(line, &v.field, &value, v.message))
            })),
        }
    }
    ApiError::check(violations)?;
    Ok(entries)
}

/// What is wrong with the cell of `column` on line `line`, quoting `value`.
fn cell(line: usize, column: &str, value: &str, reason: Message) -> Message {
    Message::new("roster-cell").arg("line", line).arg("column", column).arg("value", value).arg("reason", reason)
}

/// The cell of `column` as an error message shows it: control characters
/// escaped, and cut after 40 characters.
fn shown_value(row: &RosterRow, column: &str) -> String {
    let cell = match column {
        "student_number" => &row.student_number,
        "first_name" => &row.first_name,
        "last_name" => &row.last_name,
        "email" => &row.email,
        "programme" => &row.programme,
        "degree_level" => &row.degree_level,
        "graduation_year" => &row.graduation_year,
        _ => return String::new(),
    };
    let shown: String = cell.chars().take(40).flat_map(char::escape_debug).collect();
    if cell.chars().count() > 40 {
        format!("{shown}…")
    } else {
        shown
    }
}

/// Refuses the import when a changed e-mail of an activated student already
/// signs in another account: the roster e-mail is the student's sign-in e-mail.
fn refuse_taken_emails(
    conn: &mut crate::db::DbConnection,
    entries: &[RosterEntry],
    existing: &HashMap<String, roster::RosterStudent>,
) -> Result<(), ApiError> {
    let changed: Vec<(i64, String)> = entries
        .iter()
        .filter_map(|entry| {
            let known = existing.get(&entry.student_number)?;
            (known.email != entry.email).then_some((known.account_id?, entry.email.clone()))
        })
        .collect();
    let taken = roster::emails_of_other_accounts(conn, &changed)?;
    if taken.is_empty() {
        return Ok(());
    }
    Err(ApiError::conflict(Message::new("roster-emails-taken").arg("emails", taken.join(", "))))
}

/// Imports or updates a school's roster: every row is checked first, and
/// either all are imported or none. An activated student's changed e-mail
/// becomes their sign-in e-mail in the same transaction, unless another
/// account holds it (409).
pub async fn import_roster(
    state: &AppState,
    caller: Caller,
    school_id: i64,
    format: Option<RosterFormat>,
    body: &[u8],
) -> Result<RosterImport, ApiError> {
    if !policy::can_manage_roster(&caller, school_id) {
        return Err(ApiError::Forbidden(crate::domain::Message::new("only-this-school-s-staff-may-manage-its-roster")));
    }
    let (rows, encoding, separator) = match format {
        Some(RosterFormat::Csv) => {
            let (rows, encoding, separator) = parse_csv(body)?;
            (rows, Some(encoding), Some(separator))
        }
        Some(RosterFormat::Json) => (parse_json(body)?, None, None),
        Some(RosterFormat::Xlsx) => (parse_xlsx(body)?, None, None),
        None => {
            return Err(ApiError::UnsupportedMediaType(Message::new("roster-media-types").arg("xlsx", export::XLSX)))
        }
    };
    let format = format.unwrap_or(RosterFormat::Json);
    let count = rows.len();
    let outcome = crate::db::run(&state.pool, move |conn| {
        reference::find_school(conn, school_id)?.ok_or_else(|| ApiError::not_found("school"))?;
        crate::db::write_transaction(conn, |conn| {
            let existing = roster::existing_entries(conn, school_id)?;
            let entries = check_rows(rows, &existing)?;
            refuse_taken_emails(conn, &entries, &existing)?;
            Ok(roster::import(conn, school_id, &entries, &existing)?)
        })
    })
    .await?;
    Ok(RosterImport { rows: count, created: outcome.created, updated: outcome.updated, format, encoding, separator })
}

/// The forms the roster template comes in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TemplateFormat {
    /// CSV as a French Excel opens it: UTF-8 with a byte order mark, `;`, CRLF.
    #[default]
    Csv,
    /// An Excel workbook (`.xlsx`).
    Xlsx,
}

/// Parameters of the roster template.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RosterTemplateQuery {
    /// The form of the file; `csv` when absent.
    #[param(example = "xlsx", inline)]
    pub format: Option<TemplateFormat>,
}

/// A file to download.
#[derive(Debug)]
pub struct Download {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// The `Content-Disposition` header.
    pub disposition: String,
}

/// The header line of a roster, as a file to fill in: what the importer
/// reads back unchanged. No example row, which would be imported as a student.
pub async fn roster_template(
    state: &AppState,
    caller: Caller,
    school_id: i64,
    query: RosterTemplateQuery,
) -> Result<Download, ApiError> {
    if !policy::can_manage_roster(&caller, school_id) {
        return Err(ApiError::Forbidden(crate::domain::Message::new("only-this-school-s-staff-may-manage-its-roster")));
    }
    let school = crate::db::run(&state.pool, move |conn| Ok(reference::find_school(conn, school_id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("school"))?;
    let stem = format!("roster-template-{}", school.code);
    let internal = |e: &dyn std::fmt::Display| ApiError::Internal(anyhow::anyhow!("roster template: {e}"));
    Ok(match query.format.unwrap_or_default() {
        TemplateFormat::Csv => Download {
            body: export::csv_in(export::CsvDialect::Excel, &ROSTER_COLUMNS, &[]).map_err(|e| internal(&e))?,
            content_type: export::TEXT_CSV_UTF8,
            disposition: export::attachment(&stem, "csv"),
        },
        TemplateFormat::Xlsx => Download {
            body: export::xlsx("roster", &ROSTER_COLUMNS, &[], None).map_err(|e| internal(&e))?,
            content_type: export::XLSX,
            disposition: export::attachment(&stem, "xlsx"),
        },
    })
}
