//! Password hashing with Argon2id, stored as PHC strings
//! (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`).
//!
//! The PHC string carries its own algorithm, version, cost parameters and
//! salt, so hashes made under older settings keep verifying after the
//! configuration is raised; [`PasswordHasher::needs_rehash`] tells when to
//! upgrade one at the next successful login.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use rand::RngCore as _;
use serde::Deserialize;

/// Argon2id cost parameters.
///
/// The defaults are the minimum OWASP's Password Storage Cheat Sheet
/// recommends for Argon2id (19 MiB of memory, 2 iterations, 1 lane): the
/// cheapest setting still considered adequate against GPU cracking, which
/// keeps a login at a few tens of milliseconds of one core on a small
/// server. Raise them when the hardware allows; existing hashes stay valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordParams {
    /// Memory cost in KiB; at least 8 × `lanes`.
    pub memory_kib: u32,
    /// Number of passes over the memory; at least 1.
    pub iterations: u32,
    /// Degree of parallelism; at least 1.
    pub lanes: u32,
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self { memory_kib: 19_456, iterations: 2, lanes: 1 }
    }
}

/// Why a password could not be hashed, or a hasher not built.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The configured cost parameters are outside what Argon2 accepts.
    #[error("invalid argon2 parameters: {0}")]
    InvalidParams(argon2::Error),
    /// Argon2 refused to hash (for example a password longer than 4 GiB).
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
}

/// Hashes and verifies passwords with Argon2id under fixed parameters.
///
/// Cheap to clone; build one at start-up and share it.
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    params: PasswordParams,
    /// Hash of a random password under `params`, verified against when the
    /// account does not exist so that the response takes as long as for a
    /// wrong password and does not reveal which e-mails are registered.
    dummy_phc: String,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("params", &self.params).finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// Builds a hasher for `params`, refusing parameters Argon2 rejects
    /// (zero iterations or lanes, less than 8 KiB of memory per lane).
    ///
    /// Computes one hash up front for [`verify_dummy`](Self::verify_dummy),
    /// so construction costs as much as a login.
    pub fn new(params: PasswordParams) -> Result<Self, PasswordError> {
        let argon2_params = Params::new(params.memory_kib, params.iterations, params.lanes, None)
            .map_err(PasswordError::InvalidParams)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon2_params);
        let mut hasher = Self { argon2, params, dummy_phc: String::new() };
        let mut unguessable = [0u8; 32];
        OsRng.fill_bytes(&mut unguessable);
        hasher.dummy_phc = hasher.hash(&hex::encode(unguessable))?;
        Ok(hasher)
    }

    /// The parameters new hashes are made with.
    pub fn params(&self) -> PasswordParams {
        self.params
    }

    /// Hashes `password` with Argon2id and a fresh random 128-bit salt,
    /// returning the PHC string to store.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2.hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(PasswordError::Hash)
    }

    /// Whether `password` matches the stored PHC string `phc`.
    ///
    /// Uses the cost parameters recorded in `phc`, not the configured ones,
    /// so raising the configuration does not lock anyone out. Anything that
    /// is not a well-formed Argon2id PHC string yields `false`: only this
    /// module writes these hashes, so another algorithm there means
    /// corruption or tampering, not a legacy format to honour.
    #[must_use]
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        if parsed.algorithm != Algorithm::Argon2id.ident() {
            return false;
        }
        self.argon2.verify_password(password.as_bytes(), &parsed).is_ok()
    }

    /// Spends the time of one [`verify`](Self::verify) against a hash made
    /// with the configured parameters, and always fails.
    ///
    /// Call it when the login names an unknown account, so that "unknown
    /// e-mail" and "wrong password" cannot be told apart by response time.
    /// Accounts whose hash predates a parameter change verify at their old
    /// cost, so the two paths match closely only for current hashes.
    pub fn verify_dummy(&self, password: &str) {
        // black_box keeps the optimiser from discarding a result nobody reads.
        std::hint::black_box(self.verify(std::hint::black_box(password), &self.dummy_phc));
    }

    /// Whether `phc` should be replaced by a fresh [`hash`](Self::hash) of
    /// the password (which is known right after a successful
    /// [`verify`](Self::verify)).
    ///
    /// True when any stored cost is below the configured one, when the hash
    /// is not Argon2id version 0x13 with at least a 32-byte output, and when
    /// `phc` cannot be parsed at all.
    #[must_use]
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        if parsed.algorithm != Algorithm::Argon2id.ident() || parsed.version != Some(Version::V0x13.into()) {
            return true;
        }
        if parsed.hash.is_none_or(|output| output.len() < Params::DEFAULT_OUTPUT_LEN) {
            return true;
        }
        let Ok(stored) = Params::try_from(&parsed) else {
            return true;
        };
        stored.m_cost() < self.params.memory_kib
            || stored.t_cost() < self.params.iterations
            || stored.p_cost() < self.params.lanes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest parameters Argon2 accepts, to keep tests fast.
    const CHEAP: PasswordParams = PasswordParams { memory_kib: 8, iterations: 1, lanes: 1 };

    fn cheap() -> PasswordHasher {
        PasswordHasher::new(CHEAP).unwrap()
    }

    #[test]
    fn round_trip() {
        let hasher = cheap();
        let phc = hasher.hash("correct horse battery staple").unwrap();
        assert!(hasher.verify("correct horse battery staple", &phc));
    }

    #[test]
    fn unicode_and_empty_passwords_round_trip() {
        let hasher = cheap();
        for password in ["", "mot de passe é ç ✓", "كلمة السر"] {
            let phc = hasher.hash(password).unwrap();
            assert!(hasher.verify(password, &phc));
        }
    }

    #[test]
    fn wrong_password_is_refused() {
        let hasher = cheap();
        let phc = hasher.hash("correct horse battery staple").unwrap();
        assert!(!hasher.verify("correct horse battery stapler", &phc));
        assert!(!hasher.verify("", &phc));
    }

    #[test]
    fn same_password_gets_different_salts() {
        let hasher = cheap();
        let a = hasher.hash("secret").unwrap();
        let b = hasher.hash("secret").unwrap();
        assert_ne!(a, b);
        assert!(hasher.verify("secret", &a));
        assert!(hasher.verify("secret", &b));
    }

    #[test]
    fn malformed_hashes_are_refused_without_panicking() {
        let hasher = cheap();
        let good = hasher.hash("secret").unwrap();
        let truncated = &good[..good.len() - 10];
        let no_hash = good.rsplit_once('$').unwrap().0;
        for phc in [
            "",
            "secret",
            "$",
            "$argon2id$",
            "$argon2id$v=19$m=8,t=1,p=1$",
            "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=8,t=1,p=1$!!!$!!!",
            "$bcrypt$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            truncated,
            no_hash,
        ] {
            assert!(!hasher.verify("secret", phc), "accepted {phc:?}");
        }
    }

    #[test]
    fn other_argon2_variants_are_refused() {
        let hasher = cheap();
        let params = Params::new(8, 1, 1, None).unwrap();
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let phc = argon2i.hash_password(b"secret", &salt).unwrap().to_string();
        assert!(phc.starts_with("$argon2i$"));
        assert!(!hasher.verify("secret", &phc));
        assert!(hasher.needs_rehash(&phc));
    }

    #[test]
    fn verification_uses_the_parameters_stored_in_the_hash() {
        let old = PasswordHasher::new(PasswordParams { memory_kib: 16, iterations: 2, lanes: 2 }).unwrap();
        let phc = old.hash("secret").unwrap();
        let current = cheap();
        assert!(current.verify("secret", &phc));
        assert!(!current.verify("other", &phc));
    }

    #[test]
    fn defaults_are_the_owasp_minimum() {
        assert_eq!(PasswordParams::default(), PasswordParams { memory_kib: 19_456, iterations: 2, lanes: 1 });
        let hasher = PasswordHasher::new(PasswordParams::default()).unwrap();
        let phc = hasher.hash("secret").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "unexpected PHC string {phc}");
        assert!(hasher.verify("secret", &phc));
        assert!(!hasher.needs_rehash(&phc));
    }

    #[test]
    fn params_deserialize_with_defaults_for_missing_fields() {
        let params: PasswordParams = serde_json::from_str(r#"{"memory_kib": 65536}"#).unwrap();
        assert_eq!(params.memory_kib, 65_536);
        assert_eq!(params.iterations, 2);
        assert_eq!(params.lanes, 1);
        assert!(serde_json::from_str::<PasswordParams>(r#"{"memory": 1}"#).is_err());
    }

    #[test]
    fn invalid_params_are_an_error() {
        for params in [
            PasswordParams { memory_kib: 0, ..CHEAP },
            PasswordParams { iterations: 0, ..CHEAP },
            PasswordParams { lanes: 0, ..CHEAP },
            // Argon2 needs at least 8 KiB per lane.
            PasswordParams { memory_kib: 15, iterations: 1, lanes: 2 },
        ] {
            assert!(matches!(PasswordHasher::new(params), Err(PasswordError::InvalidParams(_))), "accepted {params:?}");
        }
    }

    #[test]
    fn dummy_verification_uses_the_configured_parameters() {
        let hasher = cheap();
        assert!(hasher.dummy_phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert!(!hasher.needs_rehash(&hasher.dummy_phc));
        hasher.verify_dummy("anything");
        hasher.verify_dummy("");
    }

    #[test]
    fn needs_rehash_when_any_stored_cost_is_weaker() {
        let configured = PasswordParams { memory_kib: 32, iterations: 2, lanes: 2 };
        let hasher = PasswordHasher::new(configured).unwrap();
        let phc_with = |params: PasswordParams| PasswordHasher::new(params).unwrap().hash("x").unwrap();

        assert!(!hasher.needs_rehash(&phc_with(configured)));
        assert!(!hasher.needs_rehash(&phc_with(PasswordParams { memory_kib: 64, iterations: 3, lanes: 4 })));
        assert!(hasher.needs_rehash(&phc_with(PasswordParams { memory_kib: 16, ..configured })));
        assert!(hasher.needs_rehash(&phc_with(PasswordParams { iterations: 1, ..configured })));
        assert!(hasher.needs_rehash(&phc_with(PasswordParams { lanes: 1, ..configured })));
        assert!(hasher.needs_rehash("not a hash"));
        assert!(hasher.needs_rehash(""));
    }

    #[test]
    fn debug_output_holds_no_hash() {
        let hasher = cheap();
        let shown = format!("{hasher:?}");
        assert!(shown.contains("memory_kib"));
        assert!(!shown.contains("$argon2id$"));
    }
}
