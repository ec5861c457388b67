//! Builds the application: state, middleware, routes, and the HTTP server.

use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, Server, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use anyhow::Context;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{SwaggerUi, Url};

use crate::app::AppState;
use crate::auth::password::PasswordHasher;
use crate::auth::Throttle;
use crate::config::Settings;
use crate::db::{self, Pool};
use crate::error::{problem_details, ApiError};
use crate::live_index::LiveIndex;
use crate::openapi::ApiDoc;
use crate::reference_data::ReferenceData;
use crate::telemetry::trace_request;

/// A built server, bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    tailer: tokio::task::JoinHandle<()>,
    /// The webhook delivery worker, when this process runs one.
    deliverer: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Connects to the database, migrates it, loads the reference data, binds
    /// the listener (port 0 picks a free port) and builds the server.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.webhooks.check(settings.environment).map_err(anyhow::Error::msg)?;
        let state = web::Data::new(prepare_state(settings).await?);
        let listener = TcpListener::bind(&state.settings.bind)
            .with_context(|| format!("cannot listen on {}", state.settings.bind))?;
        let port = listener.local_addr()?.port();
        let tailer = tail_change_feed(state.clone().into_inner());
        let deliverer = match state.settings.webhooks.deliver {
            true => Some(
                crate::delivery::spawn(state.pool.clone(), state.settings.webhooks.clone())
                    .context("webhook delivery")?,
            ),
            false => None,
        };
        let server = run(listener, state)?;
        Ok(Self { port, server, tailer, deliverer })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight
    /// requests finish and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.tailer.abort();
        // A delivery cut short here is sent again once its claim's lease ends.
        if let Some(deliverer) = self.deliverer {
            deliverer.abort();
        }
        result
    }
}

/// Everything the handlers share, with the database migrated and loaded.
pub async fn prepare_state(settings: Settings) -> anyhow::Result<AppState> {
    let tokens = crate::auth::token_keys(&settings)?;
    let passwords = PasswordHasher::new(settings.auth.password).context("invalid password hashing parameters")?;
    let pool =
        db::build_pool(&settings.database_url, settings.pool_size, Duration::from_secs(settings.pool_timeout_seconds))
            .with_context(|| format!("database {}", redact_url(&settings.database_url)))?;
    let reference = ReferenceData::load(&settings.data_dir).context("reference data")?;
    let setup_pool = pool.clone();
    let (demo, data_dir, setup_passwords) = (settings.demo, settings.data_dir.clone(), passwords.clone());
    let database_url = settings.database_url.clone();
    let index = tokio::task::spawn_blocking(move || -> anyhow::Result<LiveIndex> {
        let mut conn = setup_pool.get()?;
        db::run_migrations(&mut conn)?;
        crate::store::reference::load(&mut conn, &reference)?;
        let folded = crate::store::search::fill_missing(&mut conn).context("search texts")?;
        if folded > 0 {
            tracing::info!(rows = folded, "search texts filled");
        }
        if demo {
            let logins =
                crate::seed::seed_demo_if_empty(&mut conn, &setup_passwords, &data_dir).context("demo data")?;
            crate::seed::print_demo_logins(&logins);
        }
        db::refresh_planner_statistics(&mut conn).context("planner statistics")?;
        let started = std::time::Instant::now();
        // The load is most of the start-up: a second connection shares it.
        let mut reader = db::DatabaseTarget::parse(&database_url)?.connect_again().transpose()?;
        let index = LiveIndex::build(&mut conn, reader.as_mut()).context("building the matching index")?;
        let (students, offers) = index.size();
        tracing::info!(students, offers, elapsed_ms = started.elapsed().as_millis() as u64, "matching index built");
        Ok(index)
    })
    .await??;
    let throttle = Throttle::new(settings.auth.login_attempts_per_minute);
    let cursors = crate::pagination::CursorSeal::derive(&crate::auth::signing_secret(&settings)?);
    Ok(AppState::new(pool, settings, tokens, passwords, throttle, index, cursors))
}

/// How often the change feed is read for other processes' writes.
const FEED_POLL: Duration = Duration::from_millis(500);

/// How many feed reads between two refreshes of the planner's statistics:
/// an hour's worth, so that a database that was nearly empty at start gets
/// the plans of the size it grew to.
const STATISTICS_EVERY: u64 = 3_600_000 / FEED_POLL.as_millis() as u64;

/// Follows the change feed so that writes made by other server processes reach
/// this process's index within a second.
fn tail_change_feed(state: Arc<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FEED_POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        for reads in 1u64.. {
            tick.tick().await;
            let state = state.clone();
            let outcome = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                let mut conn = state.pool.get()?;
                if reads % STATISTICS_EVERY == 0 {
                    db::refresh_planner_statistics(&mut conn)?;
                }
                Ok(state.index.catch_up(&mut conn)?)
            })
            .await;
            match outcome {
                Ok(Ok(_)) => failing = false,
                Ok(Err(error)) if !failing => {
                    failing = true;
                    tracing::warn!(error = %error, "change feed unreadable; retrying");
                }
                _ => {}
            }
        }
    })
}

/// Hides the password of a database URL in messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &credentials[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The OpenAPI document of every route, as served and as committed.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::routes::configure).split_for_parts().1;
    crate::limits::document(&mut doc);
    crate::input::document(&mut doc);
    crate::openapi::add_shared_responses(&mut doc);
    crate::openapi::declare_public_operations(&mut doc);
    crate::openapi::enumerate_allowed_moves(&mut doc);
    crate::openapi::reference_page_items(&mut doc);
    crate::openapi::bound_lists(&mut doc);
    crate::openapi::exemplify_problems(&mut doc);
    crate::openapi::unfill_optional_parameters(&mut doc);
    crate::openapi::document_webhooks(&mut doc);
    doc
}

/// The request metrics and the connection pool's gauges, in one registry
/// served at [`METRICS_PATH`].
pub struct Metrics {
    registry: prometheus::Registry,
    requests: prometheus::IntCounterVec,
    durations: prometheus::HistogramVec,
    gauges: PoolGauges,
}

/// Where the metrics are scraped.
const METRICS_PATH: &str = "/metrics";

/// The media type of a scrape's answer: Prometheus's text format, version 0.0.4.
const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The label an answer gets when no route matched its path, so that a scan of
/// random paths cannot grow the series without bound.
const UNMATCHED: &str = "UNMATCHED";

impl Metrics {
    fn new() -> anyhow::Result<Self> {
        let labels = ["endpoint", "method", "status"];
        let requests = prometheus::IntCounterVec::new(
            prometheus::Opts::new("http_requests_total", "Total number of HTTP requests").namespace("passerelle"),
            &labels,
        )?;
        let durations = prometheus::HistogramVec::new(
            prometheus::HistogramOpts::new(
                "http_requests_duration_seconds",
                "HTTP request duration in seconds for all requests",
            )
            .namespace("passerelle"),
            &labels,
        )?;
        let gauges = PoolGauges {
            in_use: prometheus::IntGauge::new(
                "passerelle_db_pool_connections_in_use",
                "Pooled database connections in use",
            )?,
            idle: prometheus::IntGauge::new("passerelle_db_pool_connections_idle", "Idle pooled database connections")?,
        };
        let registry = prometheus::Registry::new();
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(durations.clone()))?;
        registry.register(Box::new(gauges.in_use.clone()))?;
        registry.register(Box::new(gauges.idle.clone()))?;
        Ok(Self { registry, requests, durations, gauges })
    }

    /// Counts one answer and its duration under its route's pattern.
    fn record(&self, endpoint: &str, method: &Method, status: StatusCode, elapsed: Duration) {
        let labels = [endpoint, method.as_str(), status.as_str()];
        self.durations.with_label_values(&labels).observe(elapsed.as_secs_f64());
        self.requests.with_label_values(&labels).inc();
    }

    /// Every series, in Prometheus's text format.
    fn scrape(&self) -> String {
        let mut text = String::new();
        if let Err(error) = prometheus::TextEncoder::new().encode_utf8(&self.registry.gather(), &mut text) {
            tracing::error!(error = %error, "metrics could not be encoded");
        }
        text
    }
}

/// Gauges of the connection pool, sampled as each request starts (r2d2 offers
/// no checkout hook), so a scrape shows the state at the scrape.
struct PoolGauges {
    in_use: prometheus::IntGauge,
    idle: prometheus::IntGauge,
}

impl PoolGauges {
    fn sample(&self, pool: &Pool) {
        let state = pool.state();
        self.in_use.set(i64::from(state.connections - state.idle_connections));
        self.idle.set(i64::from(state.idle_connections));
    }
}

/// Middleware: samples the pool gauges, answers a scrape of [`METRICS_PATH`]
/// (whatever the routes answered it, with the headers the middlewares inside
/// added), and counts every answer under its route's pattern once its body is
/// sent. An error that carries its own answer (a timeout) is not counted.
async fn measure(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<Measured>, actix_web::Error> {
    let started = Instant::now();
    let (metrics, state) = (req.app_data::<web::Data<Metrics>>().cloned(), req.app_data::<web::Data<AppState>>());
    if let (Some(metrics), Some(state)) = (&metrics, state) {
        metrics.gauges.sample(&state.pool);
    }
    let scrape = req.method() == Method::GET && req.path() == METRICS_PATH;
    let response = next.call(req).await?;
    let Some(metrics) = metrics else {
        return Ok(response.map_body(|_, body| Measured { body: body.boxed(), record: None }));
    };
    let (endpoint, method) = match scrape {
        true => (METRICS_PATH.to_owned(), Method::GET),
        false => {
            let request = response.request();
            (request.match_pattern().unwrap_or_else(|| UNMATCHED.to_owned()), request.method().clone())
        }
    };
    Ok(response.map_body(|head, body| {
        let body = match scrape {
            true => {
                head.status = StatusCode::OK;
                head.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(METRICS_CONTENT_TYPE));
                BoxBody::new(metrics.scrape())
            }
            false => body.boxed(),
        };
        let record = Record { metrics: metrics.into_inner(), endpoint, method, status: head.status, started };
        Measured { body, record: Some(record) }
    }))
}

/// What is counted of an answer once its body is sent.
struct Record {
    metrics: Arc<Metrics>,
    endpoint: String,
    method: Method,
    status: StatusCode,
    started: Instant,
}

/// An answer's body, which counts the answer when it is dropped: after its
/// last byte is written, or when the client goes away.
pub struct Measured {
    body: BoxBody,
    record: Option<Record>,
}

impl MessageBody for Measured {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

impl Drop for Measured {
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            record.metrics.record(&record.endpoint, &record.method, record.status, record.started.elapsed());
        }
    }
}

fn cors(settings: &Settings) -> Cors {
    settings
        .cors_origins()
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "idempotency-key",
            "x-request-id",
            "accept",
            "accept-language",
        ])
        .expose_headers(["etag", "x-request-id", "retry-after", "location", "content-language"])
        .max_age(3600)
}

/// Starts the HTTP server on `listener`.
pub fn run(listener: TcpListener, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let metrics = web::Data::new(Metrics::new()?);
    let docs = openapi();
    let docs_fr = crate::openapi::in_language(&docs, crate::i18n::Lang::Fr);
    let routes = web::Data::new(RouteTable::from_openapi(&docs));
    let limits = web::Data::new(crate::limits::Limits::new(&state.settings.limits));
    let json_limit = state.settings.json_body_limit_bytes;
    let bytes_limit = state.settings.csv_body_limit_bytes;
    let input = web::Data::new(crate::input::InputRules::from_openapi(&docs, json_limit));
    let server = HttpServer::new(move || {
        let settings = &state.settings;
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .app_data(state.clone())
            .app_data(routes.clone())
            .app_data(limits.clone())
            .app_data(input.clone())
            .app_data(metrics.clone())
            .app_data(crate::i18n::DefaultLang(settings.default_language))
            .app_data(web::JsonConfig::default().limit(json_limit).error_handler(json_error))
            // Raw bodies are only taken by the roster import (CSV).
            .app_data(web::PayloadConfig::new(bytes_limit))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .configure(crate::routes::configure)
            .split_for_parts();
        // The French document differs only in its tag descriptions and summaries.
        let documents = vec![
            (Url::new("English", "/api-docs/openapi.json"), docs.clone()),
            (Url::new("Français", "/api-docs/openapi.fr.json"), docs_fr.clone()),
        ];
        app.service(SwaggerUi::new("/docs/{_:.*}").urls(documents))
            .service(crate::routes::problems::problem_page)
            .route(
                "/docs",
                web::get()
                    .to(|| async { HttpResponse::PermanentRedirect().insert_header(("location", "/docs/")).finish() }),
            )
            .configure(crate::routes::portal::mount)
            .default_service(web::to(unmatched))
            .wrap(from_fn(crate::input::screen))
            .wrap(from_fn(crate::limits::enforce))
            .wrap(from_fn(problem_details))
            .wrap(from_fn(crate::i18n::negotiate_language))
            .wrap(cors(settings))
            .wrap(from_fn(measure))
            .wrap(from_fn(trace_request))
    })
    .listen(listener)?
    .shutdown_timeout(30)
    .run();
    Ok(server)
}

/// Every documented path with its methods, to tell a wrong method (405) from
/// an unknown path (404): actix's method macros guard whole resources, so a
/// wrong method never reaches one.
struct RouteTable(Vec<(ResourceDef, Vec<&'static str>)>);

impl RouteTable {
    fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        use utoipa::openapi::path::HttpMethod;
        let methods = [
            (HttpMethod::Get, "GET"),
            (HttpMethod::Post, "POST"),
            (HttpMethod::Put, "PUT"),
            (HttpMethod::Patch, "PATCH"),
            (HttpMethod::Delete, "DELETE"),
        ];
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let allowed = methods
                    .iter()
                    .filter(|(method, _)| match method {
                        HttpMethod::Get => item.get.is_some(),
                        HttpMethod::Post => item.post.is_some(),
                        HttpMethod::Put => item.put.is_some(),
                        HttpMethod::Patch => item.patch.is_some(),
                        HttpMethod::Delete => item.delete.is_some(),
                        _ => false,
                    })
                    .map(|(_, name)| *name)
                    .collect();
                (ResourceDef::new(path.as_str()), allowed)
            })
            .collect();
        Self(routes)
    }

    fn allowed_methods(&self, path: &str) -> Option<&[&'static str]> {
        self.0.iter().find(|(def, _)| def.is_match(path)).map(|(_, methods)| methods.as_slice())
    }
}

/// No route matched: 405 with `Allow` when the path exists for other methods, 404 otherwise.
async fn unmatched(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    use actix_web::ResponseError;
    match routes.allowed_methods(req.path()) {
        Some(methods) => {
            let allow = methods.join(", ");
            let mut response = ApiError::MethodNotAllowed(
                crate::domain::Message::new("method-not-allowed-here")
                    .arg("method", req.method().to_string())
                    .arg("allow", allow.clone()),
            )
            .error_response();
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(actix_web::http::header::ALLOW, value);
            }
            response
        }
        None => ApiError::no_resource_at(req.path()).error_response(),
    }
}

fn json_error(error: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api_error = match &error {
        JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => {
            ApiError::PayloadTooLarge(crate::domain::Message::new("body-larger-than-limit").arg("limit", *limit))
        }
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType(crate::domain::Message::new("body-must-be-json"))
        }
        JsonPayloadError::Deserialize(cause) if cause.is_data() => {
            ApiError::Validation(vec![crate::routes::extract::body_violation("", &cause.to_string())])
        }
        JsonPayloadError::Deserialize(cause) if cause.is_eof() => {
            ApiError::BadRequest(crate::domain::Message::new("the-body-is-not-valid-json-it-ends-too"))
        }
        JsonPayloadError::Deserialize(cause) => ApiError::BadRequest(
            crate::domain::Message::new("body-not-valid-json-at")
                .arg("line", cause.line())
                .arg("column", cause.column()),
        ),
        _ => ApiError::BadRequest(crate::domain::Message::new("the-body-could-not-be-read")),
    };
    api_error.into()
}

fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::InvalidParameters(vec![crate::routes::extract::query_violation("", &error.to_string())]).into()
}

fn path_error(error: PathError, request: &HttpRequest) -> actix_web::Error {
    let segments: Vec<(String, String)> =
        request.match_info().iter().map(|(name, value)| (name.to_owned(), value.to_owned())).collect();
    ApiError::InvalidParameters(vec![crate::routes::extract::path_violation(&error.to_string(), &segments)]).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Environment;

    #[test]
    fn database_passwords_never_reach_messages() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/p"), "postgres://app:***@db:5432/p");
        assert_eq!(redact_url("postgres://app@db/p"), "postgres://app@db/p");
        assert_eq!(redact_url("sqlite://data/p.db"), "sqlite://data/p.db");
    }

    #[test]
    fn production_needs_a_signing_key() {
        let settings = Settings { environment: Environment::Production, ..Settings::default() };
        let refused = crate::auth::token_keys(&settings).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(refused, Err(crate::auth::MISSING_KEY.to_owned()));
    }
}
