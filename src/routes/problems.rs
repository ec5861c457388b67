//! The pages that problem `type` URIs (`/problems/validation`) point to: what
//! each kind of problem means and what a client does about it.

use actix_web::{get, web, HttpResponse};

use crate::error::ApiError;

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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The page describing one problem type (not an API operation: the target of
/// the `type` member of every problem).
#[get("/problems/{slug}")]
pub async fn problem_page(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let (_, title, text) =
        PROBLEM_TYPES.iter().find(|(s, _, _)| *s == slug).ok_or_else(|| ApiError::not_found("problem type"))?;
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1><p>{}</p><p>Problem type <code>/problems/{slug}</code> of the Passerelle API, \
         sent as an RFC 9457 <code>application/problem+json</code> document.</p></body></html>\n",
        escape(text)
    );
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_the_service_sends_has_a_page() {
        let errors = [
            ApiError::BadRequest(String::new()),
            ApiError::InvalidParameters(vec![]),
            ApiError::Unauthenticated(String::new()),
            ApiError::WrongCredentials,
            ApiError::Forbidden(String::new()),
            ApiError::NotFound(String::new()),
            ApiError::MethodNotAllowed(String::new()),
            ApiError::conflict(""),
            ApiError::PayloadTooLarge(String::new()),
            ApiError::UnsupportedMediaType(String::new()),
            ApiError::PreconditionFailed(String::new()),
            ApiError::PreconditionRequired(String::new()),
            ApiError::Validation(vec![]),
            ApiError::TooManyRequests { retry_after_seconds: 1 },
            ApiError::Unavailable(String::new()),
            ApiError::Internal(anyhow::anyhow!("x")),
        ];
        for error in errors {
            let problem = error.to_problem("", "");
            let slug = problem.problem_type.trim_start_matches("/problems/");
            let page = PROBLEM_TYPES.iter().find(|(s, _, _)| *s == slug);
            assert_eq!(page.map(|(_, title, _)| *title), Some(problem.title.as_str()), "{slug}");
        }
    }
}
