//! Logging: tracing to stderr, as text for people or JSON for collectors, and one line per
//! request with its method, path, status and latency.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use std::time::Instant;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (tests spawning many apps) do nothing.
pub fn init(filter: &str, format: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The span every log line of a request is written in. Unlike tracing-actix-web's default it
/// records neither the client's IP nor the raw URL, which may hold a reader's voter id.
pub struct RequestSpan;

struct Started(Instant);

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string);
        tracing::info_span!(
            "request",
            method = %request.method(),
            request_id = request_id.as_deref().unwrap_or("-"),
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let _entered = span.enter();
        match outcome {
            Ok(response) => {
                let request = response.request();
                let latency_ms = request
                    .extensions()
                    .get::<Started>()
                    .map(|started| started.0.elapsed().as_secs_f64() * 1000.0)
                    .unwrap_or_default();
                tracing::info!(
                    path = %loggable_path(request.path(), request.match_info().get("voter")),
                    status = response.status().as_u16(),
                    latency_ms = format!("{latency_ms:.2}"),
                    "request finished"
                );
            }
            Err(error) => {
                let status = error.as_response_error().status_code().as_u16();
                tracing::info!(status, "request failed before a response");
            }
        }
    }
}

fn loggable_path(path: &str, voter: Option<&str>) -> String {
    match voter {
        Some(voter) if !voter.is_empty() => path.replace(voter, "{voter}"),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn voter_ids_are_kept_out_of_logged_paths() {
        let path = "/v1/articles/a1/votes/0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a55";
        let voter = Some("0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a55");
        assert_eq!(loggable_path(path, voter), "/v1/articles/a1/votes/{voter}");
        assert_eq!(loggable_path("/v1/ratings", None), "/v1/ratings");
    }
}
