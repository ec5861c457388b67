//! Provisioning from the command line: the first admin account.

use crate::domain::student::{normalise_email, validate_email, validate_password};
use crate::domain::Role;
use crate::error::ApiError;
use crate::startup::AppState;
use crate::store::accounts;

/// Creates an active admin account with the given password.
pub fn create_admin(state: &AppState, email: &str, display_name: &str, password: &str) -> Result<i64, ApiError> {
    let mut violations = validate_email(email);
    violations.extend(validate_password(password));
    ApiError::check(violations)?;
    let email = normalise_email(email);
    let hash = state.passwords.hash(password).map_err(|e| ApiError::Internal(e.into()))?;
    let mut conn = state.pool.get()?;
    if accounts::email_taken(&mut conn, &email)? {
        return Err(ApiError::conflict(format!("an account already uses {email}")));
    }
    Ok(accounts::insert(
        &mut conn,
        &accounts::NewAccount {
            email: &email,
            display_name,
            role: Role::Admin,
            password_hash: Some(&hash),
            school_id: None,
            organisation_id: None,
            activation: None,
        },
    )?)
}
