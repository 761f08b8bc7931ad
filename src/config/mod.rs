//! Every setting in one place: a flag, an environment variable and a default that works on a
//! laptop. `plaudit --help` lists them.

use clap::{Args, Parser};
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::store::{BatchSettings, PoolSettings, StoreSettings};

mod abuse;
mod cli;
mod dashboard;
mod group_commit;
mod scale_out;
mod secret;
mod seed;
mod warm_start;
mod webhooks;

pub use abuse::AbuseSettings;
pub use cli::{Cli, Command, ImportCommand, KeysCommand};
pub use dashboard::{DashboardSettings, SingleSignOn};
pub use group_commit::GroupCommitSettings;
pub use scale_out::ScaleOutSettings;
pub use secret::Secret;
pub use seed::SeedArgs;
pub use warm_start::WarmStartSettings;
pub use webhooks::{DeliverySettings, WebhookSettings};

#[derive(Clone, Args)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "PLAUDIT_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// A SQLite file (or sqlite: URL), or a postgres:// URL.
    // hide_env_values: --help would print the URL's password.
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = "plaudit.db",
        global = true
    )]
    pub database_url: String,

    /// Key that hashes voter ids (at least 16 bytes). Unset: one generated and kept in the
    /// database on first start. Every instance on one database must use the same.
    #[arg(long, env = "PLAUDIT_SECRET", hide_env_values = true, global = true)]
    pub secret: Option<Secret>,

    /// Database connections per pool.
    #[arg(
        long,
        env = "PLAUDIT_DB_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub db_max_connections: u32,

    /// Seconds a request may wait for a database connection before it gets 503.
    #[arg(long, env = "PLAUDIT_DB_TIMEOUT", default_value_t = 5, global = true)]
    pub db_timeout_secs: u64,

    /// Seconds an editor's report query may run before it is cancelled and answered with 503
    /// (PostgreSQL cancels the statement; SQLite's answer comes in time but the query runs on).
    #[arg(
        long,
        env = "PLAUDIT_REPORT_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub report_timeout_secs: u64,

    /// HTTP worker threads (0: one per core).
    #[arg(long, env = "PLAUDIT_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,

    /// Log filter, in tracing's EnvFilter syntax (e.g. "info", "plaudit=debug"). The default
    /// leaves out PostgreSQL's routine notices ("relation ... already exists, skipping" on
    /// every start), which sqlx logs at INFO.
    #[arg(
        long,
        env = "PLAUDIT_LOG",
        default_value = "info,sqlx::postgres::notice=warn",
        global = true
    )]
    pub log: String,

    /// Log format: "text" for people, "json" for log collectors.
    #[arg(long, env = "PLAUDIT_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

    #[command(flatten)]
    pub group_commit: GroupCommitSettings,

    /// Milliseconds a rating may be served from memory (0: always from the database). This
    /// instance's own votes show at once; other instances' within this bound.
    #[arg(
        long,
        env = "PLAUDIT_RATING_CACHE_MS",
        default_value_t = 5000,
        global = true
    )]
    pub rating_cache_ms: u64,

    #[command(flatten)]
    pub warm_start: WarmStartSettings,

    /// Seconds browsers and CDNs may reuse a rating without asking (0: they revalidate every
    /// time, cheaply, with the ETag).
    #[arg(
        long,
        env = "PLAUDIT_RATING_MAX_AGE",
        default_value_t = 0,
        global = true
    )]
    pub rating_max_age_secs: u32,

    /// Seconds to finish requests in flight after SIGTERM or SIGINT before closing anyway;
    /// below the usual 30 s an orchestrator waits before it kills.
    #[arg(
        long,
        env = "PLAUDIT_SHUTDOWN_TIMEOUT",
        default_value_t = 20,
        global = true
    )]
    pub shutdown_timeout_secs: u64,

    /// Milliseconds to keep serving after SIGTERM or SIGINT, with `/readyz` answering 503,
    /// before the server stops accepting: set it to the time your load balancer takes to stop
    /// sending (its health-check interval times the failures it waits for). Connections the
    /// kernel accepted before the stop are served, not reset.
    #[arg(
        long,
        env = "PLAUDIT_SHUTDOWN_DRAIN_MS",
        default_value_t = 1000,
        global = true
    )]
    pub shutdown_drain_ms: u64,

    /// Weight of the prior in reports' Bayesian averages, in votes: an article's average is
    /// pulled toward the site-wide mean as if this many votes at that mean had been cast.
    #[arg(
        long,
        env = "PLAUDIT_BAYES_PRIOR_WEIGHT",
        default_value_t = 10.0,
        global = true
    )]
    pub bayes_prior_weight: f64,

    #[command(flatten)]
    pub abuse: AbuseSettings,

    #[command(flatten)]
    pub webhooks: WebhookSettings,

    #[command(flatten)]
    pub scale_out: ScaleOutSettings,

    #[command(flatten)]
    pub dashboard: DashboardSettings,
}

impl Settings {
    /// Settings as they are with no flags and no environment: what tests start from.
    pub fn defaults() -> Self {
        Cli::parse_from(["plaudit"]).settings
    }

    pub fn batch(&self) -> BatchSettings {
        let answer_within = Duration::from_secs(self.db_timeout_secs.max(1));
        self.group_commit.batch(answer_within)
    }

    /// The store as the server runs it: pools, rating cache and group commit.
    pub fn store(&self) -> StoreSettings {
        StoreSettings {
            pool: self.pool(),
            rating_cache_ttl: Duration::from_millis(self.rating_cache_ms),
            group_commit: Some(self.batch()),
        }
    }

    pub fn pool(&self) -> PoolSettings {
        PoolSettings {
            max_connections: self.db_max_connections.max(1),
            acquire_timeout: Duration::from_secs(self.db_timeout_secs.max(1)),
            report_timeout: Duration::from_secs(self.report_timeout_secs.max(1)),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url))
            .field("secret", &self.secret)
            .field("db_max_connections", &self.db_max_connections)
            .field("db_timeout_secs", &self.db_timeout_secs)
            .field("report_timeout_secs", &self.report_timeout_secs)
            .field("workers", &self.workers)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("group_commit", &self.group_commit)
            .field("rating_cache_ms", &self.rating_cache_ms)
            .field("warm_start", &self.warm_start)
            .field("rating_max_age_secs", &self.rating_max_age_secs)
            .field("shutdown_timeout_secs", &self.shutdown_timeout_secs)
            .field("shutdown_drain_ms", &self.shutdown_drain_ms)
            .field("bayes_prior_weight", &self.bayes_prior_weight)
            .field("abuse", &self.abuse)
            .field("webhooks", &self.webhooks)
            .field("scale_out", &self.scale_out)
            .field("dashboard", &self.dashboard)
            .finish()
    }
}

/// Hides a password in `postgres://user:password@host/db`.
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => {
                    format!("{}{user}:[redacted]{}", &url[..scheme_end + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let mut settings = Settings::defaults();
        settings.secret = Some("a very secret value".parse().unwrap());
        settings.database_url = "postgres://plaudit:hunter2@db/plaudit".into();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("very secret"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgres://plaudit:[redacted]@db/plaudit"),
            "{shown}"
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!("short".parse::<Secret>().is_err());
    }
}
