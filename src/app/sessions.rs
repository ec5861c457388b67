//! Ending sessions: signing out everywhere, and an admin disabling an account.
//! Both revoke every token of the account, on every server process: this one
//! before the request returns, the others from the change feed.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::{policy, Caller};
use crate::error::ApiError;
use crate::store::accounts::{self, AccountRow};

/// Revokes every access and refresh token of the caller.
pub async fn logout_all(state: &Arc<AppState>, caller: Caller) -> Result<(), ApiError> {
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| accounts::revoke_tokens(conn, caller.account_id))?;
        shared.refresh_index(conn);
        Ok(())
    })
    .await
}

/// Disables an account (once; again changes nothing) and revokes its tokens.
/// Returns the account and, for a student, their student record.
pub async fn disable_account(
    state: &Arc<AppState>,
    caller: Caller,
    id: i64,
) -> Result<(AccountRow, Option<i64>), ApiError> {
    policy::require_admin(&caller)?;
    // The last admin must not lock everyone out by mistake.
    if id == caller.account_id {
        return Err(ApiError::conflict(crate::domain::Message::new("an-admin-cannot-disable-their-own-account")));
    }
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let row = crate::db::write_transaction(conn, |conn| {
            let account = accounts::find(conn, id)?.ok_or_else(|| ApiError::not_found("account"))?;
            if !account.disabled && !accounts::disable(conn, id)? {
                return Err(ApiError::not_found("account"));
            }
            accounts::find(conn, id)?.ok_or_else(|| ApiError::not_found("account"))
        })?;
        shared.refresh_index(conn);
        let student_id = accounts::student_id_of(conn, row.id)?;
        Ok((row, student_id))
    })
    .await
}
