//! Liveness and readiness, for load balancers and orchestrators.

use crate::error::ApiError;
use crate::shutdown::Draining;
use crate::state::AppState;
use crate::store::StoreError;
use actix_web::{HttpResponse, web};
use serde_json::json;
use std::time::Duration;

/// The process is up and serving; says nothing of the database.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Readiness answers quickly even while the pool waits for a database that is away.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// The database answers and the service is not shutting down: 503 otherwise, so traffic goes
/// to another instance.
pub async fn readyz(
    state: web::Data<AppState>,
    draining: web::Data<Draining>,
) -> Result<HttpResponse, ApiError> {
    if draining.is_on() {
        return Err(ApiError::ShuttingDown);
    }
    match tokio::time::timeout(READINESS_TIMEOUT, state.store.ping()).await {
        Ok(answer) => answer.map_err(ApiError::Unavailable)?,
        Err(_) => {
            let late = StoreError::unavailable("the database did not answer the readiness check");
            return Err(ApiError::Unavailable(late));
        }
    }
    Ok(HttpResponse::Ok()
        .json(json!({ "status": "ready", "database": state.store.backend_name() })))
}
