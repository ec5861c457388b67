//! Readiness: whether the database answers.

use crate::app::AppState;
use crate::error::ApiError;

/// Succeeds when the database answers a query; 503 otherwise.
pub async fn ready(state: &AppState) -> Result<(), ApiError> {
    crate::db::run(&state.pool, |conn| {
        crate::store::health::ping(conn)
            .map_err(|_| ApiError::Unavailable(crate::domain::Message::new("database-does-not-answer")))
    })
    .await
}
