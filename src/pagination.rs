//! Cursor pagination: `limit` (default 20, at most 100) and an opaque
//! `next_cursor` that resumes after the last item of a page, so that items
//! inserted meanwhile neither repeat nor vanish.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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
    /// The `next_cursor` of the previous page; omit it, or leave it empty, for the first page.
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

    /// The decoded position to resume after, if any. An empty `cursor=` is
    /// the first page, as if absent: clients that template the previous
    /// page's `next_cursor` into the URL send it so.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, ApiError> {
        self.cursor.as_deref().filter(|c| !c.is_empty()).map(decode_cursor).transpose()
    }
}

/// Checks a `limit` parameter against its range.
pub fn validate_limit(limit: Option<i64>, default: i64, max: i64) -> Result<i64, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::InvalidParameters(vec![Violation::new(
            "limit",
            "out_of_range",
            format!("limit must be between 1 and {max}"),
        )])),
    }
}

fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
    let invalid = || {
        ApiError::InvalidParameters(vec![Violation::new(
            "cursor",
            "invalid",
            "cursor is not one this service returned",
        )])
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

fn encode_cursor<K: Serialize>(key: &K) -> String {
    // Serialising plain keys (numbers, strings, tuples of them) cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Cuts up to `limit + 1` rows fetched after the cursor to one page: the extra
/// row only tells that another page exists. Returns the rows and the next cursor.
pub fn paginate<R, K: Serialize>(mut rows: Vec<R>, limit: i64, key: impl Fn(&R) -> K) -> (Vec<R>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| encode_cursor(&key(last)))
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
        key: impl Fn(&R) -> K,
        view: impl FnMut(R) -> T,
    ) -> Self {
        let (rows, next_cursor) = paginate(rows, limit, key);
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
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let page: Page<String> =
            Page::from_rows(vec![(1_i64, "a"), (2, "b"), (3, "c")], 2, |r| r.0, |r| r.1.to_owned());
        assert_eq!(page.items, vec!["a", "b"]);
        let query = PageQuery { limit: Some(2), cursor: page.next_cursor };
        assert_eq!(query.after::<i64>().ok().flatten(), Some(2));
        let bad = PageQuery { limit: None, cursor: Some("!!".into()) };
        assert!(bad.after::<i64>().is_err());
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let page: Page<String> = Page::from_rows(vec![(1_i64, "a")], 2, |r| r.0, |r| r.1.to_owned());
        assert!(page.next_cursor.is_none());
    }
}
