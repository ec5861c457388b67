//! Internship and work-study offers: drafting, publishing, closing, listing.

use crate::routes::body;
use crate::routes::extract::{Json, Query};
use actix_web::http::header::LOCATION;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use crate::app::offers::{self as app, Offer, OfferPatch, OfferQuery};
use crate::app::AppState;
use crate::auth::Caller;
use crate::domain::offer::OfferDraft;
use crate::domain::OfferStatus;
use crate::error::{ApiError, Problem};
use crate::pagination::Page;
use crate::routes::precondition::{if_match_of, tagged_json};
use crate::routes::responses::{
    ChangedSinceRead, IfMatchMissing, InvalidFields, InvalidParameters, NotOfferRecruiter, OfferNotFound,
};

/// Post a new offer, as a draft.
///
/// Recruiters only; the organisation is the recruiter's own, never taken from
/// the body. Requirement skills are given by slug or alias. Rules, each a 422
/// naming the field: 1 to 30 requirements, no skill twice, levels and weights
/// 1 to 5, positions 1 to 500, the deadline not after the start date.
#[utoipa::path(
    tag = "offers",
    security(("bearer" = [])),
    request_body = OfferDraft,
    responses(
        (status = 201, description = "The draft", body = Offer, headers(("ETag" = String, description = "Version"), ("Location" = String, description = "The offer's URL"))),
        (status = 403, description = "Not a recruiter", body = Problem, content_type = "application/problem+json"),
        InvalidFields,
    )
)]
#[post("")]
pub async fn create_offer(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<OfferDraft>,
) -> Result<HttpResponse, ApiError> {
    let (version, view) = app::create_offer(&state, caller, body.into_inner()).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((LOCATION, format!("/api/v1/offers/{}", view.id)));
    Ok(tagged_json(created, version, &view))
}

/// List offers.
///
/// Any signed-in user sees open and filled offers; a recruiter also sees their
/// organisation's drafts and closed offers; admins see all.
#[utoipa::path(
    tag = "offers",
    security(("bearer" = [])),
    params(OfferQuery),
    responses(
        (status = 200, description = "A page of offers", body = Page<Offer>),
        InvalidParameters,
    )
)]
#[get("")]
pub async fn list_offers(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<OfferQuery>,
) -> Result<body::Json<app::OfferPage>, ApiError> {
    Ok(body::Json(app::list_offers(&state, caller, query.into_inner()).await?))
}

/// One offer.
///
/// Open and filled offers: any signed-in user. Drafts and closed offers: the
/// organisation's recruiters and admins; others get 404.
#[utoipa::path(
    tag = "offers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The offer", body = Offer, headers(("ETag" = String, description = "Version, for If-Match"))),
        OfferNotFound,
    )
)]
#[get("")]
pub async fn get_offer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (version, view) = app::get_offer(&state, caller, path.into_inner()).await?;
    Ok(tagged_json(HttpResponse::Ok(), version, &view))
}

/// Change an offer.
///
/// Recruiters of the offer's organisation, while it is a draft or open. Needs
/// `If-Match` with the offer's `ETag` (428 without it, 412 when stale). The
/// same rules as at creation apply to the result.
#[utoipa::path(
    tag = "offers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Offer id"), ("If-Match" = String, Header, description = "The ETag read")),
    request_body = OfferPatch,
    responses(
        (status = 200, description = "The updated offer", body = Offer, headers(("ETag" = String, description = "New version, for If-Match"))),
        NotOfferRecruiter,
        OfferNotFound,
        (status = 409, description = "Closed or filled offers do not change", body = Problem, content_type = "application/problem+json"),
        ChangedSinceRead,
        InvalidFields,
        IfMatchMissing,
    )
)]
#[patch("")]
pub async fn patch_offer(
    state: web::Data<AppState>,
    caller: Caller,
    request: HttpRequest,
    path: web::Path<i64>,
    body: Json<OfferPatch>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_of(&request);
    let (version, view) = app::patch_offer(&state, caller, path.into_inner(), body.into_inner(), if_match).await?;
    Ok(tagged_json(HttpResponse::Ok(), version, &view))
}

async fn answer_move(
    state: web::Data<AppState>,
    caller: Caller,
    id: i64,
    to: OfferStatus,
) -> Result<HttpResponse, ApiError> {
    let (version, view) = app::move_offer(&state, caller, id, to).await?;
    Ok(tagged_json(HttpResponse::Ok(), version, &view))
}

/// Publish a draft: it becomes open to applications.
///
/// Recruiters of the offer's organisation. Needs a start date and a deadline,
/// neither in the past, and at least one requirement (422 naming each missing
/// field); only a draft can be published (409).
#[utoipa::path(
    tag = "offers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The open offer", body = Offer, headers(("ETag" = String, description = "New version, for If-Match"))),
        NotOfferRecruiter,
        OfferNotFound,
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not ready to publish", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/publish")]
pub async fn publish_offer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    answer_move(state, caller, path.into_inner(), OfferStatus::Open).await
}

/// Close an offer: no more applications.
///
/// Recruiters of the offer's organisation; a draft or an open offer can be closed (409 otherwise).
#[utoipa::path(
    tag = "offers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The closed offer", body = Offer, headers(("ETag" = String, description = "New version, for If-Match"))),
        NotOfferRecruiter,
        OfferNotFound,
        (status = 409, description = "Already closed or filled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/close")]
pub async fn close_offer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    answer_move(state, caller, path.into_inner(), OfferStatus::Closed).await
}
