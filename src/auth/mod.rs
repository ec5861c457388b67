//! Identity: passwords, tokens, the authenticated caller, login throttling and
//! the permission rules every handler asks.

pub mod password;
pub mod policy;
pub mod revocation;
pub mod secret;
pub mod token;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::Path;

use anyhow::Context;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::{Environment, Settings};
use crate::domain::Role;
use crate::error::ApiError;
use token::{SigningKey, TokenKeys};

/// Builds the token keys from the settings. In development, without a
/// configured key, one is generated once and kept under the data directory.
pub fn token_keys(settings: &Settings) -> anyhow::Result<TokenKeys> {
    let keys = signing_keys(settings)?;
    let ttl = chrono::Duration::seconds(settings.auth.access_ttl_seconds);
    TokenKeys::new(keys, settings.auth.issuer.clone(), settings.auth.audience.clone(), ttl)
        .context("token signing keys")
}

fn signing_keys(settings: &Settings) -> anyhow::Result<Vec<SigningKey>> {
    Ok(match &settings.auth.signing_keys {
        Some(list) => TokenKeys::parse_key_list(list).context("PASSERELLE_AUTH__SIGNING_KEYS")?,
        None if settings.environment == Environment::Production => anyhow::bail!(MISSING_KEY),
        None => vec![development_key(&settings.data_dir)?],
    })
}

/// The secret of the key that signs tokens (the first of the list), from
/// which the pagination cursors' seal is derived: every process of a
/// deployment shares it, and rotating the token key only sends clients back
/// to a list's first page.
pub fn signing_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    let keys = signing_keys(settings)?;
    Ok(keys.into_iter().next().context("no token signing key")?.secret)
}

/// Why production refuses to start without a configured signing key.
pub const MISSING_KEY: &str = "production needs an explicit token signing key: set PASSERELLE_AUTH__SIGNING_KEYS \
to `kid:secret` (a secret of at least 32 random bytes, e.g. `openssl rand -base64 48`)";

fn development_key(data_dir: &Path) -> anyhow::Result<SigningKey> {
    let path = data_dir.join("dev-signing-key");
    let secret = match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => secret.trim().to_owned(),
        _ => {
            let secret = secret::random_token();
            std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            std::fs::write(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
            tracing::warn!(
                path = %path.display(),
                "no token signing key configured: generated a development key; set PASSERELLE_AUTH__SIGNING_KEYS in production"
            );
            secret
        }
    };
    Ok(SigningKey { kid: "dev".into(), secret: secret.into_bytes() })
}

/// The authenticated caller, from a valid bearer access token (the routes
/// extract it: missing, malformed, expired, forged or revoked tokens, and
/// those of a disabled account, are answered 401 with `WWW-Authenticate: Bearer`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: i64,
    pub role: Role,
    /// For school staff: their school.
    pub school_id: Option<i64>,
    /// For recruiters: their organisation.
    pub organisation_id: Option<i64>,
    /// For students: their student record (absent from tokens issued before
    /// the claim existed: then only the database tells).
    pub student_id: Option<i64>,
}

/// The token of an `Authorization` value: the scheme is case-insensitive
/// (RFC 9110 §11.1), followed by one or more spaces.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Login throttling: a budget of attempts per minute for each account and for
/// each client address.
pub struct Throttle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl Throttle {
    pub fn new(attempts_per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(attempts_per_minute).unwrap_or(NonZeroU32::MIN));
        Self { per_account: RateLimiter::keyed(quota), per_address: RateLimiter::keyed(quota) }
    }

    /// Takes one attempt for this account and address, or says how long to wait.
    pub fn check(&self, account: &str, address: Option<IpAddr>) -> Result<(), ApiError> {
        // Forget idle keys now and then so the maps do not grow without bound.
        if self.per_account.len() > 100_000 {
            self.per_account.retain_recent();
            self.per_address.retain_recent();
        }
        let now = DefaultClock::default().now();
        let wait = |not_until: governor::NotUntil<_>| {
            let seconds = not_until.wait_time_from(now).as_secs_f64().ceil();
            ApiError::TooManyRequests { retry_after_seconds: (seconds as u64).max(1) }
        };
        if let Some(address) = address {
            self.per_address.check_key(&address).map_err(wait)?;
        }
        self.per_account.check_key(&account.to_owned()).map_err(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        let cases = [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER abc", Some("abc")),
            ("bEaReR   abc ", Some("abc")),
            ("Bearer", None),
            ("Bearer ", None),
            ("Basic abc", None),
            ("Bearerabc", None),
            ("Token abc", None),
        ];
        for (value, token) in cases {
            assert_eq!(bearer_token(value), token, "{value:?}");
        }
    }
}
