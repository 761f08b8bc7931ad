//! Builds the application once, for `main` and for the tests alike.

use crate::config::Settings;
use crate::domain::VoterKey;
use crate::routes;
use crate::store::Store;
use crate::telemetry::RequestSpan;
use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use std::net::TcpListener;
use tracing_actix_web::TracingLogger;

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub voter_key: VoterKey,
}

pub struct Application {
    port: u16,
    server: Server,
    store: Store,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener. Port 0 picks a
    /// free port, which [`Application::port`] then tells.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let store = open_store(settings).await?;
        let voter_key = store
            .voter_key(settings.secret.as_ref().map(|s| s.expose()))
            .await?;
        let state = web::Data::new(AppState {
            store: store.clone(),
            voter_key,
        });

        let listener = TcpListener::bind(settings.bind)?;
        let port = listener.local_addr()?.port();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(TracingLogger::<RequestSpan>::new())
                .app_data(state.clone())
                .configure(routes::configure)
        })
        .listen(listener)?;
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        tracing::info!(port, backend = store.backend_name(), "listening");
        Ok(Self {
            port,
            server: server.run(),
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The store the server uses (sharing its pools).
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// Serves until the server is stopped (SIGINT or SIGTERM), then closes the database.
    pub async fn run(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.store.close().await;
        result
    }
}

/// Connects and migrates: what both `serve` and `migrate` start with.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::connect(&settings.database_url, &settings.pool()).await?;
    store.migrate().await?;
    Ok(store)
}
