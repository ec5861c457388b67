//! Which access tokens are revoked, answered from memory on every request.
//!
//! Access tokens are stateless JWTs, so revoking one early needs state: each
//! account has a token version (raised by signing out everywhere, a password
//! change or disabling the account) and a disabled flag. Only accounts that
//! differ from the default (version 0, enabled) are held; they are loaded at
//! start and kept fresh from the change feed, like the matching index, so a
//! revocation reaches every server process within the feed's polling period,
//! and the process that made it before its request returns.

use std::collections::HashMap;
use std::sync::RwLock;

/// What decides whether an account's tokens are accepted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountTokens {
    /// Tokens issued at a lower version are revoked.
    pub token_version: i64,
    /// A disabled (or erased) account has no valid token at all.
    pub disabled: bool,
}

/// Whether a token issued at `token_version` is still valid for an account in `state`.
pub fn admits(state: AccountTokens, token_version: i64) -> bool {
    !state.disabled && token_version >= state.token_version
}

/// The revocation state of the accounts that have any.
#[derive(Debug, Default)]
pub struct Revocations {
    accounts: RwLock<HashMap<i64, AccountTokens>>,
}

impl Revocations {
    /// Starts from the accounts that have a revocation state.
    pub fn new(accounts: impl IntoIterator<Item = (i64, AccountTokens)>) -> Self {
        let revocations = Self::default();
        revocations.update(accounts);
        revocations
    }

    /// Records the current state of some accounts; one back to the default is forgotten.
    pub fn update(&self, accounts: impl IntoIterator<Item = (i64, AccountTokens)>) {
        // A poisoned lock still holds a consistent map: updates are single inserts.
        let mut held = self.accounts.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (id, state) in accounts {
            if state == AccountTokens::default() {
                held.remove(&id);
            } else {
                held.insert(id, state);
            }
        }
    }

    /// Whether a token of `account_id` issued at `token_version` is still valid.
    pub fn admits(&self, account_id: i64, token_version: i64) -> bool {
        let held = self.accounts.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        admits(held.get(&account_id).copied().unwrap_or_default(), token_version)
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.accounts.read().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let state = |token_version, disabled| AccountTokens { token_version, disabled };
        // (account state, token version, admitted)
        let cases = [
            (state(0, false), 0, true),
            (state(0, false), 5, true),
            (state(1, false), 0, false),
            (state(1, false), 1, true),
            (state(1, false), 2, true),
            (state(7, false), 6, false),
            (state(0, true), 0, false),
            (state(3, true), 3, false),
            (state(3, true), 9, false),
        ];
        for (account, version, admitted) in cases {
            assert_eq!(admits(account, version), admitted, "{account:?} with a token of version {version}");
        }
    }

    #[test]
    fn unknown_accounts_have_the_default_state_and_defaults_are_not_held() {
        let revocations = Revocations::new([
            (1, AccountTokens { token_version: 2, disabled: false }),
            (2, AccountTokens { token_version: 0, disabled: true }),
        ]);
        assert!(revocations.admits(99, 0));
        assert!(!revocations.admits(1, 1));
        assert!(revocations.admits(1, 2));
        assert!(!revocations.admits(2, 5));
        assert_eq!(revocations.held(), 2);

        revocations.update([(2, AccountTokens::default()), (3, AccountTokens { token_version: 1, disabled: false })]);
        assert!(revocations.admits(2, 0));
        assert!(!revocations.admits(3, 0));
        assert_eq!(revocations.held(), 2);
    }
}
