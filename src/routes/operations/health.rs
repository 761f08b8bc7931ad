//! Liveness and readiness, for load balancers and orchestrators.

use crate::error::ApiError;
use crate::shutdown::Draining;
use crate::state::AppState;
use crate::store::StoreError;
use actix_web::{HttpResponse, web};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The process is up and serving; says nothing of the database.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Readiness answers quickly even while the pool waits for a database that is away.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one database check answers for every probe.
const READINESS_FRESH: Duration = Duration::from_secs(1);

/// The last readiness check of this worker. `/readyz` is exempt from the overload cap (a busy
/// instance must not look dead), so a flood of probes must not become a flood of database
/// checks taking connections from votes: probes that arrive together share one check.
#[derive(Default)]
pub struct Readiness {
    last: Mutex<Option<(Instant, Result<(), StoreError>)>>,
}

impl Readiness {
    async fn check(&self, state: &AppState) -> Result<(), StoreError> {
        let mut last = self.last.lock().await;
        if let Some((at, outcome)) = last.as_ref()
            && at.elapsed() < READINESS_FRESH
        {
            return outcome.clone();
        }
        let outcome = match tokio::time::timeout(READINESS_TIMEOUT, state.store.ping()).await {
            Ok(answer) => answer,
            Err(_) => Err(StoreError::unavailable(
                "the database did not answer the readiness check",
            )),
        };
        *last = Some((Instant::now(), outcome.clone()));
        outcome
    }
}

/// The database answers and the service is not shutting down: 503 otherwise, so traffic goes
/// to another instance.
pub async fn readyz(
    state: web::Data<AppState>,
    draining: web::Data<Draining>,
    readiness: web::Data<Readiness>,
) -> Result<HttpResponse, ApiError> {
    if draining.is_on() {
        return Err(ApiError::ShuttingDown);
    }
    readiness
        .check(&state)
        .await
        .map_err(ApiError::Unavailable)?;
    Ok(HttpResponse::Ok()
        .json(json!({ "status": "ready", "database": state.store.backend_name() })))
}
