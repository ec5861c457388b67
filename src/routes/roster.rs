//! A school's roster import: CSV, JSON or an Excel workbook, all rows or
//! none; and the template to fill in.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{get, post, web, HttpRequest, HttpResponse};

use crate::app::roster::{self as app, RosterFormat, RosterImport, RosterTemplateQuery, RosterUpload};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::export;
use crate::routes::body;
use crate::routes::extract::Query;
use crate::routes::responses::SchoolNotFound;

/// Import or update a school's roster.
///
/// That school's staff and admins. The body is CSV (`text/csv`, with the header
/// `student_number,first_name,last_name,email,programme,degree_level,graduation_year`),
/// JSON (`{"rows": [...]}`) or an Excel workbook
/// (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`: the
/// first sheet, the same header on its first row; blank rows are skipped).
/// A CSV may be separated by `,` or `;` (whichever the header line holds
/// more of) and encoded in UTF-8, with or without a byte order mark, or in
/// Windows-1252 (assumed when the bytes are not UTF-8), as Excel writes it;
/// the answer says which encoding and separator were read. Every row is checked first: if any is bad,
/// nothing is imported and the answer lists each bad cell with its line number
/// (CSV and workbook, the header being line 1) or index + 2 (JSON), its column,
/// its value and the reason.
/// Re-importing updates students by student number; a column (CSV header or
/// JSON key) that is not one of these seven is refused by name, and no cell
/// may hold a control character. When an activated student's e-mail changes,
/// their sign-in e-mail changes with it, in the same transaction; if another
/// account already signs in with the new e-mail, nothing is imported (409).
/// Handles 50,000 rows.
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "School id")),
    request_body(
        description = "JSON rows, or the same seven columns as CSV or as a workbook with a header line",
        content(
            (RosterUpload = "application/json"),
            (export::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv", example = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\nECC-2027-0042,Salma,Bennani,salma.bennani@ecc.example.org,Génie informatique,bac+5,2027\n"),
        ),
    ),
    responses(
        (status = 200, description = "Imported", body = RosterImport),
        (status = 403, description = "Not staff of this school", body = Problem, content_type = "application/problem+json"),
        SchoolNotFound,
        (status = 409, description = "A changed e-mail of an activated student belongs to another account, or a concurrent import wrote the same rows first; nothing imported", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The CSV header or the workbook cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV, JSON nor a workbook", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows; nothing imported", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/roster")]
pub async fn import_roster(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<body::Json<RosterImport>, ApiError> {
    let content_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let format = if content_type.starts_with("text/csv") {
        Some(RosterFormat::Csv)
    } else if content_type.starts_with("application/json") {
        Some(RosterFormat::Json)
    } else if content_type.starts_with(export::XLSX) {
        Some(RosterFormat::Xlsx)
    } else {
        None
    };
    Ok(body::Json(app::import_roster(&state, caller, path.into_inner(), format, &body).await?))
}

/// Download the roster template of a school.
///
/// The same callers as the import: that school's staff and admins. The seven
/// columns the import reads, as a header line with no row:
/// `format=csv` (the default) as a French Excel opens it (UTF-8 with a byte
/// order mark, `;`, CRLF), `format=xlsx` as a workbook. Either comes back
/// through `POST /schools/{id}/roster` once filled in. Sent as an attachment
/// named `roster-template-{school code}.csv` or `.xlsx`.
#[utoipa::path(
    tag = "students",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "School id"), RosterTemplateQuery),
    responses(
        (status = 200, description = "The template",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"roster-template-ECC.csv\"` (or `.xlsx`)")),
            content(
                (String = "text/csv", example = "\u{feff}student_number;first_name;last_name;email;programme;degree_level;graduation_year\r\n"),
                (export::Workbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        (status = 400, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of this school", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such school", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/roster/template")]
pub async fn roster_template(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<RosterTemplateQuery>,
) -> Result<HttpResponse, ApiError> {
    let file = app::roster_template(&state, caller, path.into_inner(), query.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((CONTENT_DISPOSITION, file.disposition))
        .body(file.body))
}
