//! A cap on requests in flight: past it the service answers 503 at once, which a client or
//! load balancer can act on, instead of queueing until everything times out.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Never refused for overload. `/healthz` touches nothing; `/readyz` shares one database check
/// among the probes of a second (see `routes::operations::health`).
const HEALTH_CHECKS: [&str; 2] = ["/healthz", "/readyz"];

/// Shared by all workers, so the cap is for the whole process.
pub struct Overload {
    permits: Arc<Semaphore>,
}

impl Overload {
    pub fn new(max_in_flight: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_in_flight.max(1))),
        }
    }
}

pub async fn shed_overload(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(overload) = req.app_data::<web::Data<Overload>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // Health checks are how an orchestrator tells an overloaded instance from a dead one: a
    // refused health check would pull every busy instance out of the load balancer at once.
    if HEALTH_CHECKS.contains(&req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Ok(_permit) = overload.permits.clone().try_acquire_owned() else {
        metrics::counter!("plaudit_overload_refused_total").increment(1);
        return Ok(req.into_response(ApiError::Overloaded.error_response()));
    };
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
