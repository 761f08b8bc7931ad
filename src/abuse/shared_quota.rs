//! Per-client quotas shared by every instance through Redis, so that N instances behind a
//! round-robin load balancer still allow one quota, not N.
//!
//! Each check is one atomic Lua script (`gcra.lua`): the same GCRA as governor, on Redis's
//! clock, so the answers and the RateLimit headers are those of the in-memory limiter. Keys
//! expire when the quota is full again and name the client only by the keyed hash the
//! network cap uses (`NetworkKeys`), whose key is deleted after its day (so a client's quota
//! starts afresh at midnight UTC, once a day, which is harmless next to a minute's refill).
//!
//! Redis is never a reason to refuse or delay a request past `timeout`: when it fails or is
//! slow the instance goes on with its own limiter (governor, as without Redis), says so once
//! in the log and in `/metrics`, and a watcher brings Redis back once it answers a PING.

use crate::config::ScaleOutSettings;
use anyhow::Context;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often a watcher asks Redis whether it is back during an outage.
const WATCH_INTERVAL: Duration = Duration::from_secs(1);
/// Bytes of the client's keyed hash kept in the key: 128 bits cannot collide by chance.
const KEY_HASH_BYTES: usize = 16;
/// How long a refusal is remembered locally at most (see `denied`).
const DENIED_MEMORY: Duration = Duration::from_secs(60);

/// What Redis answered for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed, with what is left of the burst.
    Allow { remaining: u32 },
    /// Refused until `wait` has passed.
    Deny { wait: Duration },
}

/// The shape of one quota, as governor's `Quota` gives it.
#[derive(Debug, Clone, Copy)]
pub struct QuotaShape {
    pub name: &'static str,
    /// One request's share: the time it takes to earn back.
    pub interval: Duration,
    pub burst: u32,
}

pub struct SharedQuotas {
    redis: ConnectionManager,
    script: redis::Script,
    timeout: Duration,
    prefix: String,
    /// Whether checks go to Redis; false during an outage, until the watcher sees it back.
    up: AtomicBool,
    /// Clients Redis refused, until when. The first line in front of Redis: a refused
    /// client's TAT only grows, so no instance can allow it before then, and a flood from
    /// one address costs Redis one round trip per refusal period instead of one per request.
    denied: moka::sync::Cache<String, Instant>,
}

impl std::fmt::Debug for SharedQuotas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedQuotas")
            .field("up", &self.up)
            .finish_non_exhaustive()
    }
}

impl SharedQuotas {
    /// `None` when no Redis is configured. A URL that is not a Redis URL is refused; a
    /// Redis that does not answer is not (see [`SharedQuotas::check_at_start`]).
    pub fn from_settings(settings: &ScaleOutSettings) -> anyhow::Result<Option<Arc<Self>>> {
        let Some(url) = settings.redis_url.as_deref() else {
            return Ok(None);
        };
        let shown = crate::config::redact_url(url);
        let client = redis::Client::open(url)
            .with_context(|| format!("PLAUDIT_REDIS_URL {shown:?} is not a Redis URL"))?;
        let timeout = settings.redis_timeout();
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(timeout))
            .set_connection_timeout(Some(timeout.max(Duration::from_millis(500))))
            .set_number_of_retries(1);
        let redis = ConnectionManager::new_lazy_with_config(client, config)
            .with_context(|| format!("no Redis connection manager for {shown}"))?;
        Ok(Some(Arc::new(Self {
            redis,
            script: redis::Script::new(include_str!("gcra.lua")),
            timeout,
            prefix: settings.redis_key_prefix.clone(),
            up: AtomicBool::new(true),
            denied: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(DENIED_MEMORY)
                .build(),
        })))
    }

    /// Asks Redis once. An instance that starts while Redis is away still starts (an outage
    /// of the quota store must not keep instances from replacing failed ones) and limits on
    /// its own until Redis answers; the warning says so.
    pub async fn check_at_start(&self) {
        // A first connection may take longer than a request's wait.
        match self
            .ping(self.timeout.max(Duration::from_millis(500)))
            .await
        {
            Ok(()) => {
                tracing::info!("rate limits are shared through Redis");
                self.set_up(true);
            }
            Err(error) => {
                tracing::warn!(
                    %error,
                    "Redis (PLAUDIT_REDIS_URL) does not answer at start: each instance limits \
                     clients on its own until it does"
                );
                self.set_up(false);
                metrics::counter!("plaudit_rate_limit_redis_outages_total").increment(1);
            }
        }
    }

    /// Brings Redis back after an outage, for as long as the runtime runs.
    pub fn spawn_watcher(self: Arc<Self>) {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(WATCH_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                // Within a request's own wait, so that a Redis that answers but slowly stays
                // off rather than flapping (and logging) once a second.
                if !self.is_up() && self.ping(self.timeout).await.is_ok() {
                    tracing::info!("Redis answers again: rate limits are shared again");
                    self.set_up(true);
                }
            }
        });
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// The verdict for the client tagged `client_hash` under `quota`, or `None` when Redis
    /// cannot give one in time: the caller then limits locally.
    pub async fn check(&self, quota: &QuotaShape, client_hash: &[u8]) -> Option<Verdict> {
        if !self.is_up() {
            return None;
        }
        let key = self.key(quota.name, client_hash);
        if let Some(until) = self.denied.get(&key) {
            let wait = until.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                return Some(Verdict::Deny { wait });
            }
        }
        let interval = micros(quota.interval).max(1);
        let tolerance = interval * u64::from(quota.burst.max(1) - 1);
        let mut redis = self.redis.clone();
        let mut invocation = self.script.key(&key);
        invocation.arg(interval).arg(tolerance);
        let answer = tokio::time::timeout(
            self.timeout,
            invocation.invoke_async::<(i64, i64, i64)>(&mut redis),
        )
        .await;
        match answer {
            Ok(Ok((1, remaining, _))) => Some(Verdict::Allow {
                remaining: u32::try_from(remaining).unwrap_or(0),
            }),
            Ok(Ok((_, _, wait))) => {
                let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
                self.denied.insert(key, Instant::now() + wait);
                Some(Verdict::Deny { wait })
            }
            Ok(Err(error)) => {
                self.outage(&error.to_string());
                None
            }
            Err(_) => {
                self.outage(&format!("no answer within {} ms", self.timeout.as_millis()));
                None
            }
        }
    }

    fn key(&self, policy: &str, client_hash: &[u8]) -> String {
        let hash = &client_hash[..client_hash.len().min(KEY_HASH_BYTES)];
        format!("{}rl:{policy}:{}", self.prefix, crate::hex::encode(hash))
    }

    /// Logged once per outage: the first failure turns Redis off until the watcher sees it.
    fn outage(&self, error: &str) {
        if self.up.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                error,
                "Redis failed: rate limits are per instance until it answers again"
            );
            metrics::counter!("plaudit_rate_limit_redis_outages_total").increment(1);
            metrics::gauge!("plaudit_rate_limit_shared").set(0.0);
        }
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::Relaxed);
        metrics::gauge!("plaudit_rate_limit_shared").set(if up { 1.0 } else { 0.0 });
    }

    async fn ping(&self, within: Duration) -> anyhow::Result<()> {
        let mut redis = self.redis.clone();
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut redis);
        match tokio::time::timeout(within, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(error.into()),
            Err(_) => anyhow::bail!("no answer within {} ms", within.as_millis()),
        }
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: Option<&str>) -> ScaleOutSettings {
        let mut settings = crate::config::Settings::defaults().scale_out;
        settings.redis_url = url.map(str::to_owned);
        settings
    }

    #[test]
    fn no_url_no_shared_quotas() {
        assert!(
            SharedQuotas::from_settings(&settings(None))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_url_that_is_not_redis_is_refused_by_name_without_its_password() {
        let error = SharedQuotas::from_settings(&settings(Some("http://user:hunter2@cache")))
            .unwrap_err()
            .to_string();
        assert!(error.contains("PLAUDIT_REDIS_URL"), "{error}");
        assert!(error.contains("is not a Redis URL"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[tokio::test]
    async fn keys_carry_the_prefix_the_policy_and_a_shortened_hash_only() {
        let shared = SharedQuotas::from_settings(&settings(Some("redis://127.0.0.1:1")))
            .unwrap()
            .unwrap();
        let key = shared.key("votes", &[0xab; 32]);
        assert_eq!(key, format!("plaudit:rl:votes:{}", "ab".repeat(16)));
    }
}
