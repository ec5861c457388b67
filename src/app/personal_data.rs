//! A student's rights over their personal data under Morocco's law 09-08:
//! access to everything held (export), knowing who read the profile, and
//! erasure.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::alerts::OfferAlerts;
use crate::app::applications::stored_explanation;
use crate::app::matches::Explanation;
use crate::app::students::{profile_view, visible_student, StudentProfile};
use crate::app::AppState;
use crate::auth::policy;
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::placement::AgreementTerms;
use crate::domain::student::ProfileReading;
use crate::error::ApiError;
use crate::pagination::{Page, PageQuery};
use crate::store::personal_data::{self as store, ProfileViewRow};
use crate::store::{applications, placements, students};

/// One reading of a student's data by a recruiter or a member of school staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    #[schema(example = 42)]
    pub id: i64,
    /// The account that read the profile.
    #[schema(example = 5)]
    pub viewer_account_id: i64,
    /// `recruiter` or `school_staff`.
    #[schema(value_type = crate::domain::Role, example = "recruiter")]
    pub viewer_role: String,
    /// When, in UTC.
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub at: DateTime<Utc>,
    /// What was read: the profile, a list of students, or a ranking naming the student.
    pub reading: ProfileReading,
    /// The offer of a ranking or an explanation.
    #[schema(example = 7)]
    pub offer_id: Option<i64>,
}

fn view_of(row: ProfileViewRow) -> ProfileView {
    ProfileView {
        id: row.id,
        viewer_account_id: row.viewer_account_id,
        viewer_role: row.viewer_role,
        at: row.at.and_utc(),
        // Rows are written by the service alone; an unknown kind reads as the profile.
        reading: row.reading.parse().unwrap_or(ProfileReading::Profile),
        offer_id: row.offer_id,
    }
}

/// Records, for the students concerned to see, that the caller read their
/// data, when the caller is someone whose readings are recorded
/// ([`policy::records_profile_view`]): one statement for all of them.
pub(crate) fn record_reading(
    conn: &mut DbConnection,
    caller: &Caller,
    student_ids: &[i64],
    what: ProfileReading,
    offer_id: Option<i64>,
) -> Result<(), ApiError> {
    if student_ids.is_empty() || !policy::records_profile_view(caller) {
        return Ok(());
    }
    let reading = store::Reading { viewer: caller.account_id, role: caller.role.as_str(), what, offer_id };
    Ok(store::record_views(conn, student_ids, reading)?)
}

/// Records readings that each concern one offer (applications, placements):
/// one per offer, so that each names the offer, for the `(offer, student)`
/// pairs read.
pub(crate) fn record_readings_by_offer(
    conn: &mut DbConnection,
    caller: &Caller,
    read: impl IntoIterator<Item = (i64, i64)>,
    what: ProfileReading,
) -> Result<(), ApiError> {
    if !policy::records_profile_view(caller) {
        return Ok(());
    }
    let mut by_offer: std::collections::BTreeMap<i64, Vec<i64>> = std::collections::BTreeMap::new();
    for (offer_id, student_id) in read {
        by_offer.entry(offer_id).or_default().push(student_id);
    }
    for (offer_id, students) in by_offer {
        record_reading(conn, caller, &students, what, Some(offer_id))?;
    }
    Ok(())
}

/// The student's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAccount {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "salma.bennani@ecc.example.org")]
    pub email: String,
    #[schema(example = "Salma Bennani")]
    pub display_name: String,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
}

/// One change of an application's status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportEvent {
    #[schema(value_type = Option<crate::domain::application::ApplicationStatus>, example = "submitted")]
    pub from_status: Option<String>,
    #[schema(value_type = crate::domain::application::ApplicationStatus, example = "in_review")]
    pub to_status: String,
    #[schema(example = 5)]
    pub actor_account_id: i64,
    #[schema(example = "Profil retenu pour un entretien.")]
    pub note: String,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub at: DateTime<Utc>,
}

/// One application with its whole history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportApplication {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = 7)]
    pub offer_id: i64,
    #[schema(example = "Stage PFE – Data Scientist")]
    pub offer_title: String,
    #[schema(example = 2)]
    pub organisation_id: i64,
    #[schema(value_type = crate::domain::application::ApplicationStatus, example = "in_review")]
    pub status: String,
    #[schema(example = "Élève ingénieure en dernière année à l'ECC, je souhaite rejoindre l'équipe Data d'AXA.")]
    pub cover_letter: String,
    #[schema(example = "ecc-careers")]
    pub source: String,
    /// Match score from 0 to 1 when the student applied.
    #[schema(example = 0.8125)]
    pub score: f64,
    /// How the score was reached, as computed when the student applied.
    pub explanation: Explanation,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
    pub events: Vec<ExportEvent>,
}

/// One signature of one agreement version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportSignature {
    #[schema(example = "school")]
    pub party: String,
    #[schema(example = 5)]
    pub account_id: i64,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub signed_at: DateTime<Utc>,
}

/// One version of a placement's agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAgreementVersion {
    #[schema(example = 1)]
    pub version: i32,
    /// The terms as agreed in this version.
    pub terms: AgreementTerms,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
    pub signatures: Vec<ExportSignature>,
    /// The version's documents (one per language), fixed at its first
    /// signature; listed with where to download them rather than inlined.
    pub documents: Vec<ExportDocument>,
}

/// One fixed agreement document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportDocument {
    #[schema(value_type = crate::domain::placement::AgreementLanguage, example = "fr")]
    pub language: String,
    /// SHA-256 of the PDF without its signature page.
    #[schema(example = "9f2c4be0a1d35e7c0b6a4f8e2d1c3b5a79e8f6d4c2b0a1e3f5d7c9b8a6e4f2d0")]
    pub sha256: String,
    /// False once erased: the hash alone remains.
    pub stored: bool,
    /// Where the PDF is downloaded, with its signature page.
    #[schema(example = "/api/v1/placements/42/agreement.pdf?version=1&lang=fr")]
    pub download: String,
}

/// One placement with every agreement version and signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPlacement {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = 42)]
    pub application_id: i64,
    #[schema(example = 7)]
    pub offer_id: i64,
    #[schema(example = 2)]
    pub organisation_id: i64,
    #[schema(example = 3)]
    pub school_id: i64,
    /// The agreement kind.
    #[schema(value_type = crate::domain::placement::AgreementKind, example = "convention_de_stage")]
    pub kind: String,
    #[schema(value_type = crate::domain::placement::PlacementStatus, example = "signed")]
    pub status: String,
    #[schema(example = "Fin anticipée à la demande de l'étudiante.")]
    pub terminated_reason: Option<String>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub created_at: DateTime<Utc>,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub updated_at: DateTime<Utc>,
    pub agreement_versions: Vec<ExportAgreementVersion>,
}

/// An offer the student was alerted of.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAlertSent {
    #[schema(example = 7)]
    pub offer_id: i64,
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub sent_at: DateTime<Utc>,
}

/// Everything Passerelle holds about one student.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalDataExport {
    /// When this export was made, in UTC.
    #[schema(example = "2026-11-29T10:15:00Z")]
    pub exported_at: DateTime<Utc>,
    /// Roster fields, profile, skills and the history of consents.
    pub profile: StudentProfile,
    /// The account the student signs in with; absent before activation.
    pub account: Option<ExportAccount>,
    pub applications: Vec<ExportApplication>,
    pub placements: Vec<ExportPlacement>,
    /// Every reading of the profile by recruiters and school staff, oldest first.
    pub profile_views: Vec<ProfileView>,
    /// The offer alerts as set (disabled when never set).
    pub alerts: OfferAlerts,
    /// The offers the student was alerted of, oldest first.
    pub alerts_sent: Vec<ExportAlertSent>,
}

/// Loads a student for a data-rights request: 404 when the caller may not even
/// see the student, 403 when they see it but the rights are not theirs.
fn rights_holder(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<students::StudentRow, ApiError> {
    let (row, _) = visible_student(conn, caller, id)?;
    if !policy::can_exercise_data_rights(caller, row.account_id) {
        return Err(ApiError::Forbidden(crate::domain::Message::new(
            "only-the-student-and-admins-exercise-the-student-s",
        )));
    }
    Ok(row)
}

fn export(conn: &mut DbConnection, row: students::StudentRow) -> Result<PersonalDataExport, ApiError> {
    let student_id = row.id;
    let account = match row.account_id {
        Some(id) => store::account_of(conn, id)?.map(|(email, display_name, created_at)| ExportAccount {
            id,
            email,
            display_name,
            created_at: created_at.and_utc(),
        }),
        None => None,
    };
    let profile = profile_view(conn, row, policy::StudentView::Full)?;
    let mut exported_applications = Vec::new();
    for app in store::applications_of(conn, student_id)? {
        let events = applications::events(conn, app.id)?
            .into_iter()
            .map(|e| ExportEvent {
                from_status: e.from_status,
                to_status: e.to_status,
                actor_account_id: e.actor_account_id,
                note: e.note,
                at: e.at.and_utc(),
            })
            .collect();
        exported_applications.push(ExportApplication {
            id: app.id,
            offer_id: app.offer_id,
            offer_title: app.offer_title,
            organisation_id: app.organisation_id,
            status: app.status,
            cover_letter: app.cover_letter,
            source: app.source,
            score: app.score,
            explanation: stored_explanation(&app.explanation)?,
            created_at: app.created_at.and_utc(),
            updated_at: app.updated_at.and_utc(),
            events,
        });
    }
    let placement_ids = store::placement_ids_of(conn, student_id)?;
    let versions = placements::versions_of(conn, &placement_ids)?;
    let signatures = placements::signatures_of(conn, &placement_ids)?;
    let mut exported_placements = Vec::new();
    for id in placement_ids {
        let Some((placement, _)) = placements::find(conn, id)? else { continue };
        let documents = placements::documents_of(conn, id)?;
        let stored = placements::stored_documents(conn, id)?;
        let agreement_versions = versions
            .iter()
            .filter(|(p, _)| *p == id)
            .map(|(_, v)| {
                Ok(ExportAgreementVersion {
                    version: v.version,
                    terms: serde_json::from_str(&v.terms).map_err(anyhow::Error::new)?,
                    created_at: v.created_at.and_utc(),
                    signatures: signatures
                        .iter()
                        .filter(|(p, s)| *p == id && s.version == v.version)
                        .map(|(_, s)| ExportSignature {
                            party: s.party.clone(),
                            account_id: s.account_id,
                            signed_at: s.signed_at.and_utc(),
                        })
                        .collect(),
                    documents: documents
                        .iter()
                        .filter(|d| d.version == v.version)
                        .map(|d| ExportDocument {
                            language: d.language.clone(),
                            sha256: d.sha256.clone(),
                            stored: stored.iter().any(|(version, l)| *version == d.version && *l == d.language),
                            download: format!(
                                "/api/v1/placements/{id}/agreement.pdf?version={}&lang={}",
                                d.version, d.language
                            ),
                        })
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        exported_placements.push(ExportPlacement {
            id,
            application_id: placement.application_id,
            offer_id: placement.offer_id,
            organisation_id: placement.organisation_id,
            school_id: placement.school_id,
            kind: placement.kind,
            status: placement.status,
            terminated_reason: placement.terminated_reason,
            created_at: placement.created_at.and_utc(),
            updated_at: placement.updated_at.and_utc(),
            agreement_versions,
        });
    }
    let profile_views = store::views(conn, student_id, None, None)?.into_iter().map(view_of).collect();
    let alerts = OfferAlerts::of(student_id, crate::store::alerts::find(conn, student_id)?);
    let alerts_sent = crate::store::alerts::sent_to(conn, student_id)?
        .into_iter()
        .map(|(offer_id, sent_at)| ExportAlertSent { offer_id, sent_at: sent_at.and_utc() })
        .collect();
    Ok(PersonalDataExport {
        exported_at: Utc::now(),
        profile,
        account,
        applications: exported_applications,
        placements: exported_placements,
        profile_views,
        alerts,
        alerts_sent,
    })
}

/// Everything held about a student, for the student or an admin.
pub async fn export_student(state: &AppState, caller: Caller, id: i64) -> Result<PersonalDataExport, ApiError> {
    crate::db::run(&state.pool, move |conn| {
        let row = rights_holder(conn, &caller, id)?;
        export(conn, row)
    })
    .await
}

/// A page of who read a student's profile, oldest first.
pub async fn list_profile_views(
    state: &AppState,
    caller: Caller,
    id: i64,
    page: PageQuery,
) -> Result<Page<ProfileView>, ApiError> {
    let scope = format!("profile-views {id}");
    let (limit, after) = (page.limit()?, page.after::<i64>(&state.cursors, &scope)?);
    let cursors = state.cursors.clone();
    crate::db::run(&state.pool, move |conn| {
        rights_holder(conn, &caller, id)?;
        let rows = store::views(conn, id, after, Some(limit + 1))?;
        Ok(Page::from_rows(rows, limit, &cursors, &scope, |r| r.id, view_of))
    })
    .await
}

/// Erases a student's personal data, keeping what the reports count, anonymous.
pub async fn erase_student(state: &Arc<AppState>, caller: Caller, id: i64) -> Result<(), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        rights_holder(conn, &caller, id)?;
        if !store::erase(conn, id)? {
            return Err(ApiError::not_found("student"));
        }
        // The erased version is never answered again; its data leaves this
        // process's memory now rather than when it ages out.
        shared.profile_json.forget(|(student, _, _)| *student == id);
        shared.refresh_index(conn);
        Ok(())
    })
    .await
}
