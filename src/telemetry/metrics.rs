//! Prometheus metrics: requests and their latency by route and status, what happened to votes,
//! refusals, and the database pools, rendered at `GET /metrics`.

use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Latency buckets in seconds: fine below 10 ms, where a healthy service answers.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// The process-wide recorder. metrics allows one per process, which tests spawning many apps
/// share; that is harmless, as they assert on increments.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

impl Metrics {
    pub fn global() -> Self {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        let handle = HANDLE.get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("seconds".into()), &LATENCY_BUCKETS)
                .expect("buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).expect("no other metrics recorder is installed");
            spawn_upkeep(handle.clone());
            handle
        });
        Self {
            handle: handle.clone(),
        }
    }
}

/// How often histogram samples are folded into their buckets.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// A recorder made with `build_recorder` keeps every histogram sample until something runs its
/// upkeep; rendering `/metrics` does, but a service nobody scrapes would grow by a few bytes
/// per request for ever. A thread of its own, since the recorder outlives any one runtime.
fn spawn_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                handle.run_upkeep();
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no metrics upkeep thread; memory grows until /metrics is read");
    }
}

/// The route a request matched, as written in [`crate::routes::ROUTES`]: set on each resource,
/// so that the label costs no second routing pass (`HttpRequest::match_pattern` matches the
/// path again) and no allocation.
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

type Handles = (metrics::Counter, metrics::Histogram);

thread_local! {
    /// Each worker's handles by route, method and status: the registry is asked once per
    /// combination instead of hashing three labels on every request.
    static HANDLES: RefCell<HashMap<(&'static str, &'static str, u16), Handles>> =
        RefCell::new(HashMap::new());
}

/// Counts every request and its latency under its route's pattern (never its raw path, which
/// would hold voter ids and let label sets grow without bound).
pub async fn record_http(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let response = next.call(req).await?;
    let route = response
        .request()
        .app_data::<RouteLabel>()
        .map_or("unmatched", |label| label.0);
    let status = response.status().as_u16();
    let (requests, latency) = HANDLES.with_borrow_mut(|handles| {
        handles
            .entry((route, method, status))
            .or_insert_with(|| {
                let labels = [
                    ("route", route.to_owned()),
                    ("method", method.to_owned()),
                    ("status", status.to_string()),
                ];
                (
                    metrics::counter!("plaudit_http_requests_total", &labels),
                    metrics::histogram!("plaudit_http_request_duration_seconds", &labels),
                )
            })
            .clone()
    });
    requests.increment(1);
    latency.record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// Methods outside HTTP's usual set share one label, so a client cannot grow the label sets.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [(Method, &str); 7] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::PATCH, "PATCH"),
    ];
    KNOWN
        .iter()
        .find(|(known, _)| known == method)
        .map_or("other", |(_, label)| label)
}

pub async fn render_metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> HttpResponse {
    for (pool, stats) in state.store.pool_stats() {
        metrics::gauge!("plaudit_db_connections", "pool" => pool, "state" => "in_use")
            .set(f64::from(stats.in_use));
        metrics::gauge!("plaudit_db_connections", "pool" => pool, "state" => "idle")
            .set(f64::from(stats.idle));
    }
    metrics.handle.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.handle.render())
}
