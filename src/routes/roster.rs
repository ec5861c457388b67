//! A school's roster import: CSV or JSON, all rows or none.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{post, web, HttpRequest};

use crate::app::roster::{self as app, RosterFormat, RosterImport, RosterUpload};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::responses::SchoolNotFound;

/// Import or update a school's roster.
///
/// That school's staff and admins. The body is CSV (`text/csv`, with the header
/// `student_number,first_name,last_name,email,programme,degree_level,graduation_year`)
/// or JSON (`{"rows": [...]}`). Every row is checked first: if any is bad,
/// nothing is imported and the answer lists each bad row with its line number
/// (CSV, the header being line 1) or index + 2 (JSON) and the reason.
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
        description = "JSON rows, or the same seven columns as CSV with a header line",
        content(
            (RosterUpload = "application/json"),
            (String = "text/csv", example = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\nECC-2027-0042,Salma,Bennani,salma.bennani@ecc.example.org,Génie informatique,bac+5,2027\n"),
        ),
    ),
    responses(
        (status = 200, description = "Imported", body = RosterImport),
        (status = 403, description = "Not staff of this school", body = Problem, content_type = "application/problem+json"),
        SchoolNotFound,
        (status = 409, description = "A changed e-mail of an activated student belongs to another account, or a concurrent import wrote the same rows first; nothing imported", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows; nothing imported", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/schools/{id}/roster")]
pub async fn import_roster(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<web::Json<RosterImport>, ApiError> {
    let content_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let format = if content_type.starts_with("text/csv") {
        RosterFormat::Csv
    } else if content_type.starts_with("application/json") {
        RosterFormat::Json
    } else {
        RosterFormat::Other
    };
    Ok(web::Json(app::import_roster(&state, caller, path.into_inner(), format, &body).await?))
}
