//! Resource limits that protect the service as a whole: a per-caller rate limit
//! on the expensive routes (search, matching, applying) and a time limit on
//! every request.
//!
//! The rate limit is keyed by the caller's account id, read from the bearer
//! token, so that one partner portal or script cannot starve the others; a
//! request without a valid token is left to the handler, which answers 401.
//! Routes are picked by pattern, so a route added later is limited as soon as
//! it exists.

use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header;
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpResponse, ResponseError};

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::{ApiError, PROBLEM_JSON};
use crate::i18n::Lang;
use crate::telemetry::RequestId;

/// The routes whose cost grows with the data set, limited per caller.
pub const RATE_LIMITED_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/offers"),
    ("GET", "/api/v1/students"),
    ("GET", "/api/v1/students/{id}/matches"),
    ("GET", "/api/v1/students/{id}/matches/{offer_id}"),
    ("GET", "/api/v1/offers/{id}/matches"),
    ("POST", "/api/v1/offers/{id}/applications"),
];

/// Settings of the resource limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Sustained requests per minute each caller may make to the rate-limited
    /// routes, all of them together; 0 turns the limit off.
    pub requests_per_minute: u32,
    /// Requests a caller may make at once before the sustained rate applies.
    pub burst: u32,
    /// Longest time a request may take before it is answered 503; 0 turns the limit off.
    pub request_timeout_ms: u64,
}

impl Default for LimitSettings {
    fn default() -> Self {
        // A person clicking through a portal makes a few such requests a
        // minute; a portal paging through results, a few dozen.
        Self { requests_per_minute: 300, burst: 60, request_timeout_ms: 30_000 }
    }
}

/// The state of the limits, shared by every worker.
pub struct Limits {
    limiter: Option<DefaultKeyedRateLimiter<i64>>,
    /// Each limited route: its method, the fixed start of its pattern, the pattern.
    routes: Vec<(Method, String, ResourceDef)>,
    timeout: Option<Duration>,
}

/// How many callers the limiter remembers before it forgets those whose
/// budget is full again.
const RETAIN_THRESHOLD: usize = 10_000;

impl Limits {
    pub fn new(settings: &LimitSettings) -> Self {
        let limiter = NonZeroU32::new(settings.requests_per_minute).map(|rate| {
            let burst = NonZeroU32::new(settings.burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        let routes = RATE_LIMITED_ROUTES
            .iter()
            .map(|(method, pattern)| {
                let fixed = pattern.split('{').next().unwrap_or_default().to_owned();
                (Method::from_bytes(method.as_bytes()).expect("valid method"), fixed, ResourceDef::new(*pattern))
            })
            .collect();
        let timeout = (settings.request_timeout_ms > 0).then(|| Duration::from_millis(settings.request_timeout_ms));
        Self { limiter, routes, timeout }
    }

    fn is_limited(&self, method: &Method, path: &str) -> bool {
        // The fixed start of a pattern is needed for it to match, and is far
        // cheaper to compare than the pattern's regular expression.
        self.routes.iter().any(|(m, fixed, def)| m == method && path.starts_with(fixed.as_str()) && def.is_match(path))
    }

    /// Spends one request of `account`'s budget, or tells how long to wait.
    fn check(&self, account: i64) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        if limiter.len() > RETAIN_THRESHOLD {
            limiter.retain_recent();
        }
        limiter.check_key(&account).map_err(|not_until| {
            let wait = not_until.wait_time_from(limiter.clock().now());
            ApiError::TooManyRequests { retry_after_seconds: wait.as_secs_f64().ceil().max(1.0) as u64 }
        })
    }
}

/// Middleware: the per-caller rate limit, then the time limit.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limits) = req.app_data::<web::Data<Limits>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    if limits.is_limited(req.method(), req.path()) {
        if let Ok(caller) = Caller::extract(req.request()).into_inner() {
            if let Err(error) = limits.check(caller.account_id) {
                let response = error.error_response();
                return Ok(req.into_response(response));
            }
        }
    }
    let Some(timeout) = limits.timeout else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    // The request cannot be cloned to answer with later (routing needs it
    // unshared), so what the answer needs is taken now.
    let instance = req.path().to_owned();
    let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    match tokio::time::timeout(timeout, next.call(req)).await {
        Ok(response) => response.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            // The handler's future is dropped here; database work already
            // handed to a blocking thread finishes or rolls back on its own.
            tracing::warn!(timeout_ms = timeout.as_millis() as u64, path = %instance, "request timed out");
            let error = ApiError::Unavailable(
                format!("the request took longer than {} ms and was abandoned; retry later", timeout.as_millis())
                    .into(),
            );
            let problem = error.to_problem(&instance, &request_id, lang);
            let mut response = HttpResponse::build(error.status_code());
            response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON)).insert_header((header::RETRY_AFTER, "1"));
            if let Ok(value) = header::HeaderValue::from_str(&request_id) {
                response.insert_header(("x-request-id", value));
            }
            // Without the request, the answer travels as an error that carries
            // its complete response; actix sends that response as it is.
            Err(InternalError::from_response(error, response.json(problem)).into())
        }
    }
}

/// Documents the rate limit in the OpenAPI document: 429 on the limited routes.
/// (The time limit's 503 is among the responses every operation shares.)
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::HttpMethod;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build()
    };
    let limited = Limits::new(&LimitSettings::default());
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (HttpMethod::Get, Method::GET, &mut item.get),
            (HttpMethod::Post, Method::POST, &mut item.post),
            (HttpMethod::Put, Method::PUT, &mut item.put),
            (HttpMethod::Patch, Method::PATCH, &mut item.patch),
            (HttpMethod::Delete, Method::DELETE, &mut item.delete),
        ];
        for (_, method, operation) in operations {
            let Some(operation) = operation.as_mut() else { continue };
            let responses = &mut operation.responses.responses;
            if limited.is_limited(&method, path) && !responses.contains_key("429") {
                let mut response = problem("Rate limit reached for this caller; retry after `Retry-After` seconds");
                response.headers.insert(
                    "Retry-After".into(),
                    utoipa::openapi::header::HeaderBuilder::new()
                        .schema(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::Integer))
                        .description(Some("Seconds to wait"))
                        .build(),
                );
                responses.insert("429".into(), response.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_matched_by_pattern_and_method() {
        let limits = Limits::new(&LimitSettings::default());
        assert!(limits.is_limited(&Method::GET, "/api/v1/offers"));
        assert!(limits.is_limited(&Method::GET, "/api/v1/students/7/matches"));
        assert!(limits.is_limited(&Method::POST, "/api/v1/offers/3/applications"));
        assert!(!limits.is_limited(&Method::POST, "/api/v1/offers"));
        assert!(!limits.is_limited(&Method::GET, "/api/v1/offers/3"));
    }

    #[test]
    fn the_budget_is_per_account() {
        let limits = Limits::new(&LimitSettings { requests_per_minute: 1, burst: 2, request_timeout_ms: 0 });
        assert!(limits.check(1).is_ok());
        assert!(limits.check(1).is_ok());
        assert!(
            matches!(limits.check(1), Err(ApiError::TooManyRequests { retry_after_seconds }) if retry_after_seconds >= 1)
        );
        assert!(limits.check(2).is_ok());
    }
}
