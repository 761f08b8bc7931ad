//! Logs, request ids and metrics.

mod access_log;
mod metrics;
mod request;

pub use metrics::{Metrics, RouteLabel, record_http, render_metrics};
pub use request::{REQUEST_ID, RequestIdValue, RequestSpan};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use std::io::{BufWriter, IsTerminal};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Large enough for a few hundred lines per write(2); a line longer than this is written
/// whole, on its own.
const LOG_BUFFER_BYTES: usize = 64 * 1024;

/// Keeps the thread that writes the logs; dropped (at exit), it writes out what is queued.
#[must_use = "logs stop being written when the guard is dropped"]
pub struct LogGuard {
    _writer: Option<WorkerGuard>,
}

/// Installs the global subscriber once; later calls (tests spawning many apps) do nothing.
///
/// Lines are queued for one thread that writes them to stderr, so that a request never waits
/// for a terminal, a pipe or a disk, nor for another worker's line: with a line per request,
/// writing in the request's own thread cost reads a third of their throughput (issue 14). The
/// queue holds 128,000 lines and is not lossy: a logger that finds it full waits, rather than
/// lines being lost without a trace. The thread writes through a buffer that it flushes each
/// time it has emptied the queue: under load one write(2) carries many lines instead of one
/// each (stderr itself is unbuffered), and when idle every line still goes out at once.
pub fn init(filter: &str, format: &str) -> LogGuard {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal, and not when NO_COLOR asks for none: escape codes in a log
    // file or a collector are noise.
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("plaudit-log")
        .finish(BufWriter::with_capacity(
            LOG_BUFFER_BYTES,
            std::io::stderr(),
        ));
    // Coloured lines are for a person at a terminal, where speed does not matter: those keep
    // the general formatter for the access line too.
    if !colour {
        access_log::install(writer.clone(), format == "json");
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(writer);
    let installed = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    LogGuard {
        _writer: installed.is_ok().then_some(guard),
    }
}

/// Echoes the request's id in `X-Request-Id`, so a caller can quote it when reporting a problem.
pub async fn echo_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req.extensions().get::<RequestIdValue>().cloned();
    let mut response = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.0).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(response)
}
