//! Sign-in: student activation, staff activation, login, token refresh and
//! logout, and the caller's own account.

use crate::domain::ViolationCode;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::token::Membership;
use crate::auth::{secret, Caller};
use crate::domain::student::{normalise_email, validate_email, validate_password};
use crate::domain::{Role, Violation};
use crate::error::ApiError;
use crate::store::{accounts, change_feed, reference, roster};

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "salma.bennani@ecc.example.org")]
    pub email: String,
    #[schema(example = "correct horse battery staple")]
    pub password: String,
}

/// A pair of tokens: a short-lived access token for `Authorization: Bearer`,
/// and an opaque refresh token to get the next pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    #[schema(example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI1In0.c2lnbmF0dXJl")]
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Single use: each refresh returns a new one. Presenting a used one revokes the whole chain.
    #[schema(example = "rt_3f9c2a7b1d4e4c0a9b8f6e5d4c3b2a10")]
    pub refresh_token: String,
    #[schema(example = "2026-12-29T10:15:00Z")]
    pub refresh_expires_at: chrono::DateTime<Utc>,
}

/// A signed-in user replacing their password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password the account has now.
    #[schema(example = "correct horse battery staple", min_length = 1)]
    pub current_password: String,
    /// 12 to 128 characters.
    #[schema(example = "a longer passphrase than before", min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// A refresh token, to rotate or revoke.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(example = "rt_3f9c2a7b1d4e4c0a9b8f6e5d4c3b2a10")]
    pub refresh_token: String,
}

/// A student creating their account from their school's roster.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudentActivation {
    /// Code of the student's school.
    #[schema(example = "ECC", min_length = 1)]
    pub school_code: String,
    /// The student number on the roster: with the e-mail, it proves the
    /// student is who the roster says, so that knowing an address is not enough.
    #[schema(example = "ECC-2027-0042", min_length = 1)]
    pub student_number: String,
    /// The e-mail on the roster.
    #[schema(
        example = "salma.bennani@ecc.example.org",
        max_length = 254,
        pattern = "^[^\\s@\\x00-\\x1f\\x7f-\\x9f]{1,64}@[^\\s@.\\x00-\\x1f\\x7f-\\x9f]+(\\.[^\\s@.\\x00-\\x1f\\x7f-\\x9f]+)+$"
    )]
    pub email: String,
    /// 12 to 128 characters.
    #[schema(example = "correct horse battery staple", min_length = 12, max_length = 128)]
    pub password: String,
}

/// A staff member setting their password with the activation token an admin handed them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffActivation {
    #[schema(example = "at_8b1f0c9e2d3a4b5c6d7e8f9012345678", min_length = 1)]
    pub activation_token: String,
    /// 12 to 128 characters.
    #[schema(example = "correct horse battery staple", min_length = 12, max_length = 128)]
    pub password: String,
}

/// The caller's account. Never carries a password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "salma.bennani@ecc.example.org")]
    pub email: String,
    #[schema(example = "Salma Bennani")]
    pub display_name: String,
    pub role: Role,
    /// For school staff: their school.
    #[schema(example = 3)]
    pub school_id: Option<i64>,
    /// For recruiters: their organisation.
    #[schema(example = 2)]
    pub organisation_id: Option<i64>,
    /// For students: their student record.
    #[schema(example = 12)]
    pub student_id: Option<i64>,
    /// False while a staff account waits for its activation.
    #[schema(example = true)]
    pub active: bool,
}

pub fn account_view(row: &accounts::AccountRow, student_id: Option<i64>) -> Result<Account, ApiError> {
    Ok(Account {
        id: row.id,
        email: row.email.clone(),
        display_name: row.display_name.clone(),
        role: row.role()?,
        school_id: row.school_id,
        organisation_id: row.organisation_id,
        student_id,
        active: row.password_hash.is_some() && !row.disabled,
    })
}

fn invalid_credentials() -> ApiError {
    ApiError::WrongCredentials
}

fn check_password(password: &str) -> Result<(), ApiError> {
    ApiError::check(validate_password(password))
}

/// Issues an access token and a new refresh token in `family`.
fn issue_pair(
    state: &AppState,
    conn: &mut crate::db::DbConnection,
    account: &accounts::AccountRow,
    family: &str,
) -> Result<TokenPair, ApiError> {
    let now = Utc::now();
    let student_id = if account.role()? == Role::Student { accounts::student_id_of(conn, account.id)? } else { None };
    let membership = Membership { school_id: account.school_id, organisation_id: account.organisation_id, student_id };
    let (access_token, expires_at) = state
        .tokens
        .issue(&account.id.to_string(), &account.role, membership, account.token_version, now)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("issuing a token: {e}")))?;
    let refresh_token = secret::random_token();
    let refresh_expires_at = now + Duration::days(state.settings.auth.refresh_ttl_days);
    accounts::insert_refresh_token(
        conn,
        account.id,
        account.token_version,
        family,
        &secret::token_digest(&refresh_token),
        refresh_expires_at.naive_utc(),
    )?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer".into(),
        expires_in: (expires_at - now).num_seconds(),
        refresh_token,
        refresh_expires_at,
    })
}

/// A violation for a field that must name an existing record.
pub fn unknown(field: &str, what: crate::i18n::Message) -> ApiError {
    ApiError::Validation(vec![Violation::new(field, ViolationCode::Unknown, what)])
}

/// Signs in with e-mail and password, within the login throttle.
pub async fn login(state: &Arc<AppState>, login: LoginRequest, address: Option<IpAddr>) -> Result<TokenPair, ApiError> {
    let LoginRequest { email, password } = login;
    let email = normalise_email(&email);
    state.throttle.check(&email, address)?;
    let shared = state.clone();
    let pair = crate::db::run(&state.pool, move |conn| {
        let account = accounts::find_by_email(conn, &email)?;
        let Some((account, hash)) =
            account.filter(|a| !a.disabled).and_then(|a| a.password_hash.clone().map(|hash| (a, hash)))
        else {
            shared.passwords.verify_dummy(&password);
            return Err(invalid_credentials());
        };
        if !shared.passwords.verify(&password, &hash) {
            return Err(invalid_credentials());
        }
        if shared.passwords.needs_rehash(&hash) {
            let upgraded = shared.passwords.hash(&password).map_err(|e| ApiError::Internal(e.into()))?;
            accounts::set_password_hash(conn, account.id, &upgraded)?;
        }
        let family = uuid::Uuid::new_v4().to_string();
        issue_pair(&shared, conn, &account, &family)
    })
    .await?;
    Ok(pair)
}

/// Replaces the caller's password once the current one is proved, within the
/// login throttle of the account (the proof is a guess like a sign-in; the
/// account is known, so the client's address is not counted), and revokes every
/// token issued so far, on every server process: whoever held a copy of one
/// is out from the next request, the caller included, who signs in again.
pub async fn change_password(state: &Arc<AppState>, caller: Caller, change: PasswordChange) -> Result<(), ApiError> {
    let PasswordChange { current_password, new_password } = change;
    let violations = validate_password(&new_password)
        .into_iter()
        .map(|violation| Violation { field: "new_password".into(), ..violation })
        .collect();
    ApiError::check(violations)?;
    let shared = state.clone();
    crate::db::run(&state.pool, move |conn| {
        let account = accounts::find(conn, caller.account_id)?.ok_or_else(|| ApiError::not_found("account"))?;
        shared.throttle.check(&account.email, None)?;
        let proved =
            account.password_hash.as_deref().is_some_and(|hash| shared.passwords.verify(&current_password, hash));
        if !proved {
            return Err(ApiError::Forbidden(crate::domain::Message::new(
                "current-password-is-not-the-account-s-password",
            )));
        }
        let hash = shared.passwords.hash(&new_password).map_err(|e| ApiError::Internal(e.into()))?;
        crate::db::write_transaction(conn, |conn| -> Result<(), ApiError> {
            accounts::set_password_hash(conn, account.id, &hash)?;
            Ok(accounts::revoke_tokens(conn, account.id)?)
        })?;
        shared.refresh_index(conn);
        Ok(())
    })
    .await
}

/// Exchanges a refresh token for a new pair; a reused token revokes its family.
pub async fn refresh(state: &Arc<AppState>, token: RefreshRequest) -> Result<TokenPair, ApiError> {
    let digest = secret::token_digest(&token.refresh_token);
    let shared = state.clone();
    let pair = crate::db::run(&state.pool, move |conn| {
        let refused = || {
            ApiError::Unauthenticated(crate::domain::Message::new("the-refresh-token-is-invalid-expired-or-revoked"))
        };
        let token = accounts::find_refresh_token(conn, &digest)?.ok_or_else(refused)?;
        if token.revoked_at.is_some() || token.expires_at < Utc::now().naive_utc() {
            return Err(refused());
        }
        let outcome = crate::db::write_transaction(conn, |conn| {
            if !accounts::spend_refresh_token(conn, token.id)? {
                return Ok(None);
            }
            // A token of an older version was revoked by a concurrent sign-out everywhere.
            let account = accounts::find(conn, token.account_id)?
                .filter(|a| !a.disabled && a.password_hash.is_some() && a.token_version <= token.token_version);
            match account {
                Some(account) => issue_pair(&shared, conn, &account, &token.family).map(Some),
                None => Ok(None),
            }
        })?;
        match outcome {
            Some(pair) => Ok(pair),
            None => {
                let revoked = accounts::revoke_family(conn, &token.family)?;
                tracing::warn!(account_id = token.account_id, revoked, "refresh token reused: family revoked");
                Err(refused())
            }
        }
    })
    .await?;
    Ok(pair)
}

/// Revokes the refresh token's family; an unknown token is accepted silently.
pub async fn logout(state: &Arc<AppState>, token: RefreshRequest) -> Result<(), ApiError> {
    let digest = secret::token_digest(&token.refresh_token);
    crate::db::run(&state.pool, move |conn| {
        if let Some(token) = accounts::find_refresh_token(conn, &digest)? {
            accounts::revoke_family(conn, &token.family)?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}

/// Creates a student's account from their school's roster.
pub async fn activate_student(
    state: &Arc<AppState>,
    activation: StudentActivation,
    address: Option<IpAddr>,
) -> Result<Account, ApiError> {
    let StudentActivation { school_code, student_number, email, password } = activation;
    let mut violations = validate_email(&email);
    violations.extend(validate_password(&password));
    ApiError::check(violations)?;
    let email = normalise_email(&email);
    state.throttle.check(&email, address)?;
    let shared = state.clone();
    let account = crate::db::run(&state.pool, move |conn| {
        let not_on_roster = || ApiError::NotFound(crate::domain::Message::new("not-on-school-roster"));
        let school = reference::find_school_by_code(conn, school_code.trim())?.ok_or_else(not_on_roster)?;
        let entry = roster::find_on_roster(conn, school.id, &email)?
            .filter(|entry| entry.student_number == student_number.trim())
            .ok_or_else(not_on_roster)?;
        if entry.account_id.is_some() {
            return Err(ApiError::conflict(crate::domain::Message::new(
                "this-student-already-has-an-account-sign-in-instead",
            )));
        }
        if accounts::email_taken(conn, &email)? {
            return Err(ApiError::conflict(crate::domain::Message::new("an-account-already-uses-this-email")));
        }
        let hash = shared.passwords.hash(&password).map_err(|e| ApiError::Internal(e.into()))?;
        let display_name = format!("{} {}", entry.first_name, entry.last_name);
        let account = crate::db::write_transaction(conn, |conn| {
            let account_id = accounts::insert(
                conn,
                &accounts::NewAccount {
                    email: &email,
                    display_name: &display_name,
                    role: Role::Student,
                    password_hash: Some(&hash),
                    school_id: Some(school.id),
                    organisation_id: None,
                    activation: None,
                },
            )?;
            if !roster::link_account(conn, entry.student_id, account_id)? {
                return Err(ApiError::conflict(crate::domain::Message::new(
                    "this-student-already-has-an-account-sign-in-instead",
                )));
            }
            change_feed::record(conn, change_feed::STUDENT, entry.student_id)?;
            let row = accounts::find(conn, account_id)?.ok_or_else(|| ApiError::not_found("account"))?;
            account_view(&row, Some(entry.student_id))
        })?;
        shared.refresh_index(conn);
        Ok(account)
    })
    .await?;
    Ok(account)
}

/// Sets a staff account's password with its one-time activation token.
pub async fn activate_staff(state: &Arc<AppState>, activation: StaffActivation) -> Result<Account, ApiError> {
    let StaffActivation { activation_token, password } = activation;
    check_password(&password)?;
    let digest = secret::token_digest(&activation_token);
    let shared = state.clone();
    let account = crate::db::run(&state.pool, move |conn| {
        let refused = || {
            ApiError::Unauthenticated(crate::domain::Message::new("the-activation-token-is-invalid-used-or-expired"))
        };
        let account = accounts::find_by_activation(conn, &digest)?.ok_or_else(refused)?;
        if account.activation_expires_at.is_none_or(|expires| expires < Utc::now().naive_utc()) {
            return Err(refused());
        }
        let hash = shared.passwords.hash(&password).map_err(|e| ApiError::Internal(e.into()))?;
        if !accounts::complete_activation(conn, account.id, &digest, &hash)? {
            return Err(refused());
        }
        let row = accounts::find(conn, account.id)?.ok_or_else(|| ApiError::not_found("account"))?;
        account_view(&row, None)
    })
    .await?;
    Ok(account)
}

/// The caller's own account.
pub async fn me(state: &Arc<AppState>, caller: Caller) -> Result<Account, ApiError> {
    let account = crate::db::run(&state.pool, move |conn| {
        let row = accounts::find(conn, caller.account_id)?
            .filter(|a| !a.disabled)
            .ok_or_else(|| ApiError::Unauthenticated(crate::domain::Message::new("this-account-no-longer-exists")))?;
        let student_id = accounts::student_id_of(conn, row.id)?;
        account_view(&row, student_id)
    })
    .await?;
    Ok(account)
}
