//! Prometheus metrics: requests and their latency by route and status, what happened to votes,
//! refusals, and the database pools, rendered at `GET /metrics`.

use crate::startup::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

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
            handle
        });
        Self {
            handle: handle.clone(),
        }
    }
}

/// Counts every request and its latency under its route's pattern (never its raw path, which
/// would hold voter ids and let label sets grow without bound).
pub async fn record_http(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .map(|pattern| pattern.replace(":[^/]*", ""))
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("plaudit_http_requests_total", &labels).increment(1);
    metrics::histogram!("plaudit_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
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
