//! Optimistic concurrency: every editable resource has a version, named by its
//! entity tag, and a change states the version it was read at (`If-Match`).
//! The routes read the header; the use cases compare it inside their
//! transaction, after the content is validated.

use crate::error::ApiError;

/// The entity tag of a version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
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
        let header = self
            .tags
            .as_deref()
            .ok_or_else(|| ApiError::PreconditionRequired("send If-Match with the ETag you read".into()))?;
        let current = etag(current_version);
        let matches = header
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag == current || tag.strip_prefix("W/") == Some(&current));
        if matches {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(
                format!("the resource changed since you read it; it is now {current}").into(),
            ))
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
