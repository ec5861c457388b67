//! Cursor pagination: `limit` (default 20, at most 100) and an opaque
//! `next_cursor` that resumes after the last item of a page, so that items
//! inserted meanwhile neither repeat nor vanish.
//!
//! A cursor is sealed: it carries an HMAC over its position and the list,
//! order and filters it was issued for, so that a forged cursor, or one
//! carried over to another order or other filters (where the position would
//! silently skip or repeat items), is refused with a 400.

use crate::domain::ViolationCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::domain::Violation;
use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// Query parameters of every paginated list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, with the same order and filters (any other cursor answers
    /// 400); omit it, or leave it empty, for the first page.
    pub cursor: Option<String>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[schema(example = "eyJpZCI6NDJ9")]
    pub next_cursor: Option<String>,
}

impl PageQuery {
    /// The validated limit.
    pub fn limit(&self) -> Result<i64, ApiError> {
        validate_limit(self.limit, DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// The position to resume after, if any, from a cursor sealed for
    /// `scope` (the list, its order and filters). An empty `cursor=` is the
    /// first page, as if absent: clients that template the previous page's
    /// `next_cursor` into the URL send it so.
    pub fn after<K: DeserializeOwned>(&self, seal: &CursorSeal, scope: &str) -> Result<Option<K>, ApiError> {
        self.cursor.as_deref().filter(|c| !c.is_empty()).map(|c| seal.open(scope, c)).transpose()
    }
}

/// Checks a `limit` parameter against its range.
pub fn validate_limit(limit: Option<i64>, default: i64, max: i64) -> Result<i64, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::InvalidParameters(vec![Violation::new(
            "limit",
            ViolationCode::OutOfRange,
            crate::domain::Message::new("limit-out-of-range").arg("max", max),
        )])),
    }
}

/// The key that seals cursors, derived from the token signing key so that
/// every server process of a deployment accepts the cursors of the others.
#[derive(Clone)]
pub struct CursorSeal {
    key: [u8; 32],
}

impl std::fmt::Debug for CursorSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorSeal(..)")
    }
}

/// Bytes of the seal kept in a cursor (128 bits).
const TAG_BYTES: usize = 16;

impl CursorSeal {
    /// A seal keyed by a hash of `secret` under its own label, so that the
    /// cursor key is never the token key itself.
    pub fn derive(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"passerelle cursor seal v1\0");
        hasher.update(secret);
        Self { key: hasher.finalize().into() }
    }

    fn mac(&self, scope: &str, position: &[u8]) -> Hmac<Sha256> {
        // Any key length is accepted by HMAC.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        mac.update(scope.as_bytes());
        mac.update(b"\0");
        mac.update(position);
        mac
    }

    /// The cursor for `key` in `scope`: the position and its seal.
    pub fn seal<K: Serialize>(&self, scope: &str, key: &K) -> String {
        // Serialising plain keys (numbers, strings, tuples of them) cannot fail.
        let position = serde_json::to_vec(key).unwrap_or_default();
        let tag = self.mac(scope, &position).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&position), URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES]))
    }

    /// The position of a cursor this service sealed for `scope`.
    pub fn open<K: DeserializeOwned>(&self, scope: &str, cursor: &str) -> Result<K, ApiError> {
        let invalid = || {
            ApiError::InvalidParameters(vec![Violation::new(
                "cursor",
                ViolationCode::Invalid,
                crate::domain::Message::new("cursor-not-from-this-list"),
            )])
        };
        let (position, tag) = cursor.split_once('.').ok_or_else(invalid)?;
        let position = URL_SAFE_NO_PAD.decode(position).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        if tag.len() != TAG_BYTES {
            return Err(invalid());
        }
        self.mac(scope, &position).verify_truncated_left(&tag).map_err(|_| invalid())?;
        serde_json::from_slice(&position).map_err(|_| invalid())
    }
}

/// Cuts up to `limit + 1` rows fetched after the cursor to one page: the extra
/// row only tells that another page exists. Returns the rows and the next cursor.
pub fn paginate<R, K: Serialize>(
    mut rows: Vec<R>,
    limit: i64,
    seal: &CursorSeal,
    scope: &str,
    key: impl Fn(&R) -> K,
) -> (Vec<R>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| seal.seal(scope, &key(last)))
    } else {
        None
    };
    (rows, next_cursor)
}

impl<T: ToSchema> Page<T> {
    /// A page of views of the rows (see [`paginate`]).
    pub fn from_rows<R, K: Serialize>(
        rows: Vec<R>,
        limit: i64,
        seal: &CursorSeal,
        scope: &str,
        key: impl Fn(&R) -> K,
        view: impl FnMut(R) -> T,
    ) -> Self {
        let (rows, next_cursor) = paginate(rows, limit, seal, scope, key);
        Page { items: rows.into_iter().map(view).collect(), next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_range_are_refused() {
        for (limit, expected) in [
            (None, Some(20)),
            (Some(1), Some(1)),
            (Some(100), Some(100)),
            (Some(0), None),
            (Some(101), None),
            (Some(-3), None),
        ] {
            assert_eq!(validate_limit(limit, 20, 100).ok(), expected, "{limit:?}");
        }
    }

    #[test]
    fn a_cursor_opens_only_in_its_scope_and_unaltered() {
        let seal = CursorSeal::derive(b"a-test-signing-key-of-more-than-32-bytes");
        let page: Page<String> = Page::from_rows(
            vec![(1_i64, "a"), (2, "b"), (3, "c")],
            2,
            &seal,
            "offers newest",
            |r| r.0,
            |r| r.1.to_owned(),
        );
        assert_eq!(page.items, vec!["a", "b"]);
        let cursor = page.next_cursor.expect("a next page");
        let query = |cursor: &str| PageQuery { limit: Some(2), cursor: Some(cursor.to_owned()) };
        assert_eq!(query(&cursor).after::<i64>(&seal, "offers newest").ok().flatten(), Some(2));
        let (position, tag) = cursor.split_once('.').expect("sealed");
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(b"1"));
        let refused = [
            ("another order", cursor.clone(), "offers deadline"),
            ("another key", cursor.clone(), "offers newest"),
            ("forged position", forged, "offers newest"),
            ("no seal", position.to_owned(), "offers newest"),
            ("short seal", format!("{position}.{}", &tag[..4]), "offers newest"),
            ("garbage", "!!".to_owned(), "offers newest"),
        ];
        for (case, cursor, scope) in refused {
            let other_key = CursorSeal::derive(b"another-signing-key-of-more-than-32-bytes");
            let used = if case == "another key" { &other_key } else { &seal };
            assert!(query(&cursor).after::<i64>(used, scope).is_err(), "{case}");
        }
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let seal = CursorSeal::derive(b"a-test-signing-key-of-more-than-32-bytes");
        let page: Page<String> = Page::from_rows(vec![(1_i64, "a")], 2, &seal, "schools", |r| r.0, |r| r.1.to_owned());
        assert!(page.next_cursor.is_none());
    }
}
