//! Stopping without failing a request. Closing the listening socket at once would reset the
//! connections the kernel has already accepted but the server has not yet taken (a reader
//! voting during a deploy would see "not saved", or a load balancer a 502). So on SIGTERM or
//! SIGINT the service first drains: `/readyz` answers 503 so that load balancers stop sending,
//! responses ask clients to close their keep-alive connections, and everything that arrives is
//! still served. Only then does the server stop accepting and finish what is in flight.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a stop signal has arrived; shared by every worker.
#[derive(Debug, Default)]
pub struct Draining(AtomicBool);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// While draining, every response closes its connection, so a client's next request opens a
/// new one, which the load balancer sends elsewhere, instead of reusing one about to close.
pub async fn close_connections_while_draining(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let draining = req
        .app_data::<web::Data<Draining>>()
        .is_some_and(|d| d.is_on());
    let mut response = next.call(req).await?;
    if draining {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}

/// Waits for SIGTERM (what orchestrators send) or SIGINT (Ctrl-C), and names it.
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            },
            _ => ctrl_c().await,
        }
    }
    #[cfg(not(unix))]
    {
        ctrl_c().await
    }
}

async fn ctrl_c() -> &'static str {
    match tokio::signal::ctrl_c().await {
        Ok(()) => "Ctrl-C",
        // No way to listen: never stop on a signal rather than stop at once.
        Err(_) => std::future::pending().await,
    }
}
