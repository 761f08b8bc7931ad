//! Operations: health checks for orchestrators, metrics for scrapers, and the API's contract
//! and documentation for developers. No key, no per-client quota.

mod docs;
mod health;
mod openapi;

use super::get_only;
use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // One per worker: at most one readiness check per worker in flight.
    cfg.app_data(web::Data::new(health::Readiness::default()))
        .service(get_only("/healthz", health::healthz))
        .service(get_only("/readyz", health::readyz))
        .service(get_only("/metrics", crate::telemetry::render_metrics))
        .service(get_only("/openapi.yaml", openapi::yaml))
        .service(get_only("/openapi.json", openapi::json))
        .configure(docs::configure);
}
