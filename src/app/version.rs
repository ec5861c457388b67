//! Optimistic concurrency: every editable resource has a version, named by its
//! entity tag, and a change states the version it was read at (`If-Match`).
//! The routes read the header; the use cases compare it inside their
//! transaction, after the content is validated. Pollers ask for what changed
//! since an instant (`updated_since`) or whether a version is still current
//! (`If-None-Match`).

use crate::domain::{Violation, ViolationCode};
use crate::error::ApiError;
use crate::i18n::Message;

/// The entity tag of a version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Whether an `If-None-Match` header names the current version, so that a GET
/// answers 304. RFC 9110 wants the weak comparison here: `W/"v3"` and `"v3"`
/// are the same version; `*` matches any existing resource. An unreadable
/// header matches nothing (the full answer is always correct).
pub fn none_match(header: Option<&str>, current_version: i64) -> bool {
    header.is_some_and(|header| names_version(header, &etag(current_version)))
}

/// Whether a list of entity tags (`If-Match` or `If-None-Match`) names the
/// current one, weakly (`W/"v3"` is `"v3"`), or is `*`.
fn names_version(header: &str, current: &str) -> bool {
    header.split(',').map(str::trim).any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == current)
}

/// Reads an `updated_since` parameter: an RFC 3339 date-time, kept as UTC.
/// Pollers pass the greatest `updated_at` they have seen and get what changed
/// strictly after it.
pub fn updated_since(value: Option<&str>) -> Result<Option<chrono::NaiveDateTime>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    chrono::DateTime::parse_from_rfc3339(value.trim()).map(|at| Some(at.naive_utc())).map_err(|_| {
        ApiError::InvalidParameters(vec![Violation::new(
            "updated_since",
            ViolationCode::InvalidFormat,
            Message::new("invalid-updated-since"),
        )])
    })
}

/// What the caller sent as `If-Match`.
#[derive(Debug, Clone, Default)]
pub struct IfMatch {
    /// Whether the header was there at all.
    pub sent: bool,
    /// Its text, when readable.
    pub tags: Option<String>,
}

impl IfMatch {
    /// Checks against the current version: 428 without a readable header, 412 when stale.
    pub fn require(&self, current_version: i64) -> Result<(), ApiError> {
        let header =
            self.tags.as_deref().ok_or_else(|| ApiError::PreconditionRequired(Message::new("if-match-required")))?;
        let current = etag(current_version);
        if names_version(header, &current) {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(Message::new("changed-since-read-now").arg("etag", current)))
        }
    }

    /// Checks only when the caller sent one.
    pub fn check_if_sent(&self, current_version: i64) -> Result<(), ApiError> {
        if self.sent {
            self.require(current_version)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::none_match;

    #[test]
    fn if_none_match_uses_the_weak_comparison() {
        let cases: &[(Option<&str>, bool)] = &[
            (None, false),
            (Some(""), false),
            (Some("\"v3\""), true),
            (Some("W/\"v3\""), true),
            (Some("\"v2\""), false),
            (Some("\"v2\", W/\"v3\""), true),
            (Some("\"v2\",\"v4\""), false),
            (Some("*"), true),
            (Some("v3"), false),
            (Some("W/v3"), false),
        ];
        for (header, expected) in cases {
            assert_eq!(none_match(*header, 3), *expected, "{header:?}");
        }
    }
}
