//! Allocation campaigns: a cohort placed at once by student-proposing
//! deferred acceptance.

use crate::routes::body;
use crate::routes::extract::{Json, Query};
use actix_web::http::header::LOCATION;
use actix_web::{get, post, put, web, HttpResponse};

use crate::app::campaigns::{
    self as app, Assignment, AssignmentQuery, Campaign, CampaignDraft, Preferences, PreferencesDraft, Ranking,
    RankingDraft,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::pagination::{Page, PageQuery};
use crate::routes::responses::{
    CampaignNotFound, CampaignOfferNotFound, CommitteeRefused, InvalidFields, InvalidParameters, NotOfferRecruiter,
    NotPlacedByCampaign, NotTheOrganiser,
};

/// Open a campaign.
///
/// Admins open one for the whole network (no `school_id`) or for a school;
/// school staff for their own school's students only (403 otherwise). The
/// offers are given by id (`offer_ids`, each open: 422 naming `offer_ids[i]`
/// otherwise) or selected by `offer_filter` among the open offers (kind, skill
/// domain, start-date window; 422 when none matches). Other rules, each a 422
/// naming the field: name 1 to 200 characters, `closes_at` after `opens_at`,
/// `max_choices` 1 to 20, `seed` 0 to 2^53 − 1 (drawn at random when absent).
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    request_body = CampaignDraft,
    responses(
        (status = 201, description = "The campaign", body = Campaign, headers(("Location" = String, description = "The campaign's URL"))),
        (status = 403, description = "Not an admin or school staff, or staff for another school", body = Problem, content_type = "application/problem+json"),
        InvalidFields,
    )
)]
#[post("")]
pub async fn create_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CampaignDraft>,
) -> Result<HttpResponse, ApiError> {
    let view = app::create_campaign(&state, caller, body.into_inner()).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((LOCATION, format!("/api/v1/campaigns/{}", view.id)));
    Ok(body::json(created, &view))
}

/// List campaigns, newest first.
///
/// Admins see all; school staff and students the network campaigns and their
/// school's; recruiters those holding an offer of their organisation. The
/// committee reads aggregated reports only (403).
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of campaigns", body = Page<Campaign>),
        InvalidParameters,
        CommitteeRefused,
    )
)]
#[get("")]
pub async fn list_campaigns(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PageQuery>,
) -> Result<body::Json<Page<Campaign>>, ApiError> {
    Ok(body::Json(app::list_campaigns(&state, caller, query.into_inner()).await?))
}

/// One campaign, with its offers, and the figures and cutoffs of the last run.
///
/// Same visibility as the list; outside it 404, the committee 403.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign", body = Campaign),
        CommitteeRefused,
        CampaignNotFound,
    )
)]
#[get("")]
pub async fn get_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<Campaign>, ApiError> {
    Ok(body::Json(app::get_campaign(&state, caller, path.into_inner()).await?))
}

/// Rank offers of the campaign, best first (replaces the student's earlier choices).
///
/// Students the campaign places only (403 for others). Within the preference
/// window only: before it 409 `preference_window_not_open`, after it 409
/// `preference_window_closed`; once published 409. At most `max_choices`
/// offers (422 `offer_ids`, `too_many`), each once (422 `offer_ids[i]`,
/// `duplicate`), each in the campaign (422 `offer_ids[i]`, `not_in_campaign`)
/// and one the student is eligible for: its hard filters and required skills
/// (422 `offer_ids[i]`, `not_eligible`). An empty list withdraws from the campaign.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    request_body = PreferencesDraft,
    responses(
        (status = 200, description = "The choices as stored, with their scores now", body = Preferences),
        NotPlacedByCampaign,
        CampaignNotFound,
        (status = 409, description = "Outside the preference window, or published", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid choices, each naming `offer_ids[i]`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/preferences")]
pub async fn put_preferences(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<PreferencesDraft>,
) -> Result<body::Json<Preferences>, ApiError> {
    Ok(body::Json(app::put_preferences(&state, caller, path.into_inner(), body.into_inner()).await?))
}

/// The calling student's choices, with their match scores and eligibility now.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The choices, best first", body = Preferences),
        NotPlacedByCampaign,
        CampaignNotFound,
    )
)]
#[get("/preferences/me")]
pub async fn my_preferences(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<Preferences>, ApiError> {
    Ok(body::Json(app::my_preferences(&state, caller, path.into_inner()).await?))
}

/// The recruiter's ranking of one offer of the campaign, and every candidate
/// (student who ranked the offer) with their match score.
///
/// Recruiters of the offer's organisation, and admins for support (403 for
/// others); 404 for an offer not in the campaign.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id"), ("offer_id" = i64, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The ranking and the candidates", body = Ranking),
        NotOfferRecruiter,
        CampaignOfferNotFound,
    )
)]
#[get("/offers/{offer_id}/ranking")]
pub async fn get_ranking(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<body::Json<Ranking>, ApiError> {
    let (id, offer_id) = path.into_inner();
    Ok(body::Json(app::get_ranking(&state, caller, id, offer_id).await?))
}

/// Rank or exclude candidates of one offer (replaces the earlier decisions).
///
/// Recruiters of the offer's organisation, and admins for support (403 for
/// others), until the campaign is published (409). Ranked candidates come
/// first, in the given order; the others follow by match score, ties broken
/// by the campaign's seed; excluded candidates are never admitted. Each id
/// must be a candidate (422 `ranking[i]` or `excluded[i]`, `not_a_candidate`)
/// and appear once in both lists together (422, `duplicate`).
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id"), ("offer_id" = i64, Path, description = "Offer id")),
    request_body = RankingDraft,
    responses(
        (status = 200, description = "The ranking as stored and the candidates", body = Ranking),
        NotOfferRecruiter,
        CampaignOfferNotFound,
        (status = 409, description = "The campaign is published", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid ids, each naming its field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/offers/{offer_id}/ranking")]
pub async fn put_ranking(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: Json<RankingDraft>,
) -> Result<body::Json<Ranking>, ApiError> {
    let (id, offer_id) = path.into_inner();
    Ok(body::Json(app::put_ranking(&state, caller, id, offer_id, body.into_inner()).await?))
}

/// Run the allocation on the preferences and rankings as they are now.
///
/// The organiser only (403): admins, or staff of the campaign's school.
/// Capacities are the offers' free positions now; eligibility and scores are
/// the matching engine's now (a choice no longer eligible is skipped). May be
/// repeated until published (409 after); the same inputs and seed give the
/// same result. 409 when preferences or rankings changed during the run.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign with the figures and cutoffs of this run", body = Campaign),
        NotTheOrganiser,
        CampaignNotFound,
        (status = 409, description = "Published, or the inputs changed during the run", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/run")]
pub async fn run_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<Campaign>, ApiError> {
    Ok(body::Json(app::run_campaign(&state, caller, path.into_inner()).await?))
}

/// The assignments of the last run, by student id.
///
/// The organiser reads all of them at any time; a student their own and a
/// recruiter those to their organisation's offers, once the campaign is
/// published (an empty list before). Staff of another school 403. Each tells
/// the choice obtained and, for every better-ranked choice, why it was not.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id"), AssignmentQuery),
    responses(
        (status = 200, description = "A page of assignments", body = Page<Assignment>),
        InvalidParameters,
        (status = 403, description = "A caller who reads no assignments of this campaign", body = Problem, content_type = "application/problem+json"),
        CampaignNotFound,
    )
)]
#[get("/assignments")]
pub async fn list_assignments(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    query: Query<AssignmentQuery>,
) -> Result<body::Json<Page<Assignment>>, ApiError> {
    Ok(body::Json(app::list_assignments(&state, caller, path.into_inner(), query.into_inner()).await?))
}

/// Publish the last run: every assignment becomes an application in state
/// `offered` (an application the student had already made to that offer is
/// moved to `offered`), which the student accepts or declines as usual;
/// accepting takes a position and opens the placement. The campaign is then final.
///
/// The organiser only (403). 409 while the preference window is open
/// (`preference_window_open`), when the last run did not see the latest
/// preferences or rankings (`run_not_current`), or once published.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The published campaign", body = Campaign),
        NotTheOrganiser,
        CampaignNotFound,
        (status = 409, description = "Window open, run not current, or already published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/publish")]
pub async fn publish_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<body::Json<Campaign>, ApiError> {
    Ok(body::Json(app::publish_campaign(&state, caller, path.into_inner()).await?))
}
