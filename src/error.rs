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
use crate::i18n::{Lang, Message};
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
    BadRequest(Message),
    /// Path or query parameters that break a rule: a 400 listing each one.
    #[error("invalid parameters")]
    InvalidParameters(Vec<Violation>),
    #[error("authentication required: {0}")]
    Unauthenticated(Message),
    /// A sign-in with an unknown e-mail or a wrong password (one answer for
    /// both, so that it tells nobody which accounts exist).
    #[error("the e-mail or the password is wrong")]
    WrongCredentials,
    #[error("{0}")]
    Forbidden(Message),
    /// A move that belongs to someone else: a 403 listing the caller's own moves.
    #[error("{detail}")]
    ForbiddenMove { detail: Message, allowed: Vec<String> },
    #[error("{0}")]
    NotFound(Message),
    #[error("{0}")]
    MethodNotAllowed(Message),
    #[error("{detail}")]
    Conflict { detail: Message, allowed: Option<Vec<String>> },
    #[error("{0}")]
    PayloadTooLarge(Message),
    #[error("{0}")]
    UnsupportedMediaType(Message),
    #[error("{0}")]
    UriTooLong(Message),
    #[error("{0}")]
    PreconditionFailed(Message),
    #[error("{0}")]
    PreconditionRequired(Message),
    #[error("validation failed")]
    Validation(Vec<Violation>),
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(Message),
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
    /// Nothing is served at this path: the answer of unknown routes and of
    /// unknown portal files alike.
    pub fn no_resource_at(path: &str) -> Self {
        Self::NotFound(Message::new("no-resource-at").arg("path", path.to_owned()))
    }

    /// `what` (an English noun of [`THINGS`]) is not found; its name is
    /// translated with the message.
    pub fn not_found(what: &str) -> Self {
        let thing = match THINGS.iter().find(|(noun, _)| *noun == what) {
            Some((_, id)) => Message::new(id),
            None => Message::from(what.to_owned()),
        };
        Self::NotFound(Message::new("not-found").arg("what", thing))
    }

    pub fn conflict(detail: impl Into<Message>) -> Self {
        Self::Conflict { detail: detail.into(), allowed: None }
    }

    /// One violation as a 422.
    pub fn invalid(field: &str, code: crate::domain::ViolationCode, message: impl Into<Message>) -> Self {
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

    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request"),
            Self::InvalidParameters(_) => (StatusCode::BAD_REQUEST, "invalid-parameters"),
            Self::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::WrongCredentials => (StatusCode::UNAUTHORIZED, "wrong-credentials"),
            Self::Forbidden(_) | Self::ForbiddenMove { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found"),
            Self::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
            Self::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large"),
            Self::UriTooLong(_) => (StatusCode::URI_TOO_LONG, "uri-too-long"),
            Self::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
            Self::PreconditionFailed(_) => (StatusCode::PRECONDITION_FAILED, "precondition-failed"),
            Self::PreconditionRequired(_) => (StatusCode::PRECONDITION_REQUIRED, "precondition-required"),
            Self::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The detail, or `None` for the one made from the violations or the title.
    fn detail(&self) -> Option<Message> {
        Some(match self {
            // Never tell a client about internals; the cause is logged with the request id.
            Self::Internal(_) => Message::new("detail-internal"),
            Self::WrongCredentials => Message::new("detail-wrong-credentials"),
            Self::Validation(_) | Self::InvalidParameters(_) => return None,
            Self::TooManyRequests { retry_after_seconds } => {
                Message::new("detail-too-many-requests").arg("seconds", *retry_after_seconds)
            }
            Self::BadRequest(detail)
            | Self::Unauthenticated(detail)
            | Self::Forbidden(detail)
            | Self::ForbiddenMove { detail, .. }
            | Self::NotFound(detail)
            | Self::MethodNotAllowed(detail)
            | Self::Conflict { detail, .. }
            | Self::PayloadTooLarge(detail)
            | Self::UnsupportedMediaType(detail)
            | Self::UriTooLong(detail)
            | Self::PreconditionFailed(detail)
            | Self::PreconditionRequired(detail)
            | Self::Unavailable(detail) => detail.clone(),
        })
    }

    /// The problem, its texts not yet in a language.
    fn draft(&self) -> ProblemDraft {
        let (status, slug) = self.parts();
        ProblemDraft {
            status,
            slug,
            title: None,
            detail: self.detail(),
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

    /// The problem document for this error, for a request at `instance`, in `lang`.
    pub fn to_problem(&self, instance: &str, request_id: &str, lang: Lang) -> Problem {
        self.draft().render(instance, request_id, lang)
    }
}

/// The English nouns [`ApiError::not_found`] takes, with the id of their name.
const THINGS: &[(&str, &str)] = &[
    ("account", "thing-account"),
    ("application", "thing-application"),
    ("campaign", "thing-campaign"),
    ("delivery", "thing-delivery"),
    ("offer", "thing-offer"),
    ("offer in this campaign", "thing-offer-in-campaign"),
    ("organisation", "thing-organisation"),
    ("placement", "thing-placement"),
    ("problem type", "thing-problem-type"),
    ("school", "thing-school"),
    ("skill", "thing-skill"),
    ("student", "thing-student"),
    ("student profile", "thing-student-profile"),
    ("student profile or offer in the matching index", "thing-profile-or-offer-indexed"),
    ("training", "thing-training"),
    ("webhook", "thing-webhook"),
];

/// A problem whose texts are rendered once the request's language is known.
#[derive(Debug, Clone)]
pub(crate) struct ProblemDraft {
    status: StatusCode,
    slug: &'static str,
    /// A title other than the problem type's (actix's own errors).
    title: Option<Message>,
    /// `None`: the violations, each as `field: message`, or else the title.
    detail: Option<Message>,
    errors: Option<Vec<Violation>>,
    allowed: Option<Vec<String>>,
}

impl ProblemDraft {
    fn render(&self, instance: &str, request_id: &str, lang: Lang) -> Problem {
        let title = match &self.title {
            Some(title) => title.render(lang),
            None => problem_title(self.slug, lang),
        };
        let errors: Option<Vec<Violation>> = self.errors.as_ref().map(|violations| {
            violations
                .iter()
                .map(|v| Violation { message: Message::from(v.message.render(lang)), ..v.clone() })
                .collect()
        });
        let detail = match (&self.detail, &errors) {
            (Some(detail), _) => detail.render(lang),
            (None, Some(errors)) => {
                errors.iter().map(|v| format!("{}: {}", v.field, v.message)).collect::<Vec<_>>().join("; ")
            }
            (None, None) => title.clone(),
        };
        Problem {
            problem_type: format!("/problems/{}", self.slug),
            title,
            status: self.status.as_u16(),
            detail,
            instance: instance.into(),
            request_id: request_id.into(),
            errors,
            allowed: self.allowed.clone(),
        }
    }
}

/// The title of the problem type `slug` in `lang`.
pub fn problem_title(slug: &str, lang: Lang) -> String {
    crate::i18n::text(lang, &format!("problem-{slug}"))
}

/// What a client does about the problem type `slug`, in `lang`.
pub fn problem_description(slug: &str, lang: Lang) -> String {
    crate::i18n::text(lang, &format!("problem-{slug}-description"))
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    /// Answers with a bare problem; the problem middleware fills in `instance`
    /// and `request_id`, which only the request knows, and renders the texts
    /// in the request's language.
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
        let draft = self.draft();
        let mut built = response.json(draft.render("", "", Lang::default()));
        built.extensions_mut().insert(ProblemSource(draft));
        built
    }
}

/// Marks a response built from an [`ApiError`] so the middleware can complete it.
#[derive(Clone)]
pub(crate) struct ProblemSource(pub ProblemDraft);

/// Generic problem for an error response that did not come from an [`ApiError`]
/// (actix's own 404 and 405, extractor errors without a handler, a panic).
fn problem_for_status(status: StatusCode, detail: Option<String>) -> ProblemDraft {
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
    // A status of its own slug takes the slug's title; the catch-all keeps
    // the status's reason phrase.
    let title =
        (slug == "client-error").then(|| Message::from(status.canonical_reason().unwrap_or("Error").to_owned()));
    // Server-side errors never describe internals to the client.
    let detail = match detail {
        Some(detail) if status.is_client_error() && !detail.is_empty() => Some(Message::from(detail)),
        _ => None,
    };
    ProblemDraft { status, slug, title, detail, errors: None, allowed: None }
}

/// Middleware: every error response leaves as a complete problem document, with
/// the request path as `instance`, the request id and its texts in the
/// request's language, whoever produced it.
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
    let lang = response.request().extensions().get::<Lang>().copied().unwrap_or_default();
    let draft = match response.response().extensions().get::<ProblemSource>() {
        Some(ProblemSource(draft)) => draft.clone(),
        None => problem_for_status(status, response.response().error().map(|e| e.to_string())),
    };
    if status.is_server_error() && response.response().extensions().get::<ProblemSource>().is_none() {
        if let Some(error) = response.response().error() {
            tracing::error!(error = %error, "request failed");
        }
    }
    let problem = draft.render(&instance, &request_id, lang);
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
