//! Placements and their tripartite agreement: reading, negotiating the terms,
//! signing, terminating.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::agreement;
use crate::app::personal_data::record_readings_by_offer;
use crate::app::version::IfMatch;
use crate::app::AppState;
use crate::auth::{policy, Caller};
use crate::db::DbConnection;
use crate::domain::placement::{
    can_terminate, status_on, validate_school_approver, validate_termination_reason, Agreement, AgreementKind,
    AgreementTerms, AmendOutcome, AmendRefused, ApproverAccount, Party, PlacementStatus, SignRefused, Signature,
    TO_BE_NAMED,
};
use crate::domain::student::ProfileReading;
use crate::domain::webhook::{EventIds, EventType};
use crate::domain::WorkMode;
use crate::error::{parse_stored as parse, ApiError};
use crate::pagination::{paginate, Page, PageQuery};
use crate::store::placements::{self as store, PlacementChange, PlacementRecord, SignatureRow, VersionRow};
use crate::store::webhooks::{self, NewEvent};

/// A signature of the agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatureView {
    pub party: Party,
    /// The account that signed for the party.
    #[schema(example = 5)]
    pub account_id: i64,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub signed_at: DateTime<Utc>,
}

/// One version of the agreement with the signatures it gathered.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementVersion {
    #[schema(example = 1)]
    pub version: u32,
    pub terms: AgreementTerms,
    pub signatures: Vec<SignatureView>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
}

/// A placement as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Placement {
    #[schema(example = 42)]
    pub id: i64,
    /// The accepted application it comes from.
    #[schema(example = 42)]
    pub application_id: i64,
    #[schema(example = 7)]
    pub offer_id: i64,
    #[schema(example = 12)]
    pub student_id: i64,
    /// The student's school, a signatory.
    #[schema(example = 3)]
    pub school_id: i64,
    /// The hosting organisation, a signatory.
    #[schema(example = 2)]
    pub organisation_id: i64,
    /// The legal document, from the offer's kind.
    pub kind: AgreementKind,
    /// pending_signatures → signed → in_progress → completed (from the dates),
    /// or terminated.
    pub status: PlacementStatus,
    /// The current version of the agreement; each amendment after a signature adds one.
    #[schema(example = 1)]
    pub agreement_version: u32,
    /// The terms of the current version.
    pub terms: AgreementTerms,
    /// Signatures of the current version.
    pub signatures: Vec<SignatureView>,
    /// Parties yet to sign the current version.
    #[schema(example = json!(["school", "organisation"]))]
    pub missing_signatures: Vec<Party>,
    /// Earlier versions, oldest first, with the signatures they had gathered.
    pub previous_versions: Vec<AgreementVersion>,
    #[schema(example = "Fin anticipée à la demande de l'étudiante.")]
    pub terminated_reason: Option<String>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
}

/// A placement with the domain form of its current agreement.
pub(super) struct Loaded {
    pub(super) row: store::PlacementRow,
    student_account: Option<i64>,
    pub(super) agreement: Agreement,
    status: PlacementStatus,
    view: Placement,
}

fn terms_of(row: &VersionRow) -> Result<AgreementTerms, ApiError> {
    serde_json::from_str(&row.terms).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))
}

fn signature_views(
    signatures: &[(i64, SignatureRow)],
    placement: i64,
    version: i32,
) -> Result<Vec<SignatureView>, ApiError> {
    signatures
        .iter()
        .filter(|(id, s)| *id == placement && s.version == version)
        .map(|(_, s)| {
            Ok(SignatureView { party: parse(&s.party)?, account_id: s.account_id, signed_at: s.signed_at.and_utc() })
        })
        .collect()
}

fn load_all(conn: &mut DbConnection, records: Vec<PlacementRecord>, today: NaiveDate) -> Result<Vec<Loaded>, ApiError> {
    let ids: Vec<i64> = records.iter().map(|(row, _)| row.id).collect();
    let versions = store::versions_of(conn, &ids)?;
    let signatures = store::signatures_of(conn, &ids)?;
    records
        .into_iter()
        .map(|(row, student_account)| {
            let mine: Vec<&VersionRow> = versions.iter().filter(|(id, _)| *id == row.id).map(|(_, v)| v).collect();
            let current = mine
                .iter()
                .find(|v| v.version == row.current_version)
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("placement {} lacks its current version", row.id)))?;
            let current_signatures = signature_views(&signatures, row.id, row.current_version)?;
            let agreement = Agreement {
                version: u32::try_from(row.current_version).unwrap_or(1),
                terms: terms_of(current)?,
                signatures: current_signatures
                    .iter()
                    .map(|s| Signature { party: s.party, signed_at: s.signed_at.naive_utc() })
                    .collect(),
            };
            let terminated = row.status == PlacementStatus::Terminated.as_str();
            let status = status_on(
                agreement.is_fully_signed(),
                terminated,
                agreement.terms.start_date,
                agreement.terms.end_date,
                today,
            );
            let previous_versions = mine
                .iter()
                .filter(|v| v.version < row.current_version)
                .map(|v| {
                    Ok(AgreementVersion {
                        version: u32::try_from(v.version).unwrap_or(0),
                        terms: terms_of(v)?,
                        signatures: signature_views(&signatures, row.id, v.version)?,
                        created_at: v.created_at.and_utc(),
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            let view = Placement {
                id: row.id,
                application_id: row.application_id,
                offer_id: row.offer_id,
                student_id: row.student_id,
                school_id: row.school_id,
                organisation_id: row.organisation_id,
                kind: parse(&row.kind)?,
                status,
                agreement_version: agreement.version,
                terms: agreement.terms.clone(),
                signatures: current_signatures,
                missing_signatures: agreement.missing_parties(),
                previous_versions,
                terminated_reason: row.terminated_reason.clone(),
                created_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
            };
            Ok(Loaded { row, student_account, agreement, status, view })
        })
        .collect()
}

/// Loads a placement the caller may see: 403 for a role that reads no
/// placements, 404 for one outside the caller's scope.
pub(super) fn visible(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<Loaded, ApiError> {
    let scope = policy::pipeline_scope(caller)?;
    let record = store::find(conn, id)?.ok_or_else(|| ApiError::not_found("placement"))?;
    if !policy::in_pipeline_scope(scope, record.1, record.0.school_id, record.0.organisation_id) {
        return Err(ApiError::not_found("placement"));
    }
    load_all(conn, vec![record], Utc::now().date_naive())?.pop().ok_or_else(|| ApiError::not_found("placement"))
}

impl Loaded {
    /// The version and the view, to answer with.
    fn versioned(self) -> (i64, Placement) {
        (self.row.version, self.view)
    }
}

/// The stored status: what `status_on` cannot derive from dates.
fn stored_status(signed: bool) -> &'static str {
    if signed {
        PlacementStatus::Signed.as_str()
    } else {
        PlacementStatus::PendingSignatures.as_str()
    }
}

/// Changes to the terms; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsPatch {
    #[schema(example = "2027-02-01")]
    pub start_date: Option<NaiveDate>,
    #[schema(example = "2027-07-31")]
    pub end_date: Option<NaiveDate>,
    #[schema(example = "Youssef El Idrissi", min_length = 1, max_length = 200, pattern = "\\S")]
    pub company_tutor: Option<String>,
    #[schema(example = "Pr. Karim Tazi", min_length = 1, max_length = 200, pattern = "\\S")]
    pub academic_referent: Option<String>,
    pub work_mode: Option<WorkMode>,
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 4000, minimum = 0, maximum = 100_000)]
    pub monthly_stipend_mad: Option<u32>,
    /// Hours of presence a week, 1 to 44.
    #[serde(default, deserialize_with = "crate::domain::whole_number::deserialize_option")]
    #[schema(example = 35, minimum = 1, maximum = 44)]
    pub weekly_hours: Option<u32>,
    /// The staff account of the student's school that approves for the
    /// school and alone signs for it (an active staff account of that
    /// school); `null` takes the designation back. Set by the school's staff.
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<i64>, example = 5)]
    pub school_approver_id: Option<Option<i64>>,
}

/// A field that may be cleared: absent is `None`, `null` is `Some(None)`.
fn present_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    crate::domain::whole_number::deserialize_option(d).map(Some)
}

fn merge(current: &AgreementTerms, patch: TermsPatch) -> AgreementTerms {
    AgreementTerms {
        start_date: patch.start_date.unwrap_or(current.start_date),
        end_date: patch.end_date.unwrap_or(current.end_date),
        company_tutor: patch.company_tutor.map_or_else(|| current.company_tutor.clone(), |t| t.trim().to_owned()),
        academic_referent: patch
            .academic_referent
            .map_or_else(|| current.academic_referent.clone(), |t| t.trim().to_owned()),
        work_mode: patch.work_mode.unwrap_or(current.work_mode),
        monthly_stipend_mad: patch.monthly_stipend_mad.or(current.monthly_stipend_mad),
        weekly_hours: patch.weekly_hours.or(current.weekly_hours),
        school_approver_id: patch.school_approver_id.unwrap_or(current.school_approver_id),
    }
}

/// Checks a change of the school's approver: made by the school's staff
/// (403 otherwise), naming an active staff account of the school (422).
fn check_approver_change(
    conn: &mut DbConnection,
    caller: &Caller,
    loaded: &Loaded,
    terms: &AgreementTerms,
) -> Result<(), ApiError> {
    if terms.school_approver_id == loaded.agreement.terms.school_approver_id {
        return Ok(());
    }
    if !policy::can_designate_school_approver(caller, loaded.row.school_id) {
        return Err(ApiError::Forbidden(crate::domain::Message::new("school-approver-by-the-school")));
    }
    let Some(id) = terms.school_approver_id else { return Ok(()) };
    let account = match crate::store::accounts::find(conn, id)? {
        Some(row) => Some(ApproverAccount { role: row.role()?, school_id: row.school_id, disabled: row.disabled }),
        None => None,
    };
    ApiError::check(validate_school_approver(account, loaded.row.school_id))
}

fn changed_meanwhile() -> ApiError {
    ApiError::PreconditionFailed(crate::domain::Message::new("placement-changed-since-read"))
}

fn encode(terms: &AgreementTerms) -> Result<String, ApiError> {
    serde_json::to_string(terms).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))
}

/// How often a signature is retried when another party signs at the same instant.
const SIGN_ATTEMPTS: usize = 3;

/// Why a placement ends early.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Termination {
    /// 1 to 2,000 characters.
    #[schema(
        example = "Fin anticipée à la demande de l'étudiante.",
        min_length = 1,
        max_length = 2_000,
        pattern = "\\S"
    )]
    pub reason: String,
}

/// A page of the placements in the caller's scope, oldest first.
pub async fn list_placements(state: &AppState, caller: Caller, page: PageQuery) -> Result<Page<Placement>, ApiError> {
    let scope = policy::pipeline_scope(&caller)?;
    let (limit, after) = (page.limit()?, page.after::<i64>(&state.cursors, "placements")?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        let records = store::list(conn, scope, after, limit)?;
        let (records, next_cursor) = paginate(records, limit, &cursors, "placements", |(row, _)| row.id);
        let loaded = load_all(conn, records, Utc::now().date_naive())?;
        record_readings_by_offer(
            conn,
            &caller,
            loaded.iter().map(|l| (l.row.offer_id, l.row.student_id)),
            ProfileReading::Placement,
        )?;
        Ok(Page { items: loaded.into_iter().map(|l| l.view).collect(), next_cursor })
    })
    .await
}

/// One placement in the caller's scope, with its version.
pub async fn get_placement(state: &AppState, caller: Caller, id: i64) -> Result<(i64, Placement), ApiError> {
    crate::db::run(&state.pool, move |conn| {
        let loaded = visible(conn, &caller, id)?;
        record_readings_by_offer(
            conn,
            &caller,
            [(loaded.row.offer_id, loaded.row.student_id)],
            ProfileReading::Placement,
        )?;
        Ok(loaded)
    })
    .await
    .map(Loaded::versioned)
}

/// The scope of an event about a placement: the hosting organisation and the
/// student's school.
fn placement_event(row: &store::PlacementRow) -> NewEvent {
    NewEvent {
        ids: EventIds {
            placement_id: Some(row.id),
            application_id: Some(row.application_id),
            offer_id: Some(row.offer_id),
            ..EventIds::default()
        },
        organisation_id: Some(row.organisation_id),
        school_id: Some(row.school_id),
        ..NewEvent::default()
    }
}

/// Changes the terms of the agreement, at the version the caller read: in
/// place before anyone signed, as a new version to sign again after.
pub async fn patch_placement(
    state: &AppState,
    caller: Caller,
    id: i64,
    patch: TermsPatch,
    if_match: IfMatch,
) -> Result<(i64, Placement), ApiError> {
    crate::db::run(&state.pool, move |conn| {
        let mut loaded = visible(conn, &caller, id)?;
        if !policy::can_manage_placement(&caller, loaded.row.school_id, loaded.row.organisation_id) {
            return Err(ApiError::Forbidden(crate::domain::Message::new("placement-terms-by-the-parties")));
        }
        let terms = merge(&loaded.agreement.terms, patch);
        check_approver_change(conn, &caller, &loaded, &terms)?;
        // Invalid content is refused as such (422) before its precondition is looked at.
        let outcome = loaded.agreement.amend(terms, loaded.status).map_err(|refused| match refused {
            AmendRefused::Invalid(violations) => ApiError::Validation(violations),
            AmendRefused::Closed { status } => ApiError::conflict(
                crate::domain::Message::new("placement-does-not-change").arg("status", status.to_string()),
            ),
        })?;
        if_match.require(loaded.row.version)?;
        let row = &loaded.row;
        crate::db::write_transaction(conn, |conn| -> Result<(), ApiError> {
            match &outcome {
                AmendOutcome::Unchanged => {}
                AmendOutcome::InPlace => {
                    let change = PlacementChange {
                        status: &row.status,
                        current_version: row.current_version,
                        terminated_reason: None,
                    };
                    if !store::update_if_version(conn, id, row.version, &change)? {
                        return Err(changed_meanwhile());
                    }
                    store::replace_terms(conn, id, row.current_version, &encode(&loaded.agreement.terms)?)?;
                    webhooks::record_event(conn, EventType::PlacementAmended, placement_event(row))?;
                }
                AmendOutcome::NewVersion { .. } => {
                    let version = i32::try_from(loaded.agreement.version).map_err(anyhow::Error::new)?;
                    let change = PlacementChange {
                        status: PlacementStatus::PendingSignatures.as_str(),
                        current_version: version,
                        terminated_reason: None,
                    };
                    if !store::update_if_version(conn, id, row.version, &change)? {
                        return Err(changed_meanwhile());
                    }
                    store::insert_version(conn, id, version, &encode(&loaded.agreement.terms)?)?;
                    webhooks::record_event(conn, EventType::PlacementAmended, placement_event(row))?;
                }
            }
            Ok(())
        })?;
        visible(conn, &caller, id)
    })
    .await
    .map(Loaded::versioned)
}

/// What a signer may send: the hash of the document they were shown.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureRequest {
    /// SHA-256 of the agreement document the signer was shown (the PDF
    /// without its signature page, in any language), as 64 hexadecimal
    /// digits. Optional; when sent, it must be the current version's (409).
    #[schema(
        example = "9f2c4be0a1d35e7c0b6a4f8e2d1c3b5a79e8f6d4c2b0a1e3f5d7c9b8a6e4f2d0",
        min_length = 64,
        max_length = 64,
        pattern = "^[0-9a-fA-F]{64}$"
    )]
    pub document_sha256: Option<String>,
}

/// Signs the current version of the agreement for the caller's party, on
/// the version's document (fixed and stored with its first signature).
pub async fn sign_placement(
    state: &AppState,
    caller: Caller,
    id: i64,
    if_match: IfMatch,
    request: SignatureRequest,
) -> Result<(i64, Placement), ApiError> {
    let sent = request.document_sha256;
    agreement::check_sent_hash(sent.as_deref())?;
    let settings = state.settings.clone();
    crate::db::run(&state.pool, move |conn| {
        for _ in 0..SIGN_ATTEMPTS {
            let mut loaded = visible(conn, &caller, id)?;
            let row = loaded.row.clone();
            let party = policy::signatory_party(&caller, loaded.student_account, row.school_id, row.organisation_id)
                .ok_or_else(|| {
                    ApiError::Forbidden(crate::domain::Message::new(
                        "only-the-student-the-school-and-the-organisation-sign",
                    ))
                })?;
            if party == Party::School
                && !policy::signs_for_the_school(&caller, loaded.agreement.terms.school_approver_id)
            {
                return Err(ApiError::Forbidden(crate::domain::Message::new("the-school-s-approver-signs-for-it")));
            }
            if_match.check_if_sent(row.version)?;
            let terms = &loaded.agreement.terms;
            if [&terms.company_tutor, &terms.academic_referent].iter().any(|name| name.as_str() == TO_BE_NAMED) {
                return Err(ApiError::conflict(crate::domain::Message::new(
                    "name-the-company-tutor-and-the-academic-referent-before",
                )));
            }
            let now = Utc::now().naive_utc();
            loaded.agreement.sign(party, now, loaded.status).map_err(|refused| match refused {
                SignRefused::AlreadySigned { party, version } => ApiError::conflict(
                    crate::domain::Message::new("party-already-signed")
                        .arg("party", party.to_string())
                        .arg("version", version),
                ),
                SignRefused::Closed { status } => ApiError::conflict(
                    crate::domain::Message::new("placement-takes-no-signature").arg("status", status.to_string()),
                ),
            })?;
            let documents = agreement::signing_documents(conn, &settings, &loaded)?;
            let signed_hash = agreement::signed_hash(&documents, sent.as_deref())?;
            let change = PlacementChange {
                status: stored_status(loaded.agreement.is_fully_signed()),
                current_version: row.current_version,
                terminated_reason: None,
            };
            let signed = crate::db::write_transaction(conn, |conn| -> Result<bool, ApiError> {
                if !store::update_if_version(conn, id, row.version, &change)? {
                    return Ok(false);
                }
                for document in &documents {
                    if let Some(pdf) = &document.pdf {
                        let language = document.language.as_str();
                        store::insert_document(conn, id, row.current_version, language, &document.sha256, pdf)?;
                    }
                }
                store::insert_signature(
                    conn,
                    id,
                    row.current_version,
                    party.as_str(),
                    caller.account_id,
                    now,
                    &signed_hash,
                )?;
                webhooks::record_event(conn, EventType::PlacementSigned, placement_event(&row))?;
                if loaded.agreement.is_fully_signed() {
                    webhooks::record_event(conn, EventType::PlacementFullySigned, placement_event(&row))?;
                }
                Ok(true)
            })?;
            if signed {
                return visible(conn, &caller, id);
            }
            if if_match.sent {
                return Err(changed_meanwhile());
            }
        }
        Err(ApiError::conflict(crate::domain::Message::new("the-placement-is-changing-right-now-retry-shortly")))
    })
    .await
    .map(Loaded::versioned)
}

/// Ends a placement early, with a reason.
pub async fn terminate_placement(
    state: &AppState,
    caller: Caller,
    id: i64,
    termination: Termination,
) -> Result<(i64, Placement), ApiError> {
    let reason = termination.reason.trim().to_owned();
    crate::db::run(&state.pool, move |conn| {
        let loaded = visible(conn, &caller, id)?;
        if !policy::can_manage_placement(&caller, loaded.row.school_id, loaded.row.organisation_id) {
            return Err(ApiError::Forbidden(crate::domain::Message::new("placement-terminated-by-the-parties")));
        }
        ApiError::check(validate_termination_reason(&reason))?;
        if !can_terminate(loaded.status) {
            return Err(ApiError::conflict(
                crate::domain::Message::new("placement-cannot-be-terminated").arg("status", loaded.status.to_string()),
            ));
        }
        let change = PlacementChange {
            status: PlacementStatus::Terminated.as_str(),
            current_version: loaded.row.current_version,
            terminated_reason: Some(&reason),
        };
        crate::db::write_transaction(conn, |conn| {
            if !store::update_if_version(conn, id, loaded.row.version, &change)? {
                return Err(ApiError::conflict(crate::domain::Message::new(
                    "the-placement-changed-meanwhile-read-it-again",
                )));
            }
            webhooks::record_event(conn, EventType::PlacementTerminated, placement_event(&loaded.row))?;
            Ok::<_, ApiError>(())
        })?;
        visible(conn, &caller, id)
    })
    .await
    .map(Loaded::versioned)
}
