//! Opaque secrets handed to users (refresh and activation tokens) and the
//! digests stored in their place.
//!
//! The database only ever holds [`token_digest`] of a token, so a leaked
//! table cannot be replayed against the API.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// Number of random bytes in a token: 256 bits puts guessing out of reach
/// and is what makes the fast digest in [`token_digest`] sufficient.
pub const TOKEN_BYTES: usize = 32;

/// Returns a fresh token of [`TOKEN_BYTES`] random bytes from the operating
/// system's CSPRNG, encoded as URL-safe base64 without padding (43 ASCII
/// characters) so it can travel in URLs, e-mails and JSON unescaped.
///
/// The raw token goes to the user only; store [`token_digest`] of it.
#[must_use]
pub fn random_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    // The OS generator rather than a userspace one: these tokens are
    // bearer credentials, and a reseeding or fork bug in a userspace RNG
    // would make them predictable.
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Returns the lowercase hex SHA-256 digest of `token`: the value to store
/// and to look a presented token up by.
///
/// A slow, salted password hash is unnecessary here: it exists to make
/// guessing low-entropy human passwords expensive, whereas a token from
/// [`random_token`] carries 256 bits of entropy, so even a fast hash cannot
/// be inverted by search. A deterministic digest is also what allows an
/// indexed lookup by value, which a salted hash would prevent.
#[must_use]
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn random_token_is_43_url_safe_characters_of_32_bytes() {
        let token = random_token();
        assert_eq!(token.len(), 43);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let decoded = URL_SAFE_NO_PAD.decode(&token).unwrap();
        assert_eq!(decoded.len(), TOKEN_BYTES);
    }

    #[test]
    fn random_tokens_do_not_repeat() {
        let tokens: HashSet<String> = (0..1000).map(|_| random_token()).collect();
        assert_eq!(tokens.len(), 1000);
    }

    #[test]
    fn digest_matches_known_sha256_vectors() {
        assert_eq!(token_digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(token_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn digest_is_stable_and_distinguishes_tokens() {
        let a = random_token();
        let b = random_token();
        assert_eq!(token_digest(&a), token_digest(&a));
        assert_ne!(token_digest(&a), token_digest(&b));
        assert_eq!(token_digest(&a).len(), 64);
        assert!(!token_digest(&a).contains(&a));
    }
}
