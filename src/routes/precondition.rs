//! Optimistic concurrency: every editable resource carries an `ETag` naming
//! its version, and a change needs `If-Match` with the current one.

use actix_web::http::header::{HeaderValue, ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

use crate::error::ApiError;

/// The entity tag of a version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// Adds the `ETag` header.
pub fn with_etag(mut response: HttpResponseBuilder, version: i64) -> HttpResponseBuilder {
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.insert_header((ETAG, value));
    }
    response
}

/// A JSON answer with its `ETag`.
pub fn tagged_json<T: serde::Serialize>(response: HttpResponseBuilder, version: i64, body: &T) -> HttpResponse {
    with_etag(response, version).json(body)
}

/// Checks `If-Match` against the current version: 428 without it, 412 when stale.
pub fn require_if_match(if_match: Option<&HeaderValue>, current_version: i64) -> Result<(), ApiError> {
    let header = if_match
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::PreconditionRequired("send If-Match with the ETag you read".into()))?;
    let current = etag(current_version);
    let matches = header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current || tag.strip_prefix("W/") == Some(&current));
    if matches {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(format!("the resource changed since you read it; it is now {current}")))
    }
}

/// Checks `If-Match` only when the caller sent one.
pub fn check_optional_if_match(if_match: Option<&HeaderValue>, current_version: i64) -> Result<(), ApiError> {
    match if_match {
        Some(_) => require_if_match(if_match, current_version),
        None => Ok(()),
    }
}

/// The request's `If-Match` header, to check on the blocking pool.
pub fn if_match_of(request: &HttpRequest) -> Option<HeaderValue> {
    request.headers().get(IF_MATCH).cloned()
}
