//! Builds the application once, for `main` and for the tests alike.

use crate::abuse::{NetworkKeys, Overload, RateLimits, TrustedProxies, shed_overload};
use crate::config::Settings;
use crate::error::problem_for_every_error;
use crate::extract::BodyDeadline;
use crate::routes;
use crate::shutdown::{Draining, close_connections_while_draining, stop_signal};
use crate::state::{AppState, SessionPolicy};
use crate::store::{Store, StoreSettings};
use crate::telemetry::{Metrics, RequestSpan, echo_request_id, record_http};
use crate::webhooks::{Deliverer, DelivererHandle, SecretSealer};
use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use std::net::TcpListener;
use std::time::Duration;
use tracing_actix_web::TracingLogger;

/// Stale rate-limit entries are swept this often; between sweeps memory holds at most the
/// clients seen in this interval plus one refill time.
const RATE_LIMIT_SWEEP: Duration = Duration::from_secs(60);

pub struct Application {
    port: u16,
    server: Server,
    store: Store,
    draining: web::Data<Draining>,
    drain_for: Duration,
    deliverer: DelivererHandle,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener. Port 0 picks a
    /// free port, which [`Application::port`] then tells.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let mut store = Store::open(&settings.database_url, &settings.store()).await?;
        store.migrate().await?;
        crate::scale_out::read_reports_from_replica(&mut store, settings).await?;
        // Before the listener is bound: a load balancer sees the instance only once it is warm.
        store.warm_start(&settings.warm_start.warm_start()).await;
        let voter_key = store
            .voter_key(settings.secret.as_ref().map(|s| s.expose()))
            .await?;
        let abuse = settings.abuse.clone();
        let sealer = SecretSealer::new(settings.secret.as_ref().map(|s| s.expose()));
        let sessions = SessionPolicy {
            lifetime_ms: settings.dashboard.session_lifetime_ms(),
            secure_cookie: settings.dashboard.secure_cookie(settings.bind)?,
        };
        let state = web::Data::new(AppState {
            store: store.clone(),
            voter_key,
            network_keys: NetworkKeys::default(),
            voters_per_network: abuse.voters_per_network_per_day,
            rating_max_age_secs: settings.rating_max_age_secs,
            bayes_prior_weight: settings.bayes_prior_weight.max(0.0),
            webhooks_allow_private: settings.webhooks.webhooks_allow_private,
            webhook_secrets: sealer.clone(),
            sessions,
            single_sign_on: settings.dashboard.single_sign_on()?,
        });
        // Built once, outside the per-worker factory, so that every worker shares them.
        let shared_quotas = crate::scale_out::share_quotas(settings).await?;
        let rate_limits = web::Data::new(RateLimits::new(&abuse).shared_through(shared_quotas));
        let proxies = web::Data::new(TrustedProxies::new(abuse.trusted_proxies.clone()));
        let overload = web::Data::new(Overload::new(abuse.max_concurrent_requests));
        let metrics = web::Data::new(Metrics::global());
        let draining = web::Data::new(Draining::default());
        let body_deadline = BodyDeadline(Duration::from_secs(abuse.body_timeout_secs.max(1)));

        let listener = TcpListener::bind(settings.bind)?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new({
            let rate_limits = rate_limits.clone();
            let abuse = abuse.clone();
            let draining = draining.clone();
            move || {
                // The last wrap is the outermost: every response, even one refused for overload,
                // is logged, carries the security headers, and is problem+json if an error.
                App::new()
                    .wrap(from_fn(shed_overload))
                    .wrap(from_fn(close_connections_while_draining))
                    .wrap(problem_for_every_error())
                    .wrap(security_headers())
                    .wrap(from_fn(record_http))
                    .wrap(from_fn(echo_request_id))
                    .wrap(TracingLogger::<RequestSpan>::new())
                    .app_data(state.clone())
                    .app_data(rate_limits.clone())
                    .app_data(proxies.clone())
                    .app_data(overload.clone())
                    .app_data(metrics.clone())
                    .app_data(draining.clone())
                    .app_data(body_deadline)
                    .configure(|cfg| routes::configure(cfg, &abuse))
            }
        })
        .client_request_timeout(Duration::from_secs(abuse.request_timeout_secs))
        .keep_alive(Duration::from_secs(abuse.keep_alive_secs))
        .shutdown_timeout(settings.shutdown_timeout_secs)
        // Signals are handled in `run`, which drains before it stops the server.
        .disable_signals()
        .listen(listener)?;
        RateLimits::spawn_sweeper(rate_limits, RATE_LIMIT_SWEEP);
        let retention = crate::retention::Retention {
            feedback_ms: settings.dashboard.feedback_retention_ms(),
            webhook_history_ms: settings.webhooks.history_ms(),
        };
        crate::retention::spawn(store.clone(), retention);
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        let deliverer =
            Deliverer::new(store.clone(), settings.webhooks.delivery(), sealer)?.spawn();
        tracing::info!(port, backend = store.backend_name(), "listening");
        Ok(Self {
            port,
            server: server.run(),
            store,
            draining,
            drain_for: Duration::from_millis(settings.shutdown_drain_ms),
            deliverer,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The store the server uses (sharing its pools).
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// Serves until SIGTERM or SIGINT; then drains (see [`crate::shutdown`]), stops accepting,
    /// finishes the requests in flight within the shutdown timeout, and closes the database,
    /// which lets the vote writers commit what they hold first. A second signal cuts the drain.
    pub async fn run(self) -> std::io::Result<()> {
        let Self {
            mut server,
            store,
            draining,
            drain_for,
            deliverer,
            ..
        } = self;
        let handle = server.handle();
        let outcome = tokio::select! {
            result = &mut server => Some(result),
            signal = stop_signal() => {
                draining.start();
                tracing::info!(signal, drain_ms = drain_for.as_millis() as u64,
                    "draining: /readyz answers 503; still serving until the drain ends");
                tokio::select! {
                    result = &mut server => Some(result),
                    _ = tokio::time::sleep(drain_for) => None,
                    signal = stop_signal() => {
                        tracing::info!(signal, "second signal: drain cut short");
                        None
                    }
                }
            }
        };
        let result = match outcome {
            Some(result) => result,
            None => {
                tracing::info!("stopping: no new connections; finishing requests in flight");
                // The server future carries out the stop, so it must be polled meanwhile.
                tokio::join!(handle.stop(true), server).1
            }
        };
        // Webhook attempts in flight get a moment; one cut short is made again later.
        deliverer.stop().await;
        store.close().await;
        tracing::info!("stopped");
        result
    }
}

/// Sent on every response unless a route sets its own (the widget's pages set a CSP of theirs).
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
}

/// Connects and migrates, without cache or vote writers: what the command line's one-off
/// tasks (`migrate`, `keys`, `verify`) start with.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::open(
        &settings.database_url,
        &StoreSettings::plain(settings.pool()),
    )
    .await?;
    store.migrate().await?;
    Ok(store)
}
