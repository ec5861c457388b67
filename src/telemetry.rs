//! Logging: the tracing subscriber, a request id on every request, and the
//! root span that carries it into every log line.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;
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

/// Middleware: assigns the request id before anything else runs and echoes it.
pub async fn assign_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = RequestId::from_header(req.headers().get(&REQUEST_ID_HEADER));
    let header = HeaderValue::from_str(&id.0).ok();
    req.extensions_mut().insert(id);
    let mut response = next.call(req).await?;
    if let Some(header) = header {
        response.headers_mut().insert(REQUEST_ID_HEADER, header);
    }
    Ok(response)
}

/// Root span of every request, keyed by our request id rather than one of its own.
pub struct PasserelleRootSpan;

impl RootSpanBuilder for PasserelleRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
        tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %request.method(),
            route = request.match_pattern().unwrap_or_else(|| "default".into()),
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        match outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
            }
            Err(error) => {
                span.record("status", error.as_response_error().status_code().as_u16());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_request_id_is_kept_only_when_plain() {
        let kept = HeaderValue::from_static("portal-42.abc");
        assert_eq!(RequestId::from_header(Some(&kept)).0, "portal-42.abc");
        let injected = HeaderValue::from_static("x\" level=error");
        assert_ne!(RequestId::from_header(Some(&injected)).0, "x\" level=error");
        assert_eq!(RequestId::from_header(None).0.len(), 36);
    }
}
