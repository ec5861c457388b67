//! Optimistic concurrency over HTTP: every editable resource carries an `ETag`
//! naming its version, and a change needs `If-Match` with the current one.

use actix_web::http::header::{HeaderValue, ETAG, IF_MATCH, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

use crate::app::version::{etag, none_match, IfMatch};

/// Adds the `ETag` header.
pub fn with_etag(mut response: HttpResponseBuilder, version: i64) -> HttpResponseBuilder {
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.insert_header((ETAG, value));
    }
    response
}

/// A JSON answer with its `ETag`.
pub fn tagged_json<T: serde::Serialize>(response: HttpResponseBuilder, version: i64, body: &T) -> HttpResponse {
    crate::routes::body::json(with_etag(response, version), body)
}

/// A read with its `ETag`: 304 without a body when the request's
/// `If-None-Match` names the current version, else the JSON.
pub fn conditional_json<T: serde::Serialize>(request: &HttpRequest, version: i64, body: &T) -> HttpResponse {
    let header = request.headers().get(IF_NONE_MATCH).map(|v| v.to_str().unwrap_or_default());
    if none_match(header, version) {
        with_etag(HttpResponse::NotModified(), version).finish()
    } else {
        tagged_json(HttpResponse::Ok(), version, body)
    }
}

/// The request's `If-Match` header, for the use case to check.
pub fn if_match_of(request: &HttpRequest) -> IfMatch {
    let header = request.headers().get(IF_MATCH);
    IfMatch { sent: header.is_some(), tags: header.and_then(|v| v.to_str().ok()).map(str::to_owned) }
}
