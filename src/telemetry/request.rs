//! One span per request, carrying its request id into every log line, and one line per
//! request with its method, path, status and latency.

use super::access_log;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use std::borrow::Cow;
use std::fmt;
use std::time::Instant;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

/// The span every log line of a request is written in. Unlike tracing-actix-web's default it
/// records neither the client's IP nor the raw URL, which may hold a reader's voter id.
pub struct RequestSpan;

struct Started(Instant);

/// The id a request is known by in logs and in its response's `X-Request-Id`: the caller's,
/// if it sent a sensible one (so a trace can cross services), else a fresh UUID.
#[derive(Debug, Clone)]
pub struct RequestIdValue(pub String);

pub const REQUEST_ID: &str = "x-request-id";

fn caller_request_id(request: &ServiceRequest) -> Option<String> {
    let value = request.headers().get(REQUEST_ID)?.to_str().ok()?;
    let sensible =
        !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic());
    sensible.then(|| value.to_owned())
}

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = caller_request_id(request)
            .or_else(|| {
                request
                    .extensions()
                    .get::<RequestId>()
                    .map(ToString::to_string)
            })
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let span =
            tracing::info_span!("request", method = %request.method(), request_id = %request_id);
        let mut extensions = request.extensions_mut();
        extensions.insert(Started(Instant::now()));
        extensions.insert(RequestIdValue(request_id));
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let response = match outcome {
            Ok(response) => response,
            Err(error) => {
                let _entered = span.enter();
                let status = error.as_response_error().status_code().as_u16();
                tracing::info!(status, "request failed before a response");
                return;
            }
        };
        let request = response.request();
        let extensions = request.extensions();
        let latency = extensions
            .get::<Started>()
            .map(|started| Millis(started.0.elapsed().as_secs_f64() * 1000.0))
            .unwrap_or(Millis(0.0));
        let path = loggable_path(request.path(), request.match_info().get("voter"));
        let status = response.status().as_u16();
        let finished = access_log::Finished {
            method: request.method().as_str(),
            request_id: extensions
                .get::<RequestIdValue>()
                .map_or("", |id| id.0.as_str()),
            path: &path,
            status,
            latency_ms: latency.0,
        };
        // The line carries the span's fields itself, so the span need not be entered for it.
        if !access_log::write(&finished) {
            let _entered = span.enter();
            tracing::info!(
                target: access_log::TARGET,
                path = %path,
                status,
                latency_ms = %latency,
                "request finished"
            );
        }
    }
}

/// Milliseconds to two decimals, formatted only if the line is written (no `String` per
/// request).
struct Millis(f64);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

/// The path as it may be logged; borrowed unless a voter id has to be taken out.
fn loggable_path<'a>(path: &'a str, voter: Option<&str>) -> Cow<'a, str> {
    match voter {
        Some(voter) if !voter.is_empty() => Cow::Owned(path.replace(voter, "{voter}")),
        _ => Cow::Borrowed(path),
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
