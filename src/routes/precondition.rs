//! Optimistic concurrency over HTTP: every editable resource carries an `ETag`
//! naming its version, and a change needs `If-Match` with the current one.

use actix_web::http::header::{HeaderValue, ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

use crate::app::version::{etag, IfMatch};

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

/// The request's `If-Match` header, for the use case to check.
pub fn if_match_of(request: &HttpRequest) -> IfMatch {
    let header = request.headers().get(IF_MATCH);
    IfMatch { sent: header.is_some(), tags: header.and_then(|v| v.to_str().ok()).map(str::to_owned) }
}
