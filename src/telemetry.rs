//! Logging: the tracing subscriber, a request id on every request, and the
//! root span that carries it into every log line.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Header carrying the request id, in both directions.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request: the caller's `X-Request-Id` when it is a
/// sane token, a fresh UUID otherwise.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    fn from_header(value: Option<&HeaderValue>) -> Self {
        let accepted = value.and_then(|v| v.to_str().ok()).filter(|v| {
            // Bounded and plain so a caller cannot inject text into the logs.
            !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        });
        Self(accepted.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned))
    }
}

/// Installs the global subscriber: human-readable or JSON lines, filtered by
/// `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(tracing_subscriber::fmt::layer().json().flatten_event(true).with_current_span(true))
            .try_init(),
        LogFormat::Pretty => registry.with(tracing_subscriber::fmt::layer().compact()).try_init(),
    };
    // A second call (tests start many apps in one process) keeps the first subscriber.
    drop(result);
}

/// Middleware: assigns the request id before anything else runs, runs the
/// request inside its root span (the id, method, route and, once answered,
/// status), and echoes the id.
///
/// Server errors are logged where they are turned into answers; a client
/// error is the caller's and is only logged at debug level.
pub async fn trace_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = RequestId::from_header(req.headers().get(&REQUEST_ID_HEADER));
    let header = HeaderValue::from_str(&id.0).ok();
    let span = tracing::info_span!(
        "request",
        request_id = %id.0,
        method = %req.method(),
        route = req.match_pattern().as_deref().unwrap_or("default"),
        status = tracing::field::Empty,
    );
    req.extensions_mut().insert(id);
    let outcome = span.in_scope(|| next.call(req)).instrument(span.clone()).await;
    let status = match &outcome {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    span.record("status", status.as_u16());
    if status.is_client_error() {
        span.in_scope(|| tracing::debug!(status = status.as_u16(), error = refusal(&outcome), "request refused"));
    }
    let mut response = outcome?;
    if let Some(header) = header {
        response.headers_mut().insert(REQUEST_ID_HEADER, header);
    }
    Ok(response)
}

/// What a refused request was told, for the debug log.
fn refusal<B>(outcome: &Result<ServiceResponse<B>, Error>) -> Option<String> {
    match outcome {
        Ok(response) => response.response().error().map(ToString::to_string),
        Err(error) => Some(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use actix_web::test::{call_service, init_service, TestRequest};
    use actix_web::{web, App, HttpResponse};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing_subscriber::layer::Context;
    use tracing_subscriber::registry::LookupSpan;
    use tracing_subscriber::Layer;

    /// The fields of a span or an event, as text.
    #[derive(Default, Clone, Debug)]
    struct Fields(HashMap<String, String>);

    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }
    }

    /// Keeps every event with the fields of the span it happened in, and
    /// every root span's fields once it closes.
    #[derive(Clone, Default)]
    struct Recorder {
        events: Arc<Mutex<Vec<(Fields, Fields)>>>,
        closed: Arc<Mutex<Vec<Fields>>>,
    }

    impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            ctx.span(id).expect("the span is open").extensions_mut().insert(fields);
        }

        fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
            let span = ctx.span(id).expect("the span is open");
            let mut extensions = span.extensions_mut();
            values.record(extensions.get_mut::<Fields>().expect("fields kept at creation"));
        }

        fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
            let mut fields = Fields::default();
            event.record(&mut fields);
            let span = ctx.event_span(event).and_then(|s| s.extensions().get::<Fields>().cloned()).unwrap_or_default();
            self.events.lock().expect("not poisoned").push((span, fields));
        }

        fn on_close(&self, id: Id, ctx: Context<'_, S>) {
            let span = ctx.span(&id).expect("the span is closing");
            let fields = span.extensions().get::<Fields>().cloned().unwrap_or_default();
            self.closed.lock().expect("not poisoned").push(fields);
        }
    }

    #[actix_web::test]
    async fn every_request_runs_in_a_span_naming_its_id_route_and_status() {
        let recorder = Recorder::default();
        let subscriber =
            tracing_subscriber::registry().with(recorder.clone()).with(tracing_subscriber::filter::LevelFilter::DEBUG);
        let _default = tracing::subscriber::set_default(subscriber);
        let app = init_service(
            App::new()
                .route(
                    "/offers/{id}",
                    web::get().to(|| async {
                        tracing::info!("answering");
                        HttpResponse::Ok().finish()
                    }),
                )
                .wrap(actix_web::middleware::from_fn(trace_request)),
        )
        .await;

        let request = TestRequest::get().uri("/offers/7").insert_header(("x-request-id", "portal-42")).to_request();
        let response = call_service(&app, request).await;
        assert_eq!(response.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("portal-42"));
        drop(response);
        let missing = call_service(&app, TestRequest::get().uri("/nowhere").to_request()).await;
        let fresh = missing.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(fresh.as_deref().map(str::len), Some(36));
        drop(missing);

        let events = recorder.events.lock().expect("not poisoned").clone();
        let (span, _) =
            events.iter().find(|(_, e)| e.0.get("message").is_some_and(|m| m == "answering")).expect("logged");
        assert_eq!(span.0.get("request_id").map(String::as_str), Some("portal-42"));
        assert_eq!(span.0.get("route").map(String::as_str), Some("\"/offers/{id}\""));
        assert_eq!(span.0.get("method").map(String::as_str), Some("GET"));
        let (refused, event) =
            events.iter().find(|(_, e)| e.0.get("message").is_some_and(|m| m == "request refused")).expect("logged");
        assert_eq!(refused.0.get("request_id"), fresh.as_ref());
        assert_eq!(event.0.get("status").map(String::as_str), Some("404"));

        let closed = recorder.closed.lock().expect("not poisoned").clone();
        let statuses: Vec<_> = closed.iter().map(|f| f.0.get("status").cloned()).collect();
        assert_eq!(statuses, [Some("200".to_owned()), Some("404".to_owned())]);
    }

    #[test]
    fn a_caller_request_id_is_kept_only_when_plain() {
        let kept = HeaderValue::from_static("portal-42.abc");
        assert_eq!(RequestId::from_header(Some(&kept)).0, "portal-42.abc");
        let injected = HeaderValue::from_static("x\" level=error");
        assert_ne!(RequestId::from_header(Some(&injected)).0, "x\" level=error");
        assert_eq!(RequestId::from_header(None).0.len(), 36);
    }
}
