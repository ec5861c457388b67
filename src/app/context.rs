//! The services every use case shares: the pool, the settings, the token keys,
//! the password hasher, the login throttle and the matching index. Assembled
//! once by `startup`, handed to the use cases by the routes.

use std::sync::Arc;

use crate::auth::password::PasswordHasher;
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
}

impl AppState {
    /// Brings this process's matching index up to date after a committed
    /// write, before the request that made it returns. A failure here leaves
    /// the write in place; the background tailer retries within a second.
    pub fn refresh_index(&self, conn: &mut db::DbConnection) {
        if let Err(error) = self.index.catch_up(conn) {
            tracing::warn!(error = %error, "matching index not refreshed");
        }
    }
}
