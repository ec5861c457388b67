//! The services every use case shares: the pool, the settings, the token keys,
//! the password hasher, the login throttle, the matching index and the views
//! kept in memory. Assembled once by `startup`, handed to the use cases by the
//! routes.

use std::sync::Arc;

use crate::app::memo::{DailyCopy, Memo, Serialised};
use crate::app::trainings::Catalogue;
use crate::auth::password::PasswordHasher;
use crate::auth::policy::StudentView;
use crate::auth::token::TokenKeys;
use crate::auth::Throttle;
use crate::config::Settings;
use crate::db::{self, Pool};
use crate::live_index::LiveIndex;

/// What every use case can reach.
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub tokens: TokenKeys,
    pub passwords: PasswordHasher,
    pub throttle: Throttle,
    pub index: Arc<LiveIndex>,
    /// Seals and opens pagination cursors.
    pub cursors: crate::pagination::CursorSeal,
    /// Each offer's JSON by offer and version, for the offer list.
    pub offer_json: Memo<(i64, i64), Serialised>,
    /// Each profile's JSON by student, version and view, for profile reads.
    pub profile_json: Memo<(i64, i64, StudentView), Serialised>,
    /// The training catalogue the gap views suggest from.
    pub catalogue: DailyCopy<Catalogue>,
}

/// Offers whose JSON is kept: about a kilobyte each.
const KEPT_OFFERS: usize = 20_000;

/// Profiles whose JSON is kept: one to two kilobytes each.
const KEPT_PROFILES: usize = 5_000;

/// How long a profile's JSON is kept. Its key names the version, so an old
/// entry is never answered; the age bounds how long a process holds the
/// personal data of a version that changed or was erased elsewhere.
const PROFILE_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// How long another process's change to the training catalogue may take to
/// show in this one's suggestions; this process's own changes show at once.
const CATALOGUE_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(1);

impl AppState {
    /// The state of a process, with nothing kept in memory yet but the index.
    pub fn new(
        pool: Pool,
        settings: Settings,
        tokens: TokenKeys,
        passwords: PasswordHasher,
        throttle: Throttle,
        index: LiveIndex,
        cursors: crate::pagination::CursorSeal,
    ) -> Self {
        AppState {
            pool,
            settings: Arc::new(settings),
            tokens,
            passwords,
            throttle,
            index: Arc::new(index),
            cursors,
            offer_json: Memo::new(KEPT_OFFERS),
            profile_json: Memo::with_max_age(KEPT_PROFILES, PROFILE_MAX_AGE),
            catalogue: DailyCopy::new(CATALOGUE_MAX_AGE),
        }
    }

    /// Brings this process's matching index up to date after a committed
    /// write, before the request that made it returns. A failure here leaves
    /// the write in place; the background tailer retries within a second.
    pub fn refresh_index(&self, conn: &mut db::DbConnection) {
        if let Err(error) = self.index.catch_up(conn) {
            tracing::warn!(error = %error, "matching index not refreshed");
        }
    }

    /// [`Self::refresh_index`] after a write whose change feed row is
    /// `feed_id`: nothing to read when a catch-up of another request has
    /// applied it already.
    pub fn refresh_index_past(&self, conn: &mut db::DbConnection, feed_id: i64) {
        if let Err(error) = self.index.catch_up_past(conn, feed_id) {
            tracing::warn!(error = %error, "matching index not refreshed");
        }
    }

    /// After an application this process committed: the index holds it at
    /// once, without the catch-up's reads and its turn, which every
    /// concurrent applicant would wait for while keeping its connection. Its
    /// own application is all the applicant's next ranking needs from the
    /// feed; other changes reach the index by the periodic catch-up.
    pub fn hold_application_in_index(&self, student_id: i64, offer_id: i64) {
        if let Err(error) = self.index.hold_application(student_id, offer_id) {
            tracing::warn!(error = %error, "matching index not refreshed");
        }
    }
}
