//! Settings for running several instances: quotas shared through Redis, and editors' reports
//! read from a PostgreSQL replica. Both are optional; unset, an instance works alone as before.

use clap::Args;
use std::fmt;
use std::time::Duration;

#[derive(Clone, Args)]
pub struct ScaleOutSettings {
    /// Redis that holds the per-client quotas for every instance (e.g. "redis://10.0.0.5:6379").
    /// Unset: each instance limits on its own, so N instances allow N times the quota.
    #[arg(long, env = "PLAUDIT_REDIS_URL", hide_env_values = true, global = true)]
    pub redis_url: Option<String>,

    /// Milliseconds a request waits for Redis before it is limited locally instead.
    #[arg(
        long,
        env = "PLAUDIT_REDIS_TIMEOUT_MS",
        default_value_t = 50,
        global = true
    )]
    pub redis_timeout_ms: u64,

    /// Prefix of the keys Plaudit writes in Redis, so that several services can share one.
    #[arg(
        long,
        env = "PLAUDIT_REDIS_KEY_PREFIX",
        default_value = "plaudit:",
        global = true
    )]
    pub redis_key_prefix: String,

    /// A postgres:// URL of a streaming replica of the database, which editors' reports, CSV
    /// exports and feedback lists read (votes and writes stay on DATABASE_URL). Unset: reports
    /// read the primary.
    #[arg(
        long,
        env = "PLAUDIT_REPORTS_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub reports_database_url: Option<String>,
}

impl ScaleOutSettings {
    pub fn redis_timeout(&self) -> Duration {
        Duration::from_millis(self.redis_timeout_ms.max(1))
    }
}

impl fmt::Debug for ScaleOutSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |url: &Option<String>| url.as_deref().map(super::redact_url);
        f.debug_struct("ScaleOutSettings")
            .field("redis_url", &redact(&self.redis_url))
            .field("redis_timeout_ms", &self.redis_timeout_ms)
            .field("redis_key_prefix", &self.redis_key_prefix)
            .field("reports_database_url", &redact(&self.reports_database_url))
            .finish()
    }
}
