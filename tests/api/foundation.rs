//! The service foundation: errors as problem+json, health, reference data,
//! pagination, CORS, metrics, request ids and the committed OpenAPI document.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn health_live_and_ready_answer_ok() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(json(response).await, json!({"status": "ok"}));
    }
}

#[tokio::test]
async fn readiness_follows_the_database_down_and_back() {
    let app = spawn_app().await;
    if !app.database.is_postgres() {
        // An embedded SQLite file cannot become unreachable while open; the
        // PostgreSQL run of this test covers the outage.
        assert_eq!(app.get("/health/ready", None).await.status(), 200);
        return;
    }
    let crate::helpers::TestDatabase::Postgres { server, name, .. } = &app.database else { unreachable!() };
    let admin = |sql: String| {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = diesel::PgConnection::establish(server).expect("server");
        conn.batch_execute(&sql).expect("admin statement");
    };
    admin(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"));
    admin(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"));
    let down = app.get("/health/ready", None).await;
    let body = assert_problem(down, 503).await;
    assert_eq!(body["type"], "/problems/unavailable");
    admin(format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"));
    let mut status = 0;
    for _ in 0..20 {
        status = app.get("/health/ready", None).await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(status, 200, "ready again once the database is back, without a restart");
}

#[tokio::test]
async fn k8s_finds_kubernetes() {
    let app = spawn_app().await;
    let body = json(app.get("/api/v1/skills?q=k8s", None).await).await;
    let slugs: Vec<&str> = body["items"].as_array().unwrap().iter().filter_map(|s| s["slug"].as_str()).collect();
    assert!(slugs.contains(&"kubernetes"), "{body}");
    let one = json(app.get("/api/v1/skills/k8s", None).await).await;
    assert_eq!(one["slug"], "kubernetes");
    assert!(one["aliases"].as_array().unwrap().contains(&json!("k8s")));
}

#[tokio::test]
async fn skill_search_matches_labels_case_insensitively_and_filters_by_domain() {
    let app = spawn_app().await;
    let body = json(app.get("/api/v1/skills?q=MACHINE&limit=100", None).await).await;
    assert!(body["items"].as_array().unwrap().iter().any(|s| s["slug"] == "machine-learning"), "{body}");
    let body = json(app.get("/api/v1/skills?domain=testing&limit=100", None).await).await;
    let items = body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|s| s["domain"] == "testing"), "{body}");
    // A LIKE wildcard in the query is taken literally.
    let body = json(app.get("/api/v1/skills?q=%25", None).await).await;
    assert_eq!(body["items"], json!([]));
}

async fn collect_all(app: &crate::helpers::TestApp, path: &str, key: &str, limit: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let page = json(app.get(&url, None).await).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        seen.extend(items.iter().map(|i| i[key].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn pagination_loses_and_repeats_nothing() {
    let app = spawn_app().await;
    let everything = collect_all(&app, "/api/v1/skills", "slug", 100).await;
    let paged = collect_all(&app, "/api/v1/skills", "slug", 7).await;
    assert!(everything.len() >= 150);
    assert_eq!(paged, everything);
    assert_eq!(paged.iter().collect::<HashSet<_>>().len(), paged.len(), "no repeats");
    let schools = collect_all(&app, "/api/v1/schools", "code", 3).await;
    assert!(schools.contains(&"ECC".to_owned()) && schools.contains(&"ENSAM-RABAT".to_owned()));
    let organisations = collect_all(&app, "/api/v1/organisations", "code", 2).await;
    assert!(organisations.contains(&"AXA-GO".to_owned()));
}

#[tokio::test]
async fn bad_pagination_parameters_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (path, field) in [
        ("/api/v1/skills?limit=0", "limit"),
        ("/api/v1/skills?limit=101", "limit"),
        ("/api/v1/schools?cursor=not-a-cursor", "cursor"),
        ("/api/v1/organisations?limit=abc", "limit"),
    ] {
        let body = assert_problem(app.get(path, None).await, 400).await;
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
    }
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_problems() {
    let app = spawn_app().await;
    let body = assert_problem(app.get("/api/v1/nothing-here", None).await, 404).await;
    assert_eq!(body["type"], "/problems/not-found");
    assert_eq!(body["instance"], "/api/v1/nothing-here");
    let response = app.client.delete(app.url("/health/live")).send().await.unwrap();
    assert_problem(response, 405).await;
    let response = app.client.post(app.url("/api/v1/skills")).json(&json!({})).send().await.unwrap();
    let body = assert_problem(response, 405).await;
    assert_eq!(body["type"], "/problems/method-not-allowed");
}

#[tokio::test]
async fn an_unknown_skill_is_a_404_problem() {
    let app = spawn_app().await;
    let body = assert_problem(app.get("/api/v1/skills/no-such-skill", None).await, 404).await;
    assert_eq!(
        body,
        json!({
            "type": "/problems/not-found",
            "title": "Not found",
            "status": 404,
            "detail": "skill not found",
            "instance": "/api/v1/skills/no-such-skill",
            "request_id": body["request_id"],
        })
    );
}

#[tokio::test]
async fn a_request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let response =
        app.client.get(app.url("/health/live")).header("x-request-id", "portal-abc-123").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "portal-abc-123");
    let response = app.get("/health/live", None).await;
    assert_eq!(response.headers()["x-request-id"].len(), 36);
    let response = app.client.get(app.url("/nope")).header("x-request-id", "trace-9").send().await.unwrap();
    let body = assert_problem(response, 404).await;
    assert_eq!(body["request_id"], "trace-9");
}

#[tokio::test]
async fn cors_answers_configured_origins_only() {
    let app = spawn_app().await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/skills"))
        .header("origin", "https://portal.example.org")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "https://portal.example.org");
    let other =
        app.client.get(app.url("/api/v1/skills")).header("origin", "https://evil.example.com").send().await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn metrics_are_exposed_in_prometheus_format() {
    let app = spawn_app().await;
    app.get("/api/v1/skills/kubernetes", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let text = app.get("/metrics", None).await.text().await.unwrap();
    assert!(text.contains("passerelle_http_requests_total"), "{text}");
    assert!(text.contains("endpoint=\"/api/v1/skills/{slug}\""), "{text}");
    assert!(text.contains("passerelle_http_requests_duration_seconds_bucket"));
    assert!(text.contains("passerelle_db_pool_connections_in_use"));
}

#[tokio::test]
async fn each_answer_is_counted_once_under_its_route_pattern() {
    let app = spawn_app().await;
    for _ in 0..2 {
        assert_eq!(app.get("/api/v1/skills/kubernetes", None).await.status(), 200);
    }
    assert_eq!(app.get("/api/v1/no-such-thing/42", None).await.status(), 404);
    assert_eq!(app.get("/metrics", None).await.status(), 200);
    let expected = [
        "passerelle_http_requests_total{endpoint=\"/api/v1/skills/{slug}\",method=\"GET\",status=\"200\"} 2",
        "passerelle_http_requests_total{endpoint=\"UNMATCHED\",method=\"GET\",status=\"404\"} 1",
        "passerelle_http_requests_duration_seconds_count{endpoint=\"/api/v1/skills/{slug}\",method=\"GET\",status=\"200\"} 2",
    ];
    // An answer is counted once its body is sent, which may be just after the client has it.
    let mut text = String::new();
    for _ in 0..40 {
        let scrape = app.get("/metrics", None).await;
        assert_eq!(scrape.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
        assert!(scrape.headers().contains_key("x-request-id"));
        text = scrape.text().await.unwrap();
        if expected.iter().all(|line| text.contains(line)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for line in expected {
        assert!(text.lines().any(|l| l == line), "{line} missing from\n{text}");
    }
    let scrapes = "passerelle_http_requests_total{endpoint=\"/metrics\",method=\"GET\",status=\"200\"} ";
    assert!(text.lines().any(|l| l.starts_with(scrapes)), "the scrapes are not counted:\n{text}");
    assert!(text.contains("# TYPE passerelle_http_requests_duration_seconds histogram"), "{text}");
    assert!(text.contains("passerelle_db_pool_connections_idle"), "{text}");
}

#[tokio::test]
async fn swagger_ui_and_the_spec_are_served() {
    let app = spawn_app().await;
    let spec: Value = json(app.get("/api-docs/openapi.json", None).await).await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["paths"]["/api/v1/skills"].is_object());
    assert_eq!(app.get("/docs", None).await.status(), 308);
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger"));
}

#[test]
fn every_schema_reference_of_the_document_resolves() {
    // A query parameter typed by an enum once pointed at a schema the document did not hold.
    let spec = serde_json::to_value(passerelle::startup::openapi()).expect("spec serialises");
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let dangling: Vec<&str> = text
        .split("\"#/components/schemas/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| !schemas.contains_key(*name))
        .collect();
    assert!(dangling.is_empty(), "references to missing schemas: {dangling:?}");
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = passerelle::startup::openapi().to_pretty_json().expect("spec serialises");
    let committed = std::fs::read_to_string("openapi/openapi.json").unwrap_or_default();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn database_errors_at_start_say_what_went_wrong() {
    let cases = [
        ("mysql://root@127.0.0.1/p", "unsupported database URL"),
        ("postgres://nobody@127.0.0.1:1/passerelle", "Connection refused"),
        ("postgres://no_such_role_xyz@127.0.0.1:5432/postgres", "no_such_role_xyz"),
    ];
    for (url, cause) in cases {
        let settings = crate::helpers::test_settings(url);
        let error = match passerelle::startup::Application::build(settings).await {
            Ok(_) => panic!("{url} should not start"),
            Err(error) => format!("{error:#}"),
        };
        // A failed login needs a server to refuse it; without one, the refusal is the cause.
        let server_absent = url.contains("5432") && error.contains("Connection refused");
        assert!(error.contains(cause) || server_absent, "{url}: {error}");
    }
}

#[tokio::test]
async fn a_started_server_gives_the_planner_statistics_of_its_hot_tables_and_samples_no_text_about_a_person() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let app = spawn_app().await;
    let mut conn = app.connection();
    // PostgreSQL's statistics are per column, and the tables of the hot reads
    // hold ids, levels and offers' texts. SQLite samples index rows (STAT4),
    // so only the offers are analysed there, and an empty table leaves no
    // statistics: none but the offers' may appear.
    let (sql, expected): (&str, &[&str]) = match app.database.is_postgres() {
        true => (
            "SELECT relname::text AS name FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL ORDER BY relname",
            &["offer_requirements", "offers", "skills", "student_skills"],
        ),
        false => ("SELECT DISTINCT tbl AS name FROM sqlite_stat1 ORDER BY tbl", &["offers"]),
    };
    let analysed: Vec<String> =
        diesel::sql_query(sql).load::<Table>(&mut conn).expect("statistics").into_iter().map(|t| t.name).collect();
    match app.database.is_postgres() {
        true => assert_eq!(analysed, expected),
        false => assert!(analysed.iter().all(|t| expected.contains(&t.as_str())), "{analysed:?}"),
    }
}
