//! Readiness: whether the database answers.

use crate::app::AppState;
use crate::error::ApiError;

/// Succeeds when the database answers a query; 503 otherwise.
pub async fn ready(state: &AppState) -> Result<(), ApiError> {
    crate::db::run(&state.pool, |conn| {
        crate::store::health::ping(conn)
            .map_err(|e| ApiError::Unavailable(format!("the database does not answer: {e}").into()))
    })
    .await
}
