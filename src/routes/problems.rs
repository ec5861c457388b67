//! The pages that problem `type` URIs (`/problems/validation`) point to: what
//! each kind of problem means and what a client does about it.

use actix_web::{get, web, HttpResponse};

use crate::error::{ApiError, PROBLEM_TYPES};

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
