//! What a failed statement or an exhausted pool means to the caller, in the
//! one error type: the database layer knows its errors, the error type knows
//! only problems.

use diesel::result::{DatabaseErrorKind, Error};

use crate::db::conflict;
use crate::error::ApiError;

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound => Self::NotFound("not found".into()),
            // A race lost to a concurrent write: what won already exists.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::conflict(conflict::already_exists(info.as_ref()))
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Self::conflict(conflict::CONCURRENT_CHANGE)
            }
            Error::DatabaseError(_, info) if conflict::is_busy(info.as_ref()) => {
                Self::conflict(conflict::CONCURRENT_CHANGE)
            }
            other if lost_connection(&other) => {
                tracing::warn!(error = %other, "database connection lost");
                Self::Unavailable("the database is unreachable; retry shortly".into())
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

/// Whether a statement failed because the database went away (shut down,
/// restarted, network cut) rather than because of the statement: the request
/// may succeed when retried, so it is a 503, not a 500.
fn lost_connection(error: &Error) -> bool {
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) | Error::BrokenTransactionManager => true,
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let message = info.message();
            [
                "terminating connection",
                "server closed the connection",
                "no connection to the server",
                "could not connect",
                "the database system is shutting down",
                "the database system is starting up",
            ]
            .iter()
            .any(|needle| message.contains(needle))
        }
        _ => false,
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(error: r2d2::Error) -> Self {
        tracing::warn!(error = %error, "no database connection available");
        Self::Unavailable("the database is unreachable; retry shortly".into())
    }
}
