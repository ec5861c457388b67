//! Placements and their tripartite agreement: reading, negotiating the terms,
//! signing, terminating.

use crate::routes::body;
use crate::routes::extract::{Json, OptionalJson, Query};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use crate::app::agreement::{self as agreement, AgreementQuery, AgreementRecord};
use crate::app::placements::{self as app, Placement, SignatureRequest, Termination, TermsPatch};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::export;
use crate::pagination::{Page, PageQuery};
use crate::routes::precondition::{conditional_json, if_match_of, tagged_json};
use crate::routes::responses::{
    ChangedSinceRead, IfMatchMissing, InvalidParameters, NotModified, NotRecruiterNorSchoolStaff, PlacementNotFound,
    ReadsNoPlacements,
};

fn answer((version, placement): (i64, Placement)) -> HttpResponse {
    tagged_json(HttpResponse::Ok(), version, &placement)
}

/// List placements, oldest first.
///
/// A student sees their own; a recruiter their organisation's; school staff
/// their school's students'; admins all. The committee reads aggregated
/// reports only (403).
#[utoipa::path(
    tag = "placements",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of placements", body = Page<Placement>),
        InvalidParameters,
        ReadsNoPlacements,
    )
)]
#[get("")]
pub async fn list_placements(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PageQuery>,
) -> Result<body::Json<Page<Placement>>, ApiError> {
    Ok(body::Json(app::list_placements(&state, caller, query.into_inner()).await?))
}

/// One placement, with the current terms and signatures and every earlier
/// version of the agreement.
///
/// Visible to the student, staff of the student's school, recruiters of the
/// hosting organisation and admins; others get 404, the committee 403. The
/// `ETag` is needed to change the terms; sent back as `If-None-Match`, it
/// answers 304 while the placement has not changed.
#[utoipa::path(
    tag = "placements",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Placement id"),
        ("If-None-Match" = Option<String>, Header, description = "ETags already held: 304 when one is current (weak comparison, `*` for any)"),
    ),
    responses(
        (status = 200, description = "The placement", body = Placement, headers(("ETag" = String, description = "Version, for If-Match"))),
        NotModified,
        ReadsNoPlacements,
        PlacementNotFound,
    )
)]
#[get("")]
pub async fn get_placement(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (version, placement) = app::get_placement(&state, caller, path.into_inner()).await?;
    Ok(conditional_json(&request, version, &placement))
}

/// Change the terms of the agreement.
///
/// Recruiters of the hosting organisation and staff of the student's school.
/// Needs `If-Match` (428 without, 412 when stale). Until someone signs, the
/// current version is edited; after the first signature the change is an
/// amendment: a new version that all three parties sign again, the signed one
/// kept in `previous_versions`. Completed and terminated placements do not
/// change (409). The end date must follow the start date and both names be
/// given (422).
#[utoipa::path(
    tag = "placements",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Placement id"), ("If-Match" = String, Header, description = "The ETag read")),
    request_body = TermsPatch,
    responses(
        (status = 200, description = "The placement", body = Placement, headers(("ETag" = String, description = "New version"))),
        NotRecruiterNorSchoolStaff,
        PlacementNotFound,
        (status = 409, description = "Completed or terminated", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        (status = 422, description = "Invalid terms", body = Problem, content_type = "application/problem+json"),
        IfMatchMissing,
    )
)]
#[patch("")]
pub async fn patch_placement(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: Json<TermsPatch>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_of(&request);
    Ok(answer(app::patch_placement(&state, caller, path.into_inner(), body.into_inner(), if_match).await?))
}

/// Sign the current version of the agreement.
///
/// The caller signs for their party: the placed student, staff of the
/// student's school for the school, a recruiter of the hosting organisation
/// for the organisation; anyone else who sees the placement gets 403. Both
/// names must be given first (409), each party signs a version once (409), and
/// a completed or terminated placement takes no signature (409). With the
/// third signature the placement is signed. `If-Match` is checked when sent.
///
/// The signature is given on the version's document (`agreement.pdf`): the
/// first signature fixes it, stored byte for byte in each language, and the
/// signature records its SHA-256. The body is optional: a client that showed
/// the document sends its `document_sha256`, which must be the current
/// version's (in either language), else 409, as after an amendment; without
/// it the French document's hash is recorded.
#[utoipa::path(
    tag = "placements",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Placement id"), ("If-Match" = Option<String>, Header, description = "The ETag read, optional")),
    request_body(content = Option<SignatureRequest>, description = "Optional: the hash of the document shown"),
    responses(
        (status = 200, description = "The placement", body = Placement, headers(("ETag" = String, description = "New version"))),
        (status = 403, description = "Not a signatory", body = Problem, content_type = "application/problem+json"),
        PlacementNotFound,
        (status = 409, description = "Names missing, already signed, closed, or a document that is not the current version's", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        (status = 422, description = "A `document_sha256` that is not 64 hexadecimal digits", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signatures")]
pub async fn sign_placement(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: OptionalJson<SignatureRequest>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_of(&request);
    Ok(answer(app::sign_placement(&state, caller, path.into_inner(), if_match, body.into_inner()).await?))
}

/// Download one version of the agreement as a PDF.
///
/// Visible to whoever sees the placement: the student, staff of the
/// student's school, recruiters of the hosting organisation and admins;
/// others get 404, the committee 403.
///
/// The document is generated by the service from the version's terms, the
/// parties' data and the articles for the agreement's kind and language.
/// Its bytes are **stored**: fixed at the version's first signature (the
/// SHA-256 every signature records is of them) and served unchanged after,
/// whatever changes later in the parties' data or the articles. Before the
/// first signature the current version's document is generated on each
/// request and may change.
///
/// The signature page, listing each signature given (who, for which party,
/// when) and the document's SHA-256, is appended as the last page by an
/// incremental update: the signed document is the file's first bytes,
/// unchanged, and the page says how many. `signature_page=false` answers
/// those bytes alone. When the student's personal data is erased the stored
/// documents are erased too (404 here) and only their hashes remain (see
/// `verify`).
#[utoipa::path(
    tag = "placements",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Placement id"), AgreementQuery),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = export::PdfFile, headers(
            ("Content-Disposition" = String, description = "`attachment; filename=\"agreement-42-v1-fr.pdf\"`"),
            ("X-Document-Sha256" = String, description = "SHA-256 of the agreement without its signature page"),
        )),
        InvalidParameters,
        ReadsNoPlacements,
        (status = 404, description = "No such placement or version, or a document erased with the student's data", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/agreement.pdf")]
pub async fn agreement_pdf(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<AgreementQuery>,
) -> Result<HttpResponse, ApiError> {
    let file = agreement::agreement_pdf(&state, caller, path.into_inner(), query.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type(export::PDF)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}\"", file.file_name)))
        .insert_header(("X-Document-Sha256", file.sha256))
        .body(file.bytes))
}

/// Which versions of the agreement exist, their documents' hashes and who
/// signed which.
///
/// Visible to whoever sees the placement (as `agreement.pdf`). A version's
/// documents appear with its first signature, one per language; `stored`
/// turns false when the student's personal data is erased, the hashes and
/// the signatures staying as evidence.
#[utoipa::path(
    tag = "placements",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Placement id")),
    responses(
        (status = 200, description = "The versions", body = AgreementRecord),
        ReadsNoPlacements,
        PlacementNotFound,
    )
)]
#[get("/agreement/verify")]
pub async fn verify_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<AgreementRecord>, ApiError> {
    Ok(body::Json(agreement::verify_agreement(&state, caller, path.into_inner()).await?))
}

/// End a placement early, with a reason.
///
/// Recruiters of the hosting organisation and staff of the student's school;
/// a completed or terminated placement cannot be terminated (409).
#[utoipa::path(
    tag = "placements",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Placement id")),
    request_body = Termination,
    responses(
        (status = 200, description = "The terminated placement", body = Placement, headers(("ETag" = String, description = "New version"))),
        NotRecruiterNorSchoolStaff,
        PlacementNotFound,
        (status = 409, description = "Completed or already terminated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Reason missing or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/terminate")]
pub async fn terminate_placement(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<Termination>,
) -> Result<HttpResponse, ApiError> {
    Ok(answer(app::terminate_placement(&state, caller, path.into_inner(), body.into_inner()).await?))
}
