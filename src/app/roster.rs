//! A school's roster import: CSV or JSON, all rows or none.

use crate::domain::ViolationCode;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::{policy, Caller};
use crate::domain::student::{parse_roster_row, RosterEntry, RosterRow, ROSTER_COLUMNS};
use crate::domain::Violation;
use crate::error::ApiError;
use crate::store::{reference, roster};

/// A roster sent as JSON.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterUpload {
    #[schema(example = json!([{"student_number": "ECC-2027-0042", "first_name": "Salma", "last_name": "Bennani", "email": "salma.bennani@ecc.example.org", "programme": "Génie informatique", "degree_level": "bac+5", "graduation_year": "2027"}]))]
    pub rows: Vec<RosterRow>,
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
}

/// Parses a CSV roster; each row keeps its line number (the header is line 1).
fn parse_csv(body: &[u8]) -> Result<Vec<(usize, RosterRow)>, ApiError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(body);
    let headers = reader.headers().map_err(|e| ApiError::BadRequest(format!("unreadable CSV header: {e}")))?.clone();
    let missing = ROSTER_COLUMNS.iter().filter(|column| !headers.iter().any(|h| h == **column)).map(|column| {
        Violation::new(
            format!("header.{column}"),
            ViolationCode::Required,
            format!("line 1: the {column} column is missing"),
        )
    });
    let unknown = headers.iter().filter(|h| !ROSTER_COLUMNS.contains(h)).map(|column| {
        let shown = column.escape_default();
        Violation::new(
            format!("header.{shown}"),
            ViolationCode::UnknownColumn,
            format!("line 1: {}", unknown_column(&shown)),
        )
    });
    ApiError::check(missing.chain(unknown).collect())?;
    reader
        .deserialize::<RosterRow>()
        .enumerate()
        .map(|(index, row)| {
            let line = index + 2;
            row.map(|row| (line, row)).map_err(|e| {
                ApiError::Validation(vec![Violation::new(
                    format!("line {line}"),
                    ViolationCode::Unreadable,
                    format!("line {line}: {e}"),
                )])
            })
        })
        .collect()
}

fn unknown_column(column: &impl std::fmt::Display) -> String {
    format!("unknown column {column}; the columns are {}", ROSTER_COLUMNS.join(", "))
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
    let upload: Upload =
        serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("malformed JSON body: {e}")))?;
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
                    format!("line {line}: {}", unknown_column(&shown)),
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
                format!("line {line}: {e}"),
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
                        format!("line {line}: student number {} appears twice", entry.student_number),
                    ));
                }
                match emails.get(&entry.email) {
                    Some(owner) if *owner != entry.student_number => violations.push(Violation::new(
                        format!("line {line}.email"),
                        ViolationCode::Duplicate,
                        format!("line {line}: {} belongs to student {owner}", entry.email),
                    )),
                    _ => {
                        emails.insert(entry.email.clone(), entry.student_number.clone());
                    }
                }
                entries.push(entry);
            }
            Err(found) => violations.extend(found.into_iter().map(|v| {
                Violation::new(
                    format!("line {line}.{}", v.field),
                    v.code,
                    format!("line {line}: {}: {}", v.field, v.message),
                )
            })),
        }
    }
    ApiError::check(violations)?;
    Ok(entries)
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
    Err(ApiError::conflict(format!(
        "nothing imported: the new e-mail of an activated student is the sign-in e-mail of another account: {}",
        taken.join(", ")
    )))
}

/// How the roster was sent, from its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    Csv,
    Json,
    /// Neither: refused with 415 once the caller is known to be allowed.
    Other,
}

/// Imports or updates a school's roster: every row is checked first, and
/// either all are imported or none. An activated student's changed e-mail
/// becomes their sign-in e-mail in the same transaction, unless another
/// account holds it (409).
pub async fn import_roster(
    state: &AppState,
    caller: Caller,
    school_id: i64,
    format: RosterFormat,
    body: &[u8],
) -> Result<RosterImport, ApiError> {
    if !policy::can_manage_roster(&caller, school_id) {
        return Err(ApiError::Forbidden("only this school's staff may manage its roster".into()));
    }
    let rows = match format {
        RosterFormat::Csv => parse_csv(body)?,
        RosterFormat::Json => parse_json(body)?,
        RosterFormat::Other => {
            return Err(ApiError::UnsupportedMediaType("send the roster as text/csv or application/json".into()))
        }
    };
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
    Ok(RosterImport { rows: count, created: outcome.created, updated: outcome.updated })
}
