//! Webhook delivery: which targets are allowed, how long an attempt may take, and how retries
//! spread out before an event is given up.

use clap::Args;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct WebhookSettings {
    /// Allow webhook URLs with http:// and URLs that resolve to loopback, private or
    /// link-local addresses (for local tests and private networks). Off: only https:// to
    /// public addresses, so a webhook cannot be aimed at the service's own network.
    #[arg(
        long,
        env = "PLAUDIT_WEBHOOKS_ALLOW_PRIVATE",
        default_value_t = false,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub webhooks_allow_private: bool,

    /// Seconds one delivery attempt may take (connect, send, answer) before it counts as failed.
    #[arg(
        long,
        env = "PLAUDIT_WEBHOOK_TIMEOUT",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout_secs: u64,

    /// Milliseconds before the first retry; each later one waits twice as long (with jitter,
    /// at most 6 hours). With the default 30 s and 14 attempts, retries span about a day.
    #[arg(
        long,
        env = "PLAUDIT_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 30_000,
        global = true
    )]
    pub webhook_retry_base_ms: u64,

    /// Attempts per event before it is marked failed.
    #[arg(
        long,
        env = "PLAUDIT_WEBHOOK_MAX_ATTEMPTS",
        default_value_t = 14,
        global = true
    )]
    pub webhook_max_attempts: u32,

    /// Hours a subscription may fail without one success before it is paused (with the reason).
    #[arg(
        long,
        env = "PLAUDIT_WEBHOOK_PAUSE_AFTER_HOURS",
        default_value_t = 72,
        global = true
    )]
    pub webhook_pause_after_hours: u64,

    /// Milliseconds between the delivery worker's looks at the outbox when it is idle.
    #[arg(
        long,
        env = "PLAUDIT_WEBHOOK_POLL_MS",
        default_value_t = 500,
        global = true
    )]
    pub webhook_poll_ms: u64,

    /// Days each delivery attempt, and each event delivered or given up, is kept for the
    /// deliveries list; an hourly sweep deletes older ones (0 keeps them). Events still being
    /// tried are never deleted.
    #[arg(
        long,
        env = "PLAUDIT_WEBHOOK_HISTORY_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub webhook_history_days: u64,

    /// The service's public address (e.g. https://ratings.example.com), to make the links in
    /// events absolute; unset, links are paths.
    #[arg(long, env = "PLAUDIT_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
}

/// What the delivery worker runs with, derived from [`WebhookSettings`].
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub allow_private: bool,
    pub timeout: Duration,
    pub retry_base: Duration,
    pub max_attempts: u32,
    pub pause_after: Duration,
    pub poll: Duration,
    pub public_url: String,
}

impl WebhookSettings {
    /// How long delivery history is kept, for the retention sweep; `None` keeps it.
    pub fn history_ms(&self) -> Option<i64> {
        crate::time::retention_ms(self.webhook_history_days)
    }

    pub fn delivery(&self) -> DeliverySettings {
        DeliverySettings {
            allow_private: self.webhooks_allow_private,
            timeout: Duration::from_secs(self.webhook_timeout_secs.max(1)),
            retry_base: Duration::from_millis(self.webhook_retry_base_ms.max(1)),
            max_attempts: self.webhook_max_attempts.max(1),
            pause_after: Duration::from_secs(self.webhook_pause_after_hours.saturating_mul(3600)),
            poll: Duration::from_millis(self.webhook_poll_ms.max(10)),
            public_url: self
                .public_url
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
        }
    }
}
