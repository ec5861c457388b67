//! The reference portal: a single-page app under `/portal/`, built only on
//! the public API. Its files are embedded at build time, so the binary serves
//! it with nothing else installed. Not part of the OpenAPI document, like
//! `/docs`.
//!
//! Anyone may fetch these files: they hold no data, only code that calls the
//! API with the caller's own token.
//!
//! An unknown path under `/portal/` is a 404: the app keeps its place in
//! memory, not in the URL, so there are no client-side paths to fall back for.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;

/// Everything the portal may load comes from this origin; no inline script or
/// style, no framing, no foreign form targets.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

macro_rules! portal_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/portal/", $path)) as &[u8])),*]
    };
}

/// The portal's files by their path under `/portal/`.
const FILES: &[(&str, &[u8])] = portal_files![
    "index.html",
    "styles.css",
    "app.js",
    "api.js",
    "i18n.js",
    "locales/fr.js",
    "locales/en.js",
    "views/login.js",
    "views/home.js",
    "views/common.js",
    "views/charts.js",
    "views/student.js",
    "views/agreements.js",
    "views/recruiter.js",
    "views/school.js",
    "views/committee.js",
    "views/profile.js",
    "views/offer-form.js",
    "views/roster.js",
    "html.js",
    "vendor/preact.module.js",
    "vendor/hooks.module.js",
    "vendor/htm.module.js",
    "vendor/LICENSE-preact",
    "vendor/LICENSE-htm",
];

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

/// `/portal` → `/portal/`, so relative module paths resolve.
pub async fn redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/portal/")).finish()
}

/// One embedded file, `index.html` for the root.
pub async fn file(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let rest = req.match_info().query("file");
    let path = if rest.is_empty() { "index.html" } else { rest };
    let body = FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, body)| *body)
        .ok_or_else(|| ApiError::no_resource_at(req.path()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type(path)))
        .insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}

/// Mounts the portal outside the documented API.
pub fn mount(config: &mut web::ServiceConfig) {
    config.route("/portal", web::get().to(redirect)).route("/portal/{file:.*}", web::get().to(file));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        for (path, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("styles.css", "text/css; charset=utf-8"),
            ("vendor/LICENSE-htm", "text/plain; charset=utf-8"),
        ] {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }
}
