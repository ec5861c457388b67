//! Every permission rule of the API, named for what it decides. Handlers ask
//! these and nothing else. Where the existence of a thing is itself private
//! (another student's profile), the handler answers 404 rather than 403.

use crate::auth::Caller;
use crate::domain::Role;
use crate::error::ApiError;

/// Only the operator.
pub fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only an administrator may do this".into(),
        ))
    }
}

/// A school's roster is managed by that school's staff and by admins.
pub fn can_manage_roster(caller: &Caller, school_id: i64) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::SchoolStaff => caller.school_id == Some(school_id),
        _ => false,
    }
}
