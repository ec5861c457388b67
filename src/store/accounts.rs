//! Accounts, activation tokens and refresh-token families.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::auth::revocation::AccountTokens;
use crate::db::calendar::{Instant, MaybeInstant};
use crate::db::schema::{accounts, refresh_tokens, students};
use crate::db::DbConnection;
use crate::domain::Role;
use crate::store::change_feed;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub school_id: Option<i64>,
    pub organisation_id: Option<i64>,
    #[diesel(deserialize_as = MaybeInstant)]
    pub activation_expires_at: Option<NaiveDateTime>,
    pub disabled: bool,
    #[diesel(deserialize_as = Instant)]
    pub created_at: NaiveDateTime,
    /// Tokens issued at a lower version are revoked.
    pub token_version: i64,
}

impl AccountRow {
    /// The stored role; a value outside the enumeration means a corrupted row.
    pub fn role(&self) -> anyhow::Result<Role> {
        Ok(self.role.parse()?)
    }
}

/// What a new account is made of.
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub school_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub activation: Option<(&'a str, NaiveDateTime)>,
}

pub fn insert(conn: &mut DbConnection, account: &NewAccount<'_>) -> QueryResult<i64> {
    diesel::insert_into(accounts::table)
        .values((
            accounts::email.eq(account.email),
            accounts::display_name.eq(account.display_name),
            accounts::role.eq(account.role.as_str()),
            accounts::password_hash.eq(account.password_hash),
            accounts::school_id.eq(account.school_id),
            accounts::organisation_id.eq(account.organisation_id),
            accounts::activation_digest.eq(account.activation.map(|(digest, _)| digest)),
            accounts::activation_expires_at.eq(account.activation.map(|(_, expires)| expires)),
            accounts::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(accounts::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<AccountRow>> {
    accounts::table.find(id).select(AccountRow::as_select()).first(conn).optional()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<AccountRow>> {
    accounts::table.filter(accounts::email.eq(email)).select(AccountRow::as_select()).first(conn).optional()
}

pub fn email_taken(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    Ok(find_by_email(conn, email)?.is_some())
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    accounts::table.count().get_result(conn)
}

/// The account waiting for activation with this token digest.
pub fn find_by_activation(conn: &mut DbConnection, digest: &str) -> QueryResult<Option<AccountRow>> {
    accounts::table
        .filter(accounts::activation_digest.eq(digest))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()
}

/// Sets the password and spends the activation token, once: `false` when the
/// token was spent meanwhile.
pub fn complete_activation(conn: &mut DbConnection, id: i64, digest: &str, password_hash: &str) -> QueryResult<bool> {
    let updated = diesel::update(accounts::table.find(id).filter(accounts::activation_digest.eq(digest)))
        .set((
            accounts::password_hash.eq(password_hash),
            accounts::activation_digest.eq(None::<String>),
            accounts::activation_expires_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Replaces the activation token of an account not activated yet.
pub fn set_activation(conn: &mut DbConnection, id: i64, digest: &str, expires_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(accounts::table.find(id).filter(accounts::password_hash.is_null()))
        .set((accounts::activation_digest.eq(digest), accounts::activation_expires_at.eq(expires_at)))
        .execute(conn)?;
    Ok(())
}

pub fn set_password_hash(conn: &mut DbConnection, id: i64, password_hash: &str) -> QueryResult<()> {
    diesel::update(accounts::table.find(id)).set(accounts::password_hash.eq(password_hash)).execute(conn)?;
    Ok(())
}

/// The student record of a student account.
pub fn student_id_of(conn: &mut DbConnection, account_id: i64) -> QueryResult<Option<i64>> {
    students::table.filter(students::account_id.eq(account_id)).select(students::id).first(conn).optional()
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: i64,
    pub account_id: i64,
    pub family: String,
    #[diesel(deserialize_as = Instant)]
    pub expires_at: NaiveDateTime,
    #[diesel(deserialize_as = MaybeInstant)]
    pub used_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = MaybeInstant)]
    pub revoked_at: Option<NaiveDateTime>,
    /// The account's token version when it was issued.
    pub token_version: i64,
}

pub fn insert_refresh_token(
    conn: &mut DbConnection,
    account_id: i64,
    token_version: i64,
    family: &str,
    digest: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::account_id.eq(account_id),
            refresh_tokens::token_version.eq(token_version),
            refresh_tokens::family.eq(family),
            refresh_tokens::digest.eq(digest),
            refresh_tokens::expires_at.eq(expires_at),
            refresh_tokens::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_refresh_token(conn: &mut DbConnection, digest: &str) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::digest.eq(digest))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a refresh token used, once: `false` when it was already used or
/// revoked (by a concurrent refresh, say), which the caller treats as reuse.
pub fn spend_refresh_token(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(Utc::now().naive_utc()))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Revokes every token of a family.
pub fn revoke_family(conn: &mut DbConnection, family: &str) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::family.eq(family)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)
}

/// Revokes every access and refresh token of an account issued so far, on
/// every server process: raises its token version and tells the change feed.
/// Inside the caller's transaction.
pub fn revoke_tokens(conn: &mut DbConnection, account_id: i64) -> QueryResult<()> {
    diesel::update(accounts::table.find(account_id))
        .set(accounts::token_version.eq(accounts::token_version + 1))
        .execute(conn)?;
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::account_id.eq(account_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)?;
    change_feed::record(conn, change_feed::ACCOUNT, account_id)
}

/// Disables an account and revokes its tokens: `false` when there is no such account.
pub fn disable(conn: &mut DbConnection, account_id: i64) -> QueryResult<bool> {
    let updated = diesel::update(accounts::table.find(account_id)).set(accounts::disabled.eq(true)).execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    revoke_tokens(conn, account_id)?;
    Ok(true)
}

/// The token state of the given accounts, or of every account that differs
/// from the default (version 0, enabled) when `ids` is `None`: a few rows
/// even among a million accounts.
pub fn token_states(conn: &mut DbConnection, ids: Option<&[i64]>) -> QueryResult<Vec<(i64, AccountTokens)>> {
    let mut query = accounts::table.select((accounts::id, accounts::token_version, accounts::disabled)).into_boxed();
    query = match ids {
        Some(ids) => query.filter(accounts::id.eq_any(ids)),
        None => query.filter(accounts::token_version.gt(0).or(accounts::disabled.eq(true))),
    };
    Ok(query
        .load::<(i64, i64, bool)>(conn)?
        .into_iter()
        .map(|(id, token_version, disabled)| (id, AccountTokens { token_version, disabled }))
        .collect())
}
