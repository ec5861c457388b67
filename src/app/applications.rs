//! Applications: a student applies to an open offer, the recruiting side moves
//! the application along, the student answers an offer; accepting takes one of
//! the offer's positions and opens the placement.

use crate::domain::ViolationCode;
use std::sync::Arc;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::app::matches::{explanation_of, Explanation};
use crate::app::offers::visible_row;
use crate::app::personal_data::record_readings_by_offer;
use crate::app::AppState;
use crate::auth::{policy, Caller};
use crate::db::{DbConnection, Rollback};
use crate::domain::application::{allowed_moves, check_move, ApplicationActor, ApplicationStatus, MoveRefused};
use crate::domain::placement::{
    agreement_kind_for, AgreementTerms, PlacementStatus, MAX_MONTHLY_STIPEND_MAD, TO_BE_NAMED,
};
use crate::domain::student::ProfileReading;
use crate::domain::webhook::{EventIds, EventType};
use crate::domain::{OfferKind, OfferStatus, Violation, WorkMode};
use crate::error::{parse_stored as parse, ApiError};
use crate::pagination::{Page, PageQuery};
use crate::store::applications::{self as store, ApplicationFilter, ApplicationRecord, Claim, NewApplication};
use crate::store::webhooks::{self, NewEvent};
use crate::store::{offers, placements};

/// Longest cover letter, in characters.
pub const MAX_COVER_LETTER_CHARS: usize = 5_000;
/// Longest partner portal name, in characters.
pub const MAX_SOURCE_CHARS: usize = 100;
/// Longest transition note, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Longest `Idempotency-Key`, in characters.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 200;
/// Length of a placement whose offer gives no duration.
const DEFAULT_DURATION_MONTHS: u32 = 6;

/// What a student sends to apply.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDraft {
    /// Up to 5,000 characters.
    #[schema(
        example = "Élève ingénieure en dernière année à l'ECC, je souhaite rejoindre l'équipe Data d'AXA.",
        max_length = 5_000
    )]
    pub cover_letter: Option<String>,
    /// The partner portal the student applied through, up to 100 characters.
    #[schema(example = "ecc-careers", max_length = 100)]
    pub source: Option<String>,
}

/// An application as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Application {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = 7)]
    pub offer_id: i64,
    #[schema(example = 12)]
    pub student_id: i64,
    pub status: ApplicationStatus,
    #[schema(example = "Élève ingénieure en dernière année à l'ECC, je souhaite rejoindre l'équipe Data d'AXA.")]
    pub cover_letter: String,
    #[schema(example = "ecc-careers")]
    pub source: String,
    /// The match score when the student applied, 0 to 1, exactly as the
    /// matching endpoints gave it then.
    #[schema(example = 0.8125)]
    pub score: f64,
    /// Why the score is what it is, as computed when the student applied: the
    /// same explanation `GET /students/{id}/matches/{offer_id}` gave then.
    pub explanation: Explanation,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
    /// The statuses the caller may move the application to now.
    #[schema(example = json!(["in_review", "withdrawn"]))]
    pub allowed_moves: Vec<ApplicationStatus>,
    /// The placement opened when the student accepted.
    #[schema(example = 9)]
    pub placement_id: Option<i64>,
}

fn actor_of(caller: &Caller, record: &ApplicationRecord) -> ApplicationActor {
    ApplicationActor::classify(
        caller.role,
        record.student_account == Some(caller.account_id),
        caller.organisation_id == Some(record.row.organisation_id),
    )
}

fn views(
    conn: &mut DbConnection,
    caller: &Caller,
    records: Vec<ApplicationRecord>,
) -> Result<Vec<Application>, ApiError> {
    let ids: Vec<i64> = records.iter().map(|r| r.row.id).collect();
    let placed = placements::ids_for_applications(conn, &ids)?;
    record_readings_by_offer(
        conn,
        caller,
        records.iter().map(|r| (r.row.offer_id, r.row.student_id)),
        ProfileReading::Application,
    )?;
    records
        .into_iter()
        .map(|record| {
            let placement_id = placed.iter().find(|(application, _)| *application == record.row.id).map(|(_, id)| *id);
            shown(caller, record, placement_id)
        })
        .collect()
}

/// [`view`] of one application whose placement is known already: its
/// reading is recorded the same way, without looking the placement up.
fn view_placed(
    conn: &mut DbConnection,
    caller: &Caller,
    record: ApplicationRecord,
    placement_id: Option<i64>,
) -> Result<Application, ApiError> {
    record_readings_by_offer(
        conn,
        caller,
        [(record.row.offer_id, record.row.student_id)],
        ProfileReading::Application,
    )?;
    shown(caller, record, placement_id)
}

/// The API's view of one application whose placement is known.
fn shown(caller: &Caller, record: ApplicationRecord, placement_id: Option<i64>) -> Result<Application, ApiError> {
    let status: ApplicationStatus = parse(&record.row.status)?;
    let actor = actor_of(caller, &record);
    let row = record.row;
    Ok(Application {
        id: row.id,
        offer_id: row.offer_id,
        student_id: row.student_id,
        status,
        cover_letter: row.cover_letter,
        source: row.source,
        score: row.score,
        explanation: stored_explanation(&row.explanation)?,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        allowed_moves: allowed_moves(status, actor),
        placement_id,
    })
}

/// Reads an explanation the service stored itself; one that does not parse is
/// a corrupted row, an internal error.
pub fn stored_explanation(text: &str) -> Result<Explanation, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))
}

fn view(conn: &mut DbConnection, caller: &Caller, record: ApplicationRecord) -> Result<Application, ApiError> {
    views(conn, caller, vec![record])?.pop().ok_or_else(|| ApiError::not_found("application"))
}

/// Loads an application the caller may see: 403 for a role that reads no
/// applications, 404 for one outside the caller's scope.
fn visible(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<ApplicationRecord, ApiError> {
    let scope = policy::pipeline_scope(caller)?;
    let record = store::find(conn, id)?.ok_or_else(|| ApiError::not_found("application"))?;
    if policy::in_pipeline_scope(scope, record.student_account, record.school_id, record.row.organisation_id) {
        Ok(record)
    } else {
        Err(ApiError::not_found("application"))
    }
}

/// The fingerprint a replay must match: the offer and the body, with the
/// fields in a fixed order so that formatting does not matter.
pub fn request_hash(offer_id: i64, draft: &ApplicationDraft) -> String {
    let canonical =
        serde_json::json!({"offer_id": offer_id, "cover_letter": draft.cover_letter, "source": draft.source});
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

fn validate_draft(draft: &ApplicationDraft) -> Vec<Violation> {
    let mut violations = Vec::new();
    let limits =
        [("cover_letter", &draft.cover_letter, MAX_COVER_LETTER_CHARS), ("source", &draft.source, MAX_SOURCE_CHARS)];
    for (field, value, max) in limits {
        if value.as_deref().is_some_and(|text| text.chars().count() > max) {
            violations.push(Violation::new(
                field,
                ViolationCode::TooLong,
                crate::domain::Message::new("field-at-most").arg("field", field).arg("max", max),
            ));
        }
    }
    violations
}

/// What a stored application answers, and whose it is, for the index.
struct Applied {
    body: String,
    student_id: i64,
}

/// Applies, in the caller's write transaction, which already holds the key:
/// the checks, the application with its first event and change feed row, its
/// webhook event and the key's answer commit together. Nothing is read back:
/// the insert returns the stored row, and a new application has no placement.
fn apply(
    state: &AppState,
    conn: &mut DbConnection,
    caller: &Caller,
    offer_id: i64,
    draft: &ApplicationDraft,
    key: &str,
) -> Result<Applied, ApiError> {
    let (student, offer) = store::applicant_and_offer(conn, caller.account_id, offer_id)?
        .ok_or_else(|| ApiError::Forbidden(crate::domain::Message::new("this-account-has-no-student-profile")))?;
    let (offer, offer_status) = visible_row(caller, offer)?;
    let today = Utc::now().date_naive();
    if offer_status != OfferStatus::Open {
        return Err(ApiError::conflict(
            crate::domain::Message::new("offer-not-open-to-applications").arg("status", offer_status.as_str()),
        ));
    }
    if offer.deadline.is_some_and(|deadline| deadline < today) {
        return Err(ApiError::conflict(crate::domain::Message::new("the-deadline-to-apply-has-passed")));
    }
    let (score, explanation) = scored_now(state, student.id, offer_id)?;
    let status = ApplicationStatus::Submitted.as_str();
    let new = NewApplication {
        offer_id,
        student_id: student.id,
        organisation_id: offer.organisation_id,
        status,
        cover_letter: draft.cover_letter.as_deref().map(str::trim).unwrap_or_default(),
        source: draft.source.as_deref().map(str::trim).unwrap_or_default(),
        score,
        explanation: &explanation,
    };
    // The unique (offer, student) key refuses a second application; no
    // lookup first.
    let row = store::insert_returning(conn, &new, caller.account_id)?
        .ok_or_else(|| ApiError::conflict(crate::domain::Message::new("you-already-applied-to-this-offer")))?;
    let record = ApplicationRecord { row, student_account: student.account_id, school_id: student.school_id };
    webhooks::record_event(conn, EventType::ApplicationSubmitted, application_event(&record, None))?;
    let body = serde_json::to_string(&view_placed(conn, caller, record, None)?).map_err(anyhow::Error::new)?;
    store::complete_key(conn, caller.account_id, key, CREATED, &body)?;
    Ok(Applied { body, student_id: student.id })
}

/// Applying inside the key's transaction stopped because the key was stored
/// already: by a request answered before, one running on another process, or
/// one that died. What it means is read after the rollback.
struct KeyStored;

/// The exact score and the explanation, as stored, of a student for an offer
/// today: the same the matching endpoints give. A student or offer missing
/// from the index (not yet refreshed) scores 0 with nothing met.
pub fn scored_now(state: &AppState, student_id: i64, offer_id: i64) -> Result<(f64, String), ApiError> {
    let matched = state.index.explain(student_id, offer_id, Utc::now().date_naive(), false);
    let score = matched.as_ref().map_or(0.0, |m| m.score);
    let explanation = matched.as_ref().map(|m| explanation_of(&state.index, m)).unwrap_or_default();
    Ok((score, serde_json::to_string(&explanation).map_err(anyhow::Error::new)?))
}

/// Filters of the application list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ApplicationQuery {
    #[param(example = "in_review")]
    pub status: Option<ApplicationStatus>,
    #[param(example = 7)]
    pub offer_id: Option<i64>,
    #[param(example = 12)]
    pub student_id: Option<i64>,
    /// Only applications changed strictly after this instant (RFC 3339). Pollers pass
    /// the greatest `updated_at` they have seen; the order and the cursor work
    /// as without it, so paging through finds every one.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-12-01T08:00:00Z")]
    pub updated_since: Option<String>,
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A requested status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// The status to move to.
    pub to: ApplicationStatus,
    /// Why, up to 2,000 characters; shown to everyone who sees the application,
    /// the student included.
    #[schema(example = "Profil retenu pour un entretien.", max_length = 2_000)]
    pub note: Option<String>,
}

/// One recorded status change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationEvent {
    #[schema(example = 42)]
    pub id: i64,
    /// The account that made the change.
    #[schema(example = 5)]
    pub actor_account_id: i64,
    /// Absent for the submission itself.
    pub from: Option<ApplicationStatus>,
    pub to: ApplicationStatus,
    #[schema(example = "Profil retenu pour un entretien.")]
    pub note: String,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub at: DateTime<Utc>,
}

fn refusal(refused: MoveRefused, from: ApplicationStatus, to: ApplicationStatus) -> ApiError {
    let allowed: Vec<String> = refused.allowed().iter().map(|s| s.as_str().to_owned()).collect();
    match refused {
        MoveRefused::ForbiddenForActor { .. } => ApiError::ForbiddenMove {
            detail: crate::domain::Message::new("application-move-not-yours")
                .arg("from", from.as_str())
                .arg("to", to.as_str()),
            allowed,
        },
        MoveRefused::NotAllowed { .. } => ApiError::Conflict {
            detail: crate::domain::Message::new("application-cannot-move")
                .arg("from", from.as_str())
                .arg("to", to.as_str()),
            allowed: Some(allowed),
        },
    }
}

/// The agreement terms a placement starts from: the offer's dates and work
/// mode, and placeholders for the two names only the parties know.
pub fn initial_terms(offer: &offers::OfferRow, today: NaiveDate) -> AgreementTerms {
    let start_date = offer.start_date.unwrap_or(today);
    let months = offer.duration_months.and_then(|m| u32::try_from(m).ok()).filter(|m| *m > 0);
    let end_date = start_date
        .checked_add_months(Months::new(months.unwrap_or(DEFAULT_DURATION_MONTHS)))
        .and_then(|end| end.pred_opt())
        .filter(|end| *end > start_date)
        .unwrap_or(start_date + chrono::Days::new(1));
    AgreementTerms {
        start_date,
        end_date,
        company_tutor: TO_BE_NAMED.into(),
        academic_referent: TO_BE_NAMED.into(),
        work_mode: offer.work_mode.parse().unwrap_or(WorkMode::OnSite),
        monthly_stipend_mad: offer
            .stipend_mad
            .and_then(|s| u32::try_from(s).ok())
            .map(|s| s.min(MAX_MONTHLY_STIPEND_MAD)),
        weekly_hours: None,
        school_approver_id: None,
    }
}

/// The scope of an event about an application (and the placement it opened):
/// the offer's organisation, the student's school and the portal it came from.
fn application_event(record: &ApplicationRecord, placement_id: Option<i64>) -> NewEvent {
    NewEvent {
        ids: EventIds {
            application_id: Some(record.row.id),
            offer_id: Some(record.row.offer_id),
            placement_id,
            ..EventIds::default()
        },
        organisation_id: Some(record.row.organisation_id),
        school_id: Some(record.school_id),
        source: Some(record.row.source.clone()),
        public_offer: false,
    }
}

fn no_position_left() -> ApiError {
    ApiError::conflict(crate::domain::Message::new("no-position-left-on-this-offer"))
}

/// Takes a position and opens the placement with version 1 of its agreement,
/// in the caller's transaction. Returns the placement and the change feed id
/// of the offer's change.
fn open_placement(conn: &mut DbConnection, record: &ApplicationRecord) -> Result<(i64, i64), ApiError> {
    let feed_id = store::take_position_recorded(conn, record.row.offer_id)?.ok_or_else(no_position_left)?;
    let offer = offers::find(conn, record.row.offer_id)?.ok_or_else(|| ApiError::not_found("offer"))?;
    if offer.status == OfferStatus::Filled.as_str() {
        let event = crate::app::offers::offer_event(offer.id, offer.organisation_id);
        webhooks::record_event(conn, EventType::OfferFilled, event)?;
    }
    let kind: OfferKind = parse(&offer.kind)?;
    let terms = serde_json::to_string(&initial_terms(&offer, Utc::now().date_naive())).map_err(anyhow::Error::new)?;
    let new = placements::NewPlacement {
        application_id: record.row.id,
        offer_id: record.row.offer_id,
        student_id: record.row.student_id,
        school_id: record.school_id,
        organisation_id: record.row.organisation_id,
        kind: agreement_kind_for(kind).as_str(),
        status: PlacementStatus::PendingSignatures.as_str(),
    };
    Ok((placements::insert(conn, &new, &terms)?, feed_id))
}

/// The status of a new application.
const CREATED: u16 = 201;

/// The answer to an application request, kept as sent so that a replay gets
/// the very same bytes.
pub struct Reply {
    /// The HTTP status first answered.
    pub status: u16,
    /// The JSON body first answered.
    pub body: String,
}

/// The `Idempotency-Key`: required, 1 to 200 visible ASCII characters (an
/// unreadable header counts as empty).
fn idempotency_key(sent: Option<String>) -> Result<String, ApiError> {
    let value = sent.ok_or_else(|| ApiError::BadRequest(crate::domain::Message::new("idempotency-key-required")))?;
    let key = value.trim();
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(crate::domain::Message::new("the-idempotency-key-must-be-1-to-200-visible")));
    }
    Ok(key.to_owned())
}

/// A student applies to an offer, once per `Idempotency-Key`: a replay of the
/// same request answers what the first one answered.
pub async fn create_application(
    state: &Arc<AppState>,
    caller: Caller,
    offer_id: i64,
    draft: ApplicationDraft,
    idempotency: Option<String>,
) -> Result<Reply, ApiError> {
    policy::require_applicant(&caller)?;
    let key = idempotency_key(idempotency)?;
    ApiError::check(validate_draft(&draft))?;
    let hash = request_hash(offer_id, &draft);
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        // Applications of concurrent requests commit together on SQLite,
        // each in a savepoint of its own.
        let request = (Arc::clone(&shared), caller.clone(), key.clone(), hash.clone(), draft.clone());
        let first =
            crate::db::write_transaction_grouped(conn, move |conn| -> Result<Applied, Rollback<KeyStored, ApiError>> {
                let (shared, caller, key, hash, draft) = &request;
                let claimed = store::claim_key_in_transaction(conn, caller.account_id, key, hash)
                    .map_err(|error| Rollback::Fail(error.into()))?;
                if !claimed {
                    return Err(Rollback::Stop(KeyStored));
                }
                apply(shared, conn, caller, offer_id, draft, key).map_err(Rollback::Fail)
            });
        let applied = match first {
            Ok(applied) => applied,
            Err(Rollback::Fail(error)) => return Err(error),
            Err(Rollback::Stop(KeyStored)) => match store::claim_key(conn, caller.account_id, &key, &hash)? {
                // Taken over from a request that died, or given up by a
                // request that failed meanwhile: the claim commits first, as
                // a stored key is held by then, and is released on failure.
                Claim::Claimed => {
                    match crate::db::write_transaction(conn, |conn| {
                        apply(&shared, conn, &caller, offer_id, &draft, &key)
                    }) {
                        Ok(applied) => applied,
                        Err(error) => {
                            if let Err(release) = store::release_key(conn, caller.account_id, &key) {
                                tracing::warn!(error = %release, "idempotency key not released");
                            }
                            return Err(error);
                        }
                    }
                }
                Claim::Replay { status, body } => return Ok(Reply { status, body }),
                Claim::InProgress => {
                    return Err(ApiError::conflict(
                        "a request with this Idempotency-Key is still being processed; retry shortly",
                    ))
                }
                Claim::Mismatch => {
                    return Err(ApiError::invalid(
                        "Idempotency-Key",
                        ViolationCode::Reused,
                        "this Idempotency-Key was used for a different request; use a new key",
                    ))
                }
            },
        };
        shared.hold_application_in_index(applied.student_id, offer_id);
        Ok(Reply { status: CREATED, body: applied.body })
    })
    .await
}

/// A page of the applications in the caller's scope, oldest first.
pub async fn list_applications(
    state: &AppState,
    caller: Caller,
    query: ApplicationQuery,
) -> Result<Page<Application>, ApiError> {
    let scope = policy::pipeline_scope(&caller)?;
    let page = PageQuery { limit: query.limit, cursor: query.cursor.clone() };
    let updated_since = crate::app::version::updated_since(query.updated_since.as_deref())?;
    let list = format!("applications {:?}", (query.status, query.offer_id, query.student_id, updated_since));
    let (limit, after) = (page.limit()?, page.after::<i64>(&state.cursors, &list)?);
    let cursors = state.cursors.clone();
    let filter = ApplicationFilter {
        status: query.status.map(|s| s.as_str().to_owned()),
        offer_id: query.offer_id,
        student_id: query.student_id,
        updated_since,
    };
    crate::db::run(&state.pool, move |conn| {
        let records = store::list(conn, scope, &filter, after, limit)?;
        let (records, next_cursor) = crate::pagination::paginate(records, limit, &cursors, &list, |r| r.row.id);
        Ok(Page { items: views(conn, &caller, records)?, next_cursor })
    })
    .await
}

/// One application in the caller's scope, with its version: every change
/// sets `updated_at`, so its microseconds name the version.
pub async fn get_application(state: &AppState, caller: Caller, id: i64) -> Result<(i64, Application), ApiError> {
    crate::db::run(&state.pool, move |conn| {
        let record = visible(conn, &caller, id)?;
        let version = record.row.updated_at.and_utc().timestamp_micros();
        Ok((version, view(conn, &caller, record)?))
    })
    .await
}

/// Moves an application; accepting takes a position and opens the placement.
pub async fn transition_application(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
    transition: Transition,
) -> Result<Application, ApiError> {
    let Transition { to, note } = transition;
    let note = note.unwrap_or_default().trim().to_owned();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::invalid(
            "note",
            ViolationCode::TooLong,
            crate::domain::Message::new("note-too-long").arg("max", MAX_NOTE_CHARS),
        ));
    }
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let record = visible(conn, &caller, id)?;
        let from: ApplicationStatus = parse(&record.row.status)?;
        check_move(from, to, actor_of(&caller, &record)).map_err(|refused| refusal(refused, from, to))?;
        if to == ApplicationStatus::Accepted {
            // Most acceptances of a popular offer find its positions gone: they
            // are refused on this read, without waiting for the write lock.
            // The read is a moment when no position was left, the answer an
            // acceptance arriving then gets; one let through may still lose
            // the race, to the condition of the UPDATE that takes a position.
            let offer = offers::find(conn, record.row.offer_id)?.ok_or_else(|| ApiError::not_found("offer"))?;
            if offer.positions_taken >= offer.positions {
                return Err(no_position_left());
            }
        }
        // The answer is made inside the transaction too: a recruiter's view
        // records a reading of the student's profile, a write that would
        // otherwise queue for the lock a second time. Moves of concurrent
        // requests commit together on SQLite, each in a savepoint.
        let (view, feed_id) = crate::db::write_transaction_grouped(conn, move |conn| -> Result<_, ApiError> {
            let row = store::move_status_returning(conn, id, from.as_str(), to.as_str())?.ok_or_else(|| {
                ApiError::conflict(crate::domain::Message::new("the-application-was-moved-meanwhile-read-it-again"))
            })?;
            store::record_event(conn, id, caller.account_id, Some(from.as_str()), to.as_str(), &note)?;
            let event_type = match to {
                ApplicationStatus::Withdrawn => EventType::ApplicationWithdrawn,
                _ => EventType::ApplicationStatusChanged,
            };
            webhooks::record_event(conn, event_type, application_event(&record, None))?;
            let moved = ApplicationRecord { row, student_account: record.student_account, school_id: record.school_id };
            if to != ApplicationStatus::Accepted {
                return Ok((view(conn, &caller, moved)?, None));
            }
            let (placement_id, feed_id) = open_placement(conn, &record)?;
            webhooks::record_event(conn, EventType::PlacementCreated, application_event(&record, Some(placement_id)))?;
            Ok((view_placed(conn, &caller, moved, Some(placement_id))?, Some(feed_id)))
        })?;
        if let Some(feed_id) = feed_id {
            shared.refresh_index_past(conn, feed_id);
        }
        Ok(view)
    })
    .await
}

/// The history of an application in the caller's scope, oldest first.
pub async fn list_application_events(
    state: &AppState,
    caller: Caller,
    id: i64,
) -> Result<Vec<ApplicationEvent>, ApiError> {
    crate::db::run(&state.pool, move |conn| {
        let record = visible(conn, &caller, id)?;
        // The notes and the moves are the student's history: reading them is a reading.
        record_readings_by_offer(
            conn,
            &caller,
            [(record.row.offer_id, record.row.student_id)],
            ProfileReading::Application,
        )?;
        store::events(conn, id)?
            .into_iter()
            .map(|event| {
                Ok(ApplicationEvent {
                    id: event.id,
                    actor_account_id: event.actor_account_id,
                    from: event.from_status.as_deref().map(parse).transpose()?,
                    to: parse(&event.to_status)?,
                    note: event.note,
                    at: event.at.and_utc(),
                })
            })
            .collect()
    })
    .await
}
