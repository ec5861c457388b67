//! The one error type of the API and its RFC 9457 `application/problem+json` form.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Violation;
use crate::telemetry::RequestId;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Each problem type: its slug, title and what a client does about it.
pub const PROBLEM_TYPES: &[(&str, &str, &str)] = &[
    ("bad-request", "Bad request", "The request cannot be read: a body that is not JSON, or a header missing or malformed (the detail says which). Fix the request; sending it again unchanged fails again."),
    ("invalid-parameters", "Invalid parameters", "A path or query parameter breaks a rule. `errors` lists each one with its `field` (the parameter name), a `code` and a message saying what is accepted."),
    ("unauthenticated", "Authentication required", "No access token, or one that is invalid, expired or revoked. Sign in (`POST /api/v1/auth/login`) or refresh the token (`POST /api/v1/auth/refresh`) and retry."),
    ("wrong-credentials", "Wrong e-mail or password", "The sign-in failed: the e-mail is unknown or the password is wrong (the answer does not say which). Repeated failures are throttled."),
    ("forbidden", "Forbidden", "The caller is known but this is not theirs to do. For a move of an application, `allowed` lists the moves the caller may make instead."),
    ("not-found", "Not found", "Nothing with this id exists within what the caller may see. Another caller may see it."),
    ("method-not-allowed", "Method not allowed", "The path exists but not with this HTTP method; the `Allow` header lists the methods it takes."),
    ("request-timeout", "Request timeout", "The body did not arrive in time. Retry."),
    ("conflict", "Conflict", "The request is valid but the current state refuses it (a duplicate, a move the state machine does not have, no position left). `allowed` lists what the state allows, when it is a state."),
    ("payload-too-large", "Payload too large", "The body is larger than the operation takes. Send less, for a roster in several imports."),
    ("unsupported-media-type", "Unsupported media type", "The body was sent with a `Content-Type` the operation does not take (JSON, or CSV where said)."),
    ("precondition-failed", "Precondition failed", "The `If-Match` sent does not match the current `ETag`: the resource changed since it was read. Read it again, then retry."),
    ("precondition-required", "Precondition required", "This write needs an `If-Match` header with the `ETag` of the version read."),
    ("validation", "Validation failed", "A field of the body breaks a rule. `errors` lists each one with its `field` (a JSON path such as `requirements[2].min_level`), a `code` and a message saying what is accepted."),
    ("too-many-requests", "Too many requests", "The rate limit for this operation is reached. Wait for the number of seconds in `Retry-After`."),
    ("unavailable", "Service unavailable", "The database is unreachable or the request took too long. Retry later; nothing was half done."),
    ("internal", "Internal server error", "An unexpected error. Quote the `request_id` when reporting it; the cause is in the service's logs under that id."),
    ("client-error", "Client error", "The request was refused; the status and the detail say why."),
];

/// Everything a request can fail with. Each variant maps to one status and one
/// problem `type`; the mapping lives in [`ApiError::parts`] alone.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// Path or query parameters that break a rule: a 400 listing each one.
    #[error("invalid parameters")]
    InvalidParameters(Vec<Violation>),
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    /// A sign-in with an unknown e-mail or a wrong password (one answer for
    /// both, so that it tells nobody which accounts exist).
    #[error("the e-mail or the password is wrong")]
    WrongCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// A move that belongs to someone else: a 403 listing the caller's own moves.
    #[error("{detail}")]
    ForbiddenMove { detail: String, allowed: Vec<String> },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{detail}")]
    Conflict { detail: String, allowed: Option<Vec<String>> },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    UriTooLong(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("validation failed")]
    Validation(Vec<Violation>),
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem, relative to the server: `GET` it for a
    /// page saying what it means and what to do.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    #[schema(example = "Validation failed")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong with this request.
    #[schema(example = "The request body has 1 invalid field.")]
    pub detail: String,
    /// The request path.
    #[schema(example = "/api/v1/offers")]
    pub instance: String,
    /// The request id, also sent as the `X-Request-Id` header and found in the logs.
    #[schema(example = "0b6f3c3e-5a1d-4c8e-9f3a-2d7b1e4c6a90", format = Uuid)]
    pub request_id: String,
    /// For validation problems: each broken rule, naming its field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([{"field": "requirements[2].min_level", "code": "out_of_range", "message": "must be between 1 and 5"}]))]
    pub errors: Option<Vec<Violation>>,
    /// For conflicts about a state: the moves that are allowed from the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["in_review", "rejected"]))]
    pub allowed: Option<Vec<String>>,
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict { detail: detail.into(), allowed: None }
    }

    /// One violation as a 422.
    pub fn invalid(field: &str, code: crate::domain::ViolationCode, message: impl Into<String>) -> Self {
        Self::Validation(vec![Violation::new(field, code, message)])
    }

    /// A list of violations as a 422, or nothing when the list is empty.
    pub fn check(violations: Vec<Violation>) -> Result<(), Self> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Self::Validation(violations))
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            Self::InvalidParameters(_) => (StatusCode::BAD_REQUEST, "invalid-parameters", "Invalid parameters"),
            Self::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required"),
            Self::WrongCredentials => (StatusCode::UNAUTHORIZED, "wrong-credentials", "Wrong e-mail or password"),
            Self::Forbidden(_) | Self::ForbiddenMove { .. } => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            Self::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
            Self::Conflict { .. } => (StatusCode::CONFLICT, "conflict", "Conflict"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large"),
            Self::UriTooLong(_) => (StatusCode::URI_TOO_LONG, "uri-too-long", "URI too long"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
            }
            Self::PreconditionFailed(_) => {
                (StatusCode::PRECONDITION_FAILED, "precondition-failed", "Precondition failed")
            }
            Self::PreconditionRequired(_) => {
                (StatusCode::PRECONDITION_REQUIRED, "precondition-required", "Precondition required")
            }
            Self::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation", "Validation failed"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests", "Too many requests"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal server error"),
        }
    }

    fn detail(&self) -> String {
        match self {
            // Never tell a client about internals; the cause is logged with the request id.
            Self::Internal(_) => "an unexpected error occurred; quote the request id when reporting it".into(),
            Self::Validation(violations) | Self::InvalidParameters(violations) => {
                violations.iter().map(|v| format!("{}: {}", v.field, v.message)).collect::<Vec<_>>().join("; ")
            }
            Self::TooManyRequests { retry_after_seconds } => {
                format!("rate limit reached; retry in {retry_after_seconds} s")
            }
            other => other.to_string(),
        }
    }

    /// The problem document for this error, for a request at `instance`.
    pub fn to_problem(&self, instance: &str, request_id: &str) -> Problem {
        let (status, slug, title) = self.parts();
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: self.detail(),
            instance: instance.into(),
            request_id: request_id.into(),
            errors: match self {
                Self::Validation(violations) | Self::InvalidParameters(violations) => Some(violations.clone()),
                _ => None,
            },
            allowed: match self {
                Self::Conflict { allowed, .. } => allowed.clone(),
                Self::ForbiddenMove { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    /// Answers with a bare problem; the problem middleware fills in `instance`
    /// and `request_id`, which only the request knows.
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            Self::Unauthenticated(_) | Self::WrongCredentials => {
                response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::TooManyRequests { retry_after_seconds } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            _ => {}
        }
        if let Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let problem = self.to_problem("", "");
        let mut built = response.json(&problem);
        built.extensions_mut().insert(ProblemSource(problem));
        built
    }
}

/// Marks a response built from an [`ApiError`] so the middleware can complete it.
#[derive(Clone)]
pub(crate) struct ProblemSource(pub Problem);

/// Generic problem for an error response that did not come from an [`ApiError`]
/// (actix's own 404 and 405, extractor errors without a handler, a panic).
fn problem_for_status(status: StatusCode, detail: Option<String>) -> Problem {
    let slug = match status.as_u16() {
        400 => "bad-request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        408 => "request-timeout",
        413 => "payload-too-large",
        414 => "uri-too-long",
        415 => "unsupported-media-type",
        429 => "too-many-requests",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "client-error",
    };
    let title = status.canonical_reason().unwrap_or("Error").to_owned();
    // Server-side errors never describe internals to the client.
    let detail = match detail {
        Some(detail) if status.is_client_error() && !detail.is_empty() => detail,
        _ => title.clone(),
    };
    Problem {
        problem_type: format!("/problems/{slug}"),
        title,
        status: status.as_u16(),
        detail,
        instance: String::new(),
        request_id: String::new(),
        errors: None,
        allowed: None,
    }
}

/// Middleware: every error response leaves as a complete problem document, with
/// the request path as `instance` and the request id, whoever produced it.
pub async fn problem_details(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let instance = req.path().to_owned();
    let response = next.call(req).await?;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response.map_into_boxed_body());
    }
    let request_id = response.request().extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
    let mut problem = match response.response().extensions().get::<ProblemSource>() {
        Some(ProblemSource(problem)) => problem.clone(),
        None => problem_for_status(status, response.response().error().map(|e| e.to_string())),
    };
    if status.is_server_error() && response.response().extensions().get::<ProblemSource>().is_none() {
        if let Some(error) = response.response().error() {
            tracing::error!(error = %error, "request failed");
        }
    }
    problem.instance = instance;
    problem.request_id = request_id;
    let (request, old) = response.into_parts();
    let mut rebuilt = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rebuilt.append_header((name.clone(), value.clone()));
        }
    }
    rebuilt.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
    Ok(ServiceResponse::new(request, rebuilt.json(problem)))
}

/// Parses a value the service stored itself; one that does not parse is a
/// corrupted row, an internal error.
pub fn parse_stored<T: std::str::FromStr>(text: &str) -> Result<T, ApiError>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|e| ApiError::Internal(anyhow::Error::new(e)))
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {error}"))
    }
}
