//! The pages that problem `type` URIs (`/problems/validation`) point to: what
//! each kind of problem means and what a client does about it.

use actix_web::{get, web, HttpResponse};

use crate::error::{problem_description, problem_title, ApiError, PROBLEM_TYPES};
use crate::i18n::Lang;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The page describing one problem type (not an API operation: the target of
/// the `type` member of every problem).
#[get("/problems/{slug}")]
pub async fn problem_page(path: web::Path<String>, lang: Lang) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    if !PROBLEM_TYPES.iter().any(|(s, _, _)| *s == slug) {
        return Err(ApiError::not_found("problem type"));
    }
    let title = escape(&problem_title(&slug, lang));
    let text = escape(&problem_description(&slug, lang));
    let footer = crate::domain::Message::new("problem-page-footer").arg("slug", slug.as_str()).render(lang);
    let body = format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1><p>{text}</p><p>{footer}</p></body></html>\n",
        lang.tag()
    );
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_english_titles_and_descriptions_are_the_documented_ones() {
        for (slug, title, description) in PROBLEM_TYPES {
            assert_eq!(problem_title(slug, Lang::En), *title, "{slug}");
            assert_eq!(problem_description(slug, Lang::En), *description, "{slug}");
            assert_ne!(problem_title(slug, Lang::Fr), *title, "{slug} has no French title");
        }
    }

    #[test]
    fn every_problem_the_service_sends_has_a_page() {
        let errors = [
            ApiError::BadRequest(String::new().into()),
            ApiError::InvalidParameters(vec![]),
            ApiError::Unauthenticated(String::new().into()),
            ApiError::WrongCredentials,
            ApiError::Forbidden(String::new().into()),
            ApiError::NotFound(String::new().into()),
            ApiError::MethodNotAllowed(String::new().into()),
            ApiError::conflict(""),
            ApiError::PayloadTooLarge(String::new().into()),
            ApiError::UnsupportedMediaType(String::new().into()),
            ApiError::PreconditionFailed(String::new().into()),
            ApiError::PreconditionRequired(String::new().into()),
            ApiError::Validation(vec![]),
            ApiError::TooManyRequests { retry_after_seconds: 1 },
            ApiError::Unavailable(String::new().into()),
            ApiError::Internal(anyhow::anyhow!("x")),
        ];
        for error in errors {
            for lang in Lang::ALL {
                let problem = error.to_problem("", "", lang);
                let slug = problem.problem_type.trim_start_matches("/problems/");
                assert!(PROBLEM_TYPES.iter().any(|(s, _, _)| *s == slug), "{slug}");
                assert_eq!(problem_title(slug, lang), problem.title, "{slug}");
            }
        }
    }
}
