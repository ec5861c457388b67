//! The reference portal's files: served from the binary under `/portal/`
//! with a strict Content-Security-Policy and the right content types.

use crate::helpers::spawn_app;

const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                      connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

#[tokio::test]
async fn the_portal_is_served_with_a_strict_policy() {
    let app = spawn_app().await;
    for (path, content_type, needle) in [
        ("/portal/", "text/html; charset=utf-8", "<script type=\"module\" src=\"app.js\">"),
        ("/portal/index.html", "text/html; charset=utf-8", "<div id=\"app\">"),
        ("/portal/app.js", "text/javascript; charset=utf-8", "import"),
        ("/portal/styles.css", "text/css; charset=utf-8", "body"),
        ("/portal/vendor/LICENSE-preact", "text/plain; charset=utf-8", "MIT"),
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert_eq!(headers["content-type"], content_type, "{path}");
        assert_eq!(headers["content-security-policy"], POLICY, "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        let body = response.text().await.expect("body");
        assert!(body.contains(needle), "{path}");
    }
}

#[tokio::test]
async fn the_bare_path_redirects_and_unknown_files_are_not_found() {
    let app = spawn_app().await;
    let response = app.get("/portal", None).await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/portal/");
    for path in ["/portal/nothing.js", "/portal/../Cargo.toml", "/portal/views/"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
    }
}

#[tokio::test]
async fn the_portal_is_not_in_the_document() {
    let app = spawn_app().await;
    let document = crate::helpers::json(app.get("/api-docs/openapi.json", None).await).await;
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.keys().all(|path| !path.starts_with("/portal")));
}
