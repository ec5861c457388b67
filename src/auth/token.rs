//! Short-lived access tokens: JWTs signed with HMAC-SHA256 (HS256).
//!
//! HS256 and nothing else: the same service signs and verifies, so a shared
//! secret is all that is needed, and accepting a single algorithm closes the
//! `alg: none` and algorithm-substitution attacks by construction. RFC 7518
//! §3.2 requires an HS256 key of at least 256 bits, hence [`MIN_KEY_BYTES`].
//!
//! Keys rotate without logging anyone out: every token names its key in the
//! header's `kid`, the first key of a [`TokenKeys`] signs and every key
//! verifies. To rotate, put the new key in front, keep the old one until
//! every token it signed has expired (one access TTL), then remove it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::rngs::OsRng;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};

/// Shortest accepted HMAC key, in bytes (256 bits, as RFC 7518 requires
/// for HS256).
pub const MIN_KEY_BYTES: usize = 32;

/// Clock skew tolerated on `exp` and `iat`, in seconds. Signer and verifier
/// are replicas of one service, so only small drift between hosts needs
/// absorbing; anything longer just extends a stolen token's life.
pub const LEEWAY_SECONDS: u64 = 30;

const ALGORITHM: Algorithm = Algorithm::HS256;

/// Longest `kid` quoted back in a [`TokenError::UnknownKid`]: the value
/// comes from the client and ends up in logs.
const MAX_LOGGED_KID_CHARS: usize = 64;

/// One HMAC key and the identifier tokens name it by.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// Key identifier, written to the `kid` header: non-empty, made of
    /// ASCII letters, digits, `.`, `_` and `-`.
    pub kid: String,
    /// Raw HMAC key, at least [`MIN_KEY_BYTES`] long.
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never let a secret reach a log line through `{:?}`.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("secret", &format_args!("<{} bytes redacted>", self.secret.len()))
            .finish()
    }
}

/// What an account belongs to, as its access tokens carry it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Membership {
    pub school_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub student_id: Option<i64>,
}

/// Claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The authenticated account's identifier.
    pub sub: String,
    /// The account's role, as the API names it.
    pub role: String,
    /// The school the account belongs to, for school staff and students.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_id: Option<i64>,
    /// The organisation the account belongs to, for AXA staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<i64>,
    /// The student record of a student account. An account is linked to its
    /// record once, at activation, and never to another, so a request about
    /// the caller's own record is recognised without reading the database.
    /// Absent in tokens issued before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student_id: Option<i64>,
    /// Issuer; must equal the configured one.
    pub iss: String,
    /// Audience; must equal the configured one.
    pub aud: String,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: i64,
    /// Issue time, in seconds since the Unix epoch.
    pub iat: i64,
    /// Unique token identifier, so a single token can be traced or denied.
    pub jti: String,
    /// The account's token version when the token was issued. Signing out
    /// everywhere, a password change or disabling the account raises the
    /// account's version, which revokes every token of an older one. A counter
    /// rather than an issue time: `iat` has whole seconds, so a token issued
    /// in the same second as a revocation could not be told apart from one
    /// issued just after it. Absent in tokens of before versions: 0.
    #[serde(default)]
    pub ver: i64,
}

/// Why keys were refused or a token could not be issued or verified.
///
/// The variants exist for logs and tests; an API should answer every
/// verification failure identically, so as not to guide an attacker.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No signing key was configured.
    #[error("no signing key configured")]
    NoKeys,
    /// A key is shorter than [`MIN_KEY_BYTES`].
    #[error("signing key {kid:?} is {len} bytes long; at least {MIN_KEY_BYTES} are required")]
    KeyTooShort {
        /// The offending key's identifier.
        kid: String,
        /// Its length in bytes.
        len: usize,
    },
    /// Two keys share an identifier, so a token's `kid` would be ambiguous.
    #[error("signing key id {0:?} appears more than once")]
    DuplicateKid(String),
    /// A key identifier is empty or uses characters outside
    /// `[A-Za-z0-9._-]`.
    #[error("invalid signing key id {0:?}: use 1 or more of A-Z a-z 0-9 . _ -")]
    InvalidKid(String),
    /// A `kid:secret` list could not be parsed.
    #[error("invalid signing key list: {0}")]
    InvalidKeyList(String),
    /// Issuer, audience or lifetime is unusable.
    #[error("invalid token configuration: {0}")]
    InvalidConfig(&'static str),
    /// Issue time plus lifetime falls outside the representable range.
    #[error("token expiry is out of range")]
    TimeOutOfRange,
    /// Signing failed.
    #[error("could not sign token: {0}")]
    Signing(String),
    /// The token is not a well-formed JWT carrying the expected claims.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header names an algorithm other than HS256 (including `none`).
    #[error("token algorithm {0:?} is not accepted")]
    UnsupportedAlgorithm(String),
    /// The header has no `kid`.
    #[error("token has no key id")]
    MissingKid,
    /// The header's `kid` is not among the configured keys (possibly a key
    /// already retired).
    #[error("token key id {0:?} is unknown")]
    UnknownKid(String),
    /// The signature does not match the content.
    #[error("token signature is invalid")]
    BadSignature,
    /// The token's `exp` is past, beyond the leeway.
    #[error("token has expired")]
    Expired,
    /// The token's `iat` is in the future, beyond the leeway.
    #[error("token is issued in the future")]
    IssuedInFuture,
    /// The token's `iss` differs from the configured issuer.
    #[error("token issuer is wrong")]
    WrongIssuer,
    /// The token's `aud` differs from the configured audience.
    #[error("token audience is wrong")]
    WrongAudience,
    /// A claim that must be present is missing.
    #[error("token lacks the {0:?} claim")]
    MissingClaim(String),
}

/// Tokens whose signature and claims were checked, held until this many.
const VERIFIED_HELD: usize = 10_000;

/// The keys and settings for issuing and verifying access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    signing_kid: String,
    signing_key: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    issuer: String,
    audience: String,
    access_ttl: Duration,
    validation: Validation,
    /// A client sends the same token with every request of its lifetime;
    /// checking its signature and parsing its claims each time was the
    /// dearest step of a request answered from memory. A token seen before
    /// is looked up and only its expiry checked again. Bounded: emptied
    /// when full, which costs one signature check per client.
    verified: Arc<Mutex<HashMap<Box<str>, AccessClaims>>>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kids: Vec<&String> = self.verifying.keys().collect();
        kids.sort();
        f.debug_struct("TokenKeys")
            .field("signing_kid", &self.signing_kid)
            .field("verifying_kids", &kids)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_ttl", &self.access_ttl)
            .finish_non_exhaustive()
    }
}

/// Header fields read before any signature check, to choose the key and
/// refuse other algorithms with a precise reason. Read loosely, since the
/// library's own header type cannot even represent `alg: none`.
#[derive(Deserialize)]
struct UntrustedHeader {
    alg: Option<String>,
    kid: Option<String>,
}

fn is_valid_kid(kid: &str) -> bool {
    !kid.is_empty() && kid.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl TokenKeys {
    /// Builds the key set: `keys[0]` signs new tokens, all of `keys` verify.
    ///
    /// Fails when `keys` is empty, a key is shorter than [`MIN_KEY_BYTES`],
    /// a `kid` is invalid or repeated, `issuer` or `audience` is empty, or
    /// `access_ttl` is not positive.
    pub fn new(
        keys: Vec<SigningKey>,
        issuer: String,
        audience: String,
        access_ttl: Duration,
    ) -> Result<Self, TokenError> {
        if issuer.is_empty() {
            return Err(TokenError::InvalidConfig("issuer is empty"));
        }
        if audience.is_empty() {
            return Err(TokenError::InvalidConfig("audience is empty"));
        }
        if access_ttl <= Duration::zero() {
            return Err(TokenError::InvalidConfig("access token lifetime is not positive"));
        }
        let mut verifying = HashMap::with_capacity(keys.len());
        for key in &keys {
            if !is_valid_kid(&key.kid) {
                return Err(TokenError::InvalidKid(key.kid.clone()));
            }
            if key.secret.len() < MIN_KEY_BYTES {
                return Err(TokenError::KeyTooShort { kid: key.kid.clone(), len: key.secret.len() });
            }
            if verifying.insert(key.kid.clone(), DecodingKey::from_secret(&key.secret)).is_some() {
                return Err(TokenError::DuplicateKid(key.kid.clone()));
            }
        }
        let signing = keys.first().ok_or(TokenError::NoKeys)?;

        let mut validation = Validation::new(ALGORITHM);
        validation.algorithms = vec![ALGORITHM];
        // The library ignores "iat" here; `AccessClaims` makes it mandatory
        // instead, by failing to deserialise without it.
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[&audience]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_aud = true;
        validation.validate_nbf = false;

        Ok(Self {
            signing_kid: signing.kid.clone(),
            signing_key: EncodingKey::from_secret(&signing.secret),
            verifying,
            issuer,
            audience,
            access_ttl,
            validation,
            verified: Arc::default(),
        })
    }

    /// Parses a key list written `kid1:secret1,kid2:secret2`, as it comes
    /// from configuration; the first key is the one that signs.
    ///
    /// Each secret is the UTF-8 bytes of the text after the first `:` of
    /// its entry, so it may contain `:` but not `,`. Whitespace around the
    /// whole list is dropped (a trailing newline from a file or a heredoc
    /// would otherwise become part of the last secret); whitespace inside
    /// is kept. Key lengths are checked by [`TokenKeys::new`].
    pub fn parse_key_list(s: &str) -> Result<Vec<SigningKey>, TokenError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(TokenError::NoKeys);
        }
        s.split(',')
            .enumerate()
            .map(|(index, entry)| {
                let position = index + 1;
                let (kid, secret) = entry.split_once(':').ok_or_else(|| {
                    TokenError::InvalidKeyList(format!("entry {position} is not of the form kid:secret"))
                })?;
                if !is_valid_kid(kid) {
                    return Err(TokenError::InvalidKid(kid.to_owned()));
                }
                if secret.is_empty() {
                    return Err(TokenError::InvalidKeyList(format!("entry {position} ({kid:?}) has an empty secret")));
                }
                Ok(SigningKey { kid: kid.to_owned(), secret: secret.as_bytes().to_vec() })
            })
            .collect()
    }

    /// The `kid` new tokens are signed with.
    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    /// The issuer written to and required in tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audience written to and required in tokens.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// How long an access token stays valid after issue.
    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// Issues an access token for `sub` at the account's `token_version`,
    /// valid from `now` for the configured lifetime, signed by the first key
    /// and naming it in `kid`.
    ///
    /// Returns the token and its expiry. Times are whole seconds, as JWTs
    /// carry them.
    pub fn issue(
        &self,
        sub: &str,
        role: &str,
        membership: Membership,
        token_version: i64,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), TokenError> {
        let iat = now.timestamp();
        let exp = iat.checked_add(self.access_ttl.num_seconds()).ok_or(TokenError::TimeOutOfRange)?;
        let expires_at = DateTime::from_timestamp(exp, 0).ok_or(TokenError::TimeOutOfRange)?;

        let mut jti = [0u8; 16];
        OsRng.fill_bytes(&mut jti);
        let claims = AccessClaims {
            sub: sub.to_owned(),
            role: role.to_owned(),
            school_id: membership.school_id,
            organisation_id: membership.organisation_id,
            student_id: membership.student_id,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp,
            iat,
            jti: URL_SAFE_NO_PAD.encode(jti),
            ver: token_version,
        };

        let mut header = Header::new(ALGORITHM);
        header.typ = Some("JWT".to_owned());
        header.kid = Some(self.signing_kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.signing_key)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok((token, expires_at))
    }

    /// Verifies `token` and returns its claims.
    ///
    /// Refuses anything but HS256, a missing or unknown `kid`, a bad
    /// signature, an `exp` past or an `iat` ahead by more than
    /// [`LEEWAY_SECONDS`], an issuer or audience other than the configured
    /// ones, a missing claim, and malformed input. Uses the system clock.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        self.verify_at(token, Utc::now().timestamp())
    }

    /// [`TokenKeys::verify`] at `now` (seconds since the epoch) for what
    /// this module checks itself; the library checks a new token's expiry
    /// against the system clock.
    fn verify_at(&self, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
        // A poisoned lock still holds checked claims: entries are whole inserts.
        let held = self.verified.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(token).cloned();
        if let Some(claims) = held {
            if claims.exp.saturating_add_unsigned(LEEWAY_SECONDS) < now {
                return Err(TokenError::Expired);
            }
            return Ok(claims);
        }
        let claims = self.check(token, now)?;
        let mut verified = self.verified.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if verified.len() >= VERIFIED_HELD {
            verified.clear();
        }
        verified.insert(token.into(), claims.clone());
        Ok(claims)
    }

    /// The whole check of a token not seen before.
    fn check(&self, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
        let header = Self::untrusted_header(token)?;
        match header.alg.as_deref() {
            Some("HS256") => {}
            Some(other) => return Err(TokenError::UnsupportedAlgorithm(truncate(other))),
            None => return Err(TokenError::UnsupportedAlgorithm(String::new())),
        }
        let kid = header.kid.ok_or(TokenError::MissingKid)?;
        let key = self.verifying.get(&kid).ok_or_else(|| TokenError::UnknownKid(truncate(&kid)))?;

        let claims = jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)
            .map_err(|e| map_jwt_error(e.into_kind()))?
            .claims;

        let latest_iat = now.saturating_add_unsigned(LEEWAY_SECONDS);
        if claims.iat > latest_iat {
            return Err(TokenError::IssuedInFuture);
        }
        Ok(claims)
    }

    fn untrusted_header(token: &str) -> Result<UntrustedHeader, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(TokenError::Malformed("not three dot-separated parts".to_owned()));
        };
        let json = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|e| TokenError::Malformed(format!("header is not base64url: {e}")))?;
        serde_json::from_slice(&json).map_err(|e| TokenError::Malformed(format!("header is not a JWT header: {e}")))
    }
}

fn truncate(untrusted: &str) -> String {
    untrusted.chars().take(MAX_LOGGED_KID_CHARS).collect()
}

fn map_jwt_error(kind: ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => TokenError::MissingClaim(claim),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => TokenError::UnsupportedAlgorithm(String::new()),
        other => TokenError::Malformed(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISSUER: &str = "passerelle";
    const AUDIENCE: &str = "passerelle-api";

    fn key(kid: &str, fill: u8) -> SigningKey {
        SigningKey { kid: kid.to_owned(), secret: vec![fill; MIN_KEY_BYTES] }
    }

    fn keys_with(keys: Vec<SigningKey>) -> TokenKeys {
        TokenKeys::new(keys, ISSUER.to_owned(), AUDIENCE.to_owned(), Duration::minutes(15)).unwrap()
    }

    fn keys() -> TokenKeys {
        keys_with(vec![key("k1", 1)])
    }

    fn issue_now(keys: &TokenKeys) -> String {
        keys.issue(
            "42",
            "student",
            Membership { school_id: Some(7), student_id: Some(12), ..Membership::default() },
            0,
            Utc::now(),
        )
        .unwrap()
        .0
    }

    fn b64(value: &serde_json::Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
    }

    fn valid_claims() -> serde_json::Value {
        let now = Utc::now().timestamp();
        json!({
            "sub": "42", "role": "admin", "iss": ISSUER, "aud": AUDIENCE,
            "exp": now + 600, "iat": now, "jti": "j",
        })
    }

    fn sign_with(alg: Algorithm, kid: Option<&str>, secret: &[u8], claims: &serde_json::Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    fn decode_part(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn round_trip() {
        let keys = keys();
        let now = Utc::now();
        let (token, expires_at) = keys
            .issue("42", "school_admin", Membership { school_id: Some(7), ..Membership::default() }, 3, now)
            .unwrap();
        assert_eq!(expires_at.timestamp(), now.timestamp() + 15 * 60);

        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.sub, "42");
        assert_eq!(claims.role, "school_admin");
        assert_eq!(claims.school_id, Some(7));
        assert_eq!(claims.organisation_id, None);
        assert_eq!(claims.student_id, None);
        assert_eq!(claims.iss, ISSUER);
        assert_eq!(claims.aud, AUDIENCE);
        assert_eq!(claims.iat, now.timestamp());
        assert_eq!(claims.exp, expires_at.timestamp());
        assert!(!claims.jti.is_empty());
        assert_eq!(claims.ver, 3);

        let header = decode_part(token.split('.').next().unwrap());
        assert_eq!(header["alg"], "HS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["kid"], "k1");
    }

    #[test]
    fn a_token_without_a_version_is_of_version_zero() {
        let token = sign_with(Algorithm::HS256, Some("k1"), &key("k1", 1).secret, &valid_claims());
        assert_eq!(keys().verify(&token).map(|claims| claims.ver), Ok(0));
    }

    #[test]
    fn each_token_gets_its_own_jti() {
        let keys = keys();
        let a = keys.verify(&issue_now(&keys)).unwrap();
        let b = keys.verify(&issue_now(&keys)).unwrap();
        assert_ne!(a.jti, b.jti);
    }

    #[test]
    fn a_token_seen_before_is_still_refused_once_expired_and_a_tampered_copy_is_refused() {
        let keys = keys();
        let token = issue_now(&keys);
        let claims = keys.verify(&token).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), claims, "the second time from memory");
        let after_expiry = claims.exp + i64::try_from(LEEWAY_SECONDS).unwrap() + 1;
        assert_eq!(keys.verify_at(&token, after_expiry), Err(TokenError::Expired));
        let (head, _) = token.rsplit_once('.').unwrap();
        let tampered = format!("{head}.{}", URL_SAFE_NO_PAD.encode([0u8; 32]));
        assert_eq!(keys.verify(&tampered), Err(TokenError::BadSignature));
    }

    #[test]
    fn a_student_token_names_the_student_record() {
        let keys = keys();
        let claims = keys.verify(&issue_now(&keys)).unwrap();
        assert_eq!((claims.school_id, claims.student_id), (Some(7), Some(12)));
        let (old, _) = keys.issue("42", "student", Membership::default(), 0, Utc::now()).unwrap();
        assert_eq!(keys.verify(&old).unwrap().student_id, None, "tokens without it still verify");
    }

    #[test]
    fn alg_none_is_refused() {
        let keys = keys();
        let header = b64(&json!({"alg": "none", "typ": "JWT", "kid": "k1"}));
        let token = format!("{header}.{}.", b64(&valid_claims()));
        assert_eq!(keys.verify(&token), Err(TokenError::UnsupportedAlgorithm("none".to_owned())));
        // Same, with the signature of a genuine token pasted on.
        let genuine_signature = issue_now(&keys).rsplit('.').next().unwrap().to_owned();
        let token = format!("{header}.{}.{genuine_signature}", b64(&valid_claims()));
        assert!(matches!(keys.verify(&token), Err(TokenError::UnsupportedAlgorithm(_))));
    }

    #[test]
    fn header_without_alg_is_refused() {
        let keys = keys();
        let header = b64(&json!({"typ": "JWT", "kid": "k1"}));
        let token = format!("{header}.{}.", b64(&valid_claims()));
        assert!(matches!(keys.verify(&token), Err(TokenError::UnsupportedAlgorithm(_))));
    }

    #[test]
    fn other_hmac_algorithms_with_the_same_key_are_refused() {
        let keys = keys();
        let secret = key("k1", 1).secret;
        for alg in [Algorithm::HS384, Algorithm::HS512] {
            let token = sign_with(alg, Some("k1"), &secret, &valid_claims());
            assert_eq!(
                keys.verify(&token),
                Err(TokenError::UnsupportedAlgorithm(format!("{alg:?}"))),
                "{alg:?} accepted"
            );
        }
        // The control: the same claims signed HS256 pass.
        let token = sign_with(Algorithm::HS256, Some("k1"), &secret, &valid_claims());
        assert!(keys.verify(&token).is_ok());
    }

    #[test]
    fn tampered_payload_is_refused() {
        let keys = keys();
        let token = issue_now(&keys);
        let parts: Vec<&str> = token.split('.').collect();
        let mut claims = decode_part(parts[1]);
        claims["role"] = json!("admin");
        let forged = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
        assert_eq!(keys.verify(&forged), Err(TokenError::BadSignature));
    }

    #[test]
    fn tampered_signature_is_refused() {
        let keys = keys();
        let token = issue_now(&keys);
        let (rest, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[0] ^= 1;
        let forged = format!("{rest}.{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(keys.verify(&forged), Err(TokenError::BadSignature));
    }

    #[test]
    fn expired_token_is_refused() {
        let keys = keys();
        let long_ago = Utc::now() - Duration::hours(2);
        let (token, _) = keys.issue("42", "student", Membership::default(), 0, long_ago).unwrap();
        assert_eq!(keys.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn leeway_is_at_most_thirty_seconds() {
        let keys = keys();
        let issued = Utc::now() - Duration::minutes(15) - Duration::seconds(31);
        let (token, _) = keys.issue("42", "student", Membership::default(), 0, issued).unwrap();
        assert_eq!(keys.verify(&token), Err(TokenError::Expired));

        let issued = Utc::now() - Duration::minutes(15) + Duration::seconds(5);
        let (token, _) = keys.issue("42", "student", Membership::default(), 0, issued).unwrap();
        assert!(keys.verify(&token).is_ok());
    }

    #[test]
    fn token_issued_in_the_future_is_refused() {
        let keys = keys();
        let later = Utc::now() + Duration::minutes(5);
        let (token, _) = keys.issue("42", "student", Membership::default(), 0, later).unwrap();
        assert_eq!(keys.verify(&token), Err(TokenError::IssuedInFuture));
    }

    #[test]
    fn wrong_issuer_is_refused() {
        let other =
            TokenKeys::new(vec![key("k1", 1)], "someone-else".to_owned(), AUDIENCE.to_owned(), Duration::minutes(15))
                .unwrap();
        assert_eq!(keys().verify(&issue_now(&other)), Err(TokenError::WrongIssuer));
    }

    #[test]
    fn wrong_audience_is_refused() {
        let other =
            TokenKeys::new(vec![key("k1", 1)], ISSUER.to_owned(), "another-api".to_owned(), Duration::minutes(15))
                .unwrap();
        assert_eq!(keys().verify(&issue_now(&other)), Err(TokenError::WrongAudience));
    }

    #[test]
    fn missing_claims_are_refused() {
        let keys = keys();
        let secret = key("k1", 1).secret;
        for claim in ["exp", "iat", "iss", "aud", "sub", "role", "jti"] {
            let mut claims = valid_claims();
            claims.as_object_mut().unwrap().remove(claim);
            let token = sign_with(Algorithm::HS256, Some("k1"), &secret, &claims);
            assert!(keys.verify(&token).is_err(), "accepted without {claim}");
        }
    }

    #[test]
    fn unknown_kid_is_refused() {
        let stranger = keys_with(vec![key("k9", 1)]);
        assert_eq!(keys().verify(&issue_now(&stranger)), Err(TokenError::UnknownKid("k9".to_owned())));
    }

    #[test]
    fn missing_kid_is_refused() {
        let token = sign_with(Algorithm::HS256, None, &key("k1", 1).secret, &valid_claims());
        assert_eq!(keys().verify(&token), Err(TokenError::MissingKid));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let keys = keys();
        let token = issue_now(&keys);
        let parts: Vec<&str> = token.split('.').collect();
        for bad in [
            String::new(),
            "garbage".to_owned(),
            "a.b".to_owned(),
            "a.b.c.d".to_owned(),
            format!("{token}.extra"),
            format!("!!!.{}.{}", parts[1], parts[2]),
            format!("{}.{}.{}", b64(&json!("not an object")), parts[1], parts[2]),
            format!("{}.!!!.{}", parts[0], parts[2]),
            format!("{}..{}", parts[0], parts[2]),
        ] {
            assert!(keys.verify(&bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_until_the_old_key_is_removed() {
        let old = key("2024-01", 1);
        let new = key("2024-07", 2);

        let before = keys_with(vec![old.clone()]);
        let old_token = issue_now(&before);

        let during = keys_with(vec![new.clone(), old]);
        assert_eq!(during.signing_kid(), "2024-07");
        assert!(during.verify(&old_token).is_ok());
        let new_token = issue_now(&during);
        assert_eq!(decode_part(new_token.split('.').next().unwrap())["kid"], "2024-07");
        assert!(during.verify(&new_token).is_ok());

        let after = keys_with(vec![new]);
        assert!(after.verify(&new_token).is_ok());
        assert_eq!(after.verify(&old_token), Err(TokenError::UnknownKid("2024-01".to_owned())));
    }

    #[test]
    fn token_naming_a_kid_but_signed_by_another_key_is_refused() {
        let both = keys_with(vec![key("k1", 1), key("k2", 2)]);
        let token = sign_with(Algorithm::HS256, Some("k2"), &key("k1", 1).secret, &valid_claims());
        assert_eq!(both.verify(&token), Err(TokenError::BadSignature));
    }

    #[test]
    fn key_set_validation() {
        let build =
            |keys: Vec<SigningKey>| TokenKeys::new(keys, ISSUER.to_owned(), AUDIENCE.to_owned(), Duration::minutes(15));
        assert_eq!(build(vec![]).unwrap_err(), TokenError::NoKeys);
        let short = SigningKey { kid: "k1".to_owned(), secret: vec![1; MIN_KEY_BYTES - 1] };
        assert_eq!(
            build(vec![short]).unwrap_err(),
            TokenError::KeyTooShort { kid: "k1".to_owned(), len: MIN_KEY_BYTES - 1 }
        );
        assert_eq!(build(vec![key("k1", 1), key("k1", 2)]).unwrap_err(), TokenError::DuplicateKid("k1".to_owned()));
        assert_eq!(build(vec![key("", 1)]).unwrap_err(), TokenError::InvalidKid(String::new()));
        assert!(matches!(build(vec![key("k 1", 1)]), Err(TokenError::InvalidKid(_))));
        assert!(build(vec![key("k1", 1), key("K_2.b-3", 2)]).is_ok());
    }

    #[test]
    fn configuration_validation() {
        let build = |iss: &str, aud: &str, ttl: Duration| {
            TokenKeys::new(vec![key("k1", 1)], iss.to_owned(), aud.to_owned(), ttl)
        };
        assert!(build(ISSUER, AUDIENCE, Duration::seconds(1)).is_ok());
        for (iss, aud, ttl) in [
            ("", AUDIENCE, Duration::minutes(15)),
            (ISSUER, "", Duration::minutes(15)),
            (ISSUER, AUDIENCE, Duration::zero()),
            (ISSUER, AUDIENCE, Duration::seconds(-1)),
        ] {
            assert!(matches!(build(iss, aud, ttl), Err(TokenError::InvalidConfig(_))));
        }
    }

    #[test]
    fn debug_output_holds_no_secret() {
        let secret_text = "a-very-secret-value-of-32-bytes!";
        let signing = SigningKey { kid: "k1".to_owned(), secret: secret_text.as_bytes().to_vec() };
        assert!(!format!("{signing:?}").contains(secret_text));
        let keys = keys_with(vec![signing]);
        let shown = format!("{keys:?}");
        assert!(shown.contains("k1"));
        assert!(!shown.contains(secret_text));
    }

    #[test]
    fn parse_key_list_accepts_well_formed_lists() {
        let keys = TokenKeys::parse_key_list("k1:secret1,k2.b_c-3:sec:ret2\n").unwrap();
        assert_eq!(
            keys,
            vec![
                SigningKey { kid: "k1".to_owned(), secret: b"secret1".to_vec() },
                SigningKey { kid: "k2.b_c-3".to_owned(), secret: b"sec:ret2".to_vec() },
            ]
        );
        let one = TokenKeys::parse_key_list("only:a b c").unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].secret, b"a b c");
    }

    #[test]
    fn parse_key_list_refuses_malformed_lists() {
        assert_eq!(TokenKeys::parse_key_list(""), Err(TokenError::NoKeys));
        assert_eq!(TokenKeys::parse_key_list("  \n"), Err(TokenError::NoKeys));
        for bad in ["k1", "k1:", "k1:a,", ",k1:a", "k1:a,,k2:b", "k1:a,k2"] {
            assert!(
                matches!(TokenKeys::parse_key_list(bad), Err(TokenError::InvalidKeyList(_))),
                "accepted {bad:?}: {:?}",
                TokenKeys::parse_key_list(bad)
            );
        }
        for bad in [":secret", "k 1:secret", "k/1:secret", "clé:secret", "k1:a, k2:b"] {
            assert!(matches!(TokenKeys::parse_key_list(bad), Err(TokenError::InvalidKid(_))), "accepted {bad:?}");
        }
    }

    #[test]
    fn parsed_keys_feed_the_key_set() {
        let parsed =
            TokenKeys::parse_key_list("new:0123456789abcdef0123456789abcdef,old:fedcba9876543210fedcba9876543210")
                .unwrap();
        let keys = keys_with(parsed);
        assert_eq!(keys.signing_kid(), "new");
        assert!(keys.verify(&issue_now(&keys)).is_ok());

        let short = TokenKeys::parse_key_list("k1:too-short").unwrap();
        assert!(matches!(
            TokenKeys::new(short, ISSUER.to_owned(), AUDIENCE.to_owned(), Duration::minutes(15)),
            Err(TokenError::KeyTooShort { .. })
        ));
    }
}
