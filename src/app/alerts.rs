//! Offer alerts: a student's preferences, and the `alert.matching_offer`
//! events a published or edited offer sends to the opted-in students it now
//! matches, through the partner portal each of them named.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::students::visible_student;
use crate::app::AppState;
use crate::auth::{policy, Caller};
use crate::db::DbConnection;
use crate::domain::alert::{alert_recipients, validate_alerts, AlertWish};
use crate::domain::webhook::{EventIds, EventType};
use crate::domain::OfferKind;
use crate::error::ApiError;
use crate::store::alerts::{self, AlertChanges, AlertRow};
use crate::store::webhooks::{self, NewEvent};

/// Offer alerts as a student sets them. The whole set is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// Whether new matching offers are announced.
    #[schema(example = true)]
    pub enabled: bool,
    /// Lowest match score that alerts, on the scale of the rankings'
    /// `score`: from 0 to 1. 0 when absent.
    #[serde(default)]
    #[schema(example = 0.6, minimum = 0, maximum = 1)]
    pub min_score: f64,
    /// Kinds of offer to hear of, each once; empty or absent for every kind.
    #[serde(default)]
    #[schema(example = json!(["internship", "work_study"]))]
    pub kinds: Vec<OfferKind>,
    /// The partner portal to notify: the name of its webhook subscription.
    /// Required when `enabled`.
    #[schema(example = "jobs-portal", max_length = 200)]
    pub portal: Option<String>,
}

/// A student's offer alerts as stored; disabled when never set.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferAlerts {
    #[schema(example = 42)]
    pub student_id: i64,
    #[schema(example = true)]
    pub enabled: bool,
    /// Lowest match score that alerts, from 0 to 1.
    #[schema(example = 0.6, minimum = 0, maximum = 1)]
    pub min_score: f64,
    /// Kinds of offer announced; empty for every kind.
    #[schema(example = json!(["internship", "work_study"]))]
    pub kinds: Vec<OfferKind>,
    /// The partner portal notified.
    #[schema(example = "jobs-portal")]
    pub portal: Option<String>,
    /// When the student last set them; absent when never set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-12-02T10:15:00Z")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl OfferAlerts {
    pub(crate) fn of(student_id: i64, row: Option<AlertRow>) -> Self {
        match row {
            Some(row) => Self {
                student_id,
                enabled: row.enabled,
                min_score: row.min_score,
                kinds: OfferKind::decode_list(&row.kinds),
                portal: row.portal,
                updated_at: Some(row.updated_at.and_utc()),
            },
            None => {
                Self { student_id, enabled: false, min_score: 0.0, kinds: Vec::new(), portal: None, updated_at: None }
            }
        }
    }
}

/// Checks the caller is the student: 404 for who may not see the student, 403
/// for who sees them.
fn require_owner(conn: &mut DbConnection, caller: &Caller, id: i64) -> Result<(), ApiError> {
    let (row, _) = visible_student(conn, caller, id)?;
    if !policy::can_edit_student(caller, row.account_id) {
        return Err(ApiError::Forbidden(crate::domain::Message::new("only-the-student-sets-their-alerts")));
    }
    Ok(())
}

/// The student's offer alerts.
pub async fn get_alerts(state: &AppState, caller: Caller, id: i64) -> Result<OfferAlerts, ApiError> {
    crate::db::run(&state.pool, move |conn| {
        require_owner(conn, &caller, id)?;
        Ok(OfferAlerts::of(id, alerts::find(conn, id)?))
    })
    .await
}

/// Replaces the student's offer alerts.
pub async fn put_alerts(
    state: &AppState,
    caller: Caller,
    id: i64,
    settings: AlertSettings,
) -> Result<OfferAlerts, ApiError> {
    crate::db::run(&state.pool, move |conn| {
        require_owner(conn, &caller, id)?;
        let portal = settings.portal.as_deref().map(str::trim).filter(|name| !name.is_empty());
        let exists = match portal {
            Some(name) => alerts::portal_exists(conn, name)?,
            None => false,
        };
        ApiError::check(validate_alerts(settings.enabled, settings.min_score, &settings.kinds, portal, exists))?;
        let kinds = OfferKind::encode_list(&settings.kinds);
        let changes = AlertChanges { enabled: settings.enabled, min_score: settings.min_score, kinds: &kinds, portal };
        Ok(OfferAlerts::of(id, Some(alerts::replace(conn, id, &changes)?)))
    })
    .await
}

/// Sends the alerts an open offer owes, once its change has committed and
/// this process's index has caught up with it.
///
/// Why after the commit, in a transaction of its own: the index learns an
/// offer's new requirements from the change feed, which holds committed
/// changes only, so inside the offer's transaction it still ranks the old
/// state. The price: a crash between the two commits loses that change's
/// alerts (the offer's own events are not affected). A later edit of the
/// offer sends them, since the record of alerts sent is what decides who
/// is still owed one. A failure here is logged rather than answered: the
/// offer's change stands, and a 500 would invite a retry of what succeeded.
pub(crate) fn alert_matching_students(state: &AppState, conn: &mut DbConnection, offer_id: i64, kind: OfferKind) {
    if let Err(error) = send_alerts(state, conn, offer_id, kind) {
        tracing::warn!(offer_id, error = %error, "offer alerts not sent");
    }
}

fn send_alerts(state: &AppState, conn: &mut DbConnection, offer_id: i64, kind: OfferKind) -> Result<usize, ApiError> {
    // The common case, nobody opted in, costs this one lookup.
    if !alerts::any_enabled(conn)? {
        return Ok(0);
    }
    let pending = alerts::pending_for_offer(conn, offer_id)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let among: HashSet<i64> = pending.iter().map(|row| row.student_id).collect();
    let ranked = state.index.eligible_among(offer_id, &among, Utc::now().date_naive());
    let wishes: HashMap<i64, AlertWish> = pending
        .iter()
        .map(|row| (row.student_id, AlertWish { min_score: row.min_score, kinds: OfferKind::decode_list(&row.kinds) }))
        .collect();
    let recipients = alert_recipients(kind, ranked.iter().map(|r| (r.student_id, r.score, r.eligible)), &wishes);
    if recipients.is_empty() {
        return Ok(0);
    }
    let portals: HashMap<i64, Option<String>> = pending.into_iter().map(|row| (row.student_id, row.portal)).collect();
    crate::db::write_transaction(conn, |conn| {
        let mut sent = 0;
        for student_id in recipients {
            // Another request may have alerted the student of this offer meanwhile.
            if !alerts::mark_sent(conn, student_id, offer_id)? {
                continue;
            }
            let event = NewEvent {
                ids: EventIds { offer_id: Some(offer_id), student_id: Some(student_id), ..EventIds::default() },
                source: portals.get(&student_id).cloned().flatten(),
                ..NewEvent::default()
            };
            webhooks::record_event(conn, EventType::AlertMatchingOffer, event)?;
            sent += 1;
        }
        Ok(sent)
    })
}
