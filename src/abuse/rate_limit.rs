//! Per-client rate limits with governor: a tight quota for writes, a looser one for reads;
//! shared by all instances through Redis when one is configured (`shared_quota.rs`).
//!
//! One [`RateLimits`] is built before the server starts and shared by every worker, so a client
//! cannot multiply its quota by landing on different workers.

use super::ClientKey;
use super::policy::{Policy, RATELIMIT, RATELIMIT_POLICY, ceil_secs};
use super::shared_quota::{SharedQuotas, Verdict};
use crate::config::AbuseSettings;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::now_millis;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use std::sync::Arc;
use std::time::Duration;

pub struct RateLimits {
    enabled: bool,
    pub writes: Policy,
    pub reads: Policy,
    /// Quotas shared with the other instances, when Redis is configured.
    shared: Option<Arc<SharedQuotas>>,
}

impl RateLimits {
    pub fn new(settings: &AbuseSettings) -> Self {
        Self {
            enabled: settings.rate_limit_enabled,
            writes: Policy::new("votes", settings.writes_per_minute, settings.writes_burst),
            reads: Policy::new("reads", settings.reads_per_minute, settings.reads_burst),
            shared: None,
        }
    }

    /// Counts every client's requests in `shared` (Redis) while it answers.
    pub fn shared_through(mut self, shared: Option<Arc<SharedQuotas>>) -> Self {
        self.shared = shared;
        self
    }

    /// Redis's verdict, or `None` when there is no Redis, it is away or slow, or the day's
    /// hashing key cannot be had: the caller then decides locally. Counted, so that
    /// `/metrics` shows how many decisions an outage left to each instance.
    async fn shared_verdict(
        &self,
        policy: &Policy,
        req: &ServiceRequest,
        client: ClientKey,
    ) -> Option<Verdict> {
        let shared = self.shared.as_ref()?;
        let verdict = match req.app_data::<web::Data<AppState>>() {
            Some(state) if shared.is_up() => {
                match state
                    .network_keys
                    .tag(&state.store, client, now_millis())
                    .await
                {
                    Ok(tag) => shared.check(&policy.shape(), &tag.hash).await,
                    Err(_) => None,
                }
            }
            _ => None,
        };
        if verdict.is_none() {
            metrics::counter!("plaudit_rate_limit_local_decisions_total").increment(1);
        }
        verdict
    }

    /// Forgets clients whose quota has refilled completely: they are indistinguishable from
    /// new ones, so memory holds only clients seen within one refill time.
    pub fn sweep(&self) {
        for policy in [&self.writes, &self.reads] {
            policy.limiter.retain_recent();
            policy.limiter.shrink_to_fit();
        }
    }

    /// Sweeps every `interval` for as long as the runtime runs.
    pub fn spawn_sweeper(limits: web::Data<Self>, interval: Duration) {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            loop {
                ticks.tick().await;
                limits.sweep();
            }
        });
    }

    fn policy_for(&self, method: &Method) -> &Policy {
        if matches!(*method, Method::GET | Method::HEAD) {
            &self.reads
        } else {
            &self.writes
        }
    }
}

/// Middleware for public routes: reads count against the read quota, everything else against
/// the write quota, both per client (see [`ClientKey`]): in Redis when one is configured and
/// answers, else in this instance's memory.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(limits) = req
        .app_data::<web::Data<RateLimits>>()
        .filter(|l| l.enabled)
        .cloned()
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let policy = limits.policy_for(req.method());
    let key = ClientKey::of_request(req.request());
    let verdict = match limits.shared_verdict(policy, &req, key).await {
        Some(verdict) => verdict,
        None => policy.local_verdict(&key),
    };
    match verdict {
        Verdict::Allow { remaining } => {
            let used = policy.quota.burst_size().get().saturating_sub(remaining);
            let reset = policy.quota.replenish_interval() * used;
            let mut response = next.call(req).await?;
            let headers = response.headers_mut();
            headers.insert(RATELIMIT_POLICY, header_value(policy.policy_header()));
            headers.insert(
                RATELIMIT,
                header_value(policy.state_header(remaining, reset)),
            );
            Ok(response.map_into_boxed_body())
        }
        Verdict::Deny { wait } => {
            metrics::counter!("plaudit_rate_limited_total", "policy" => policy.name).increment(1);
            let retry_after = ceil_secs(wait).max(1);
            let error = ApiError::TooManyRequests {
                detail: format!(
                    "too many requests from your address; the limit is {} at once, then {} per minute",
                    policy.quota.burst_size(),
                    policy.per_minute
                ),
                retry_after_secs: retry_after,
            };
            let mut response = error.error_response();
            let headers = response.headers_mut();
            headers.insert(RATELIMIT_POLICY, header_value(policy.policy_header()));
            // `t` is the time until the whole quota is back, as on every other response:
            // the next token's wait, then one refill interval for each of the rest.
            let full =
                wait + policy.quota.replenish_interval() * (policy.quota.burst_size().get() - 1);
            headers.insert(RATELIMIT, header_value(policy.state_header(0, full)));
            Ok(req.into_response(response))
        }
    }
}

fn header_value(value: String) -> HeaderValue {
    HeaderValue::try_from(value).expect("rate-limit headers are ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_follow_the_ietf_draft() {
        let policy = Policy::new("votes", 30, 10);
        assert_eq!(policy.policy_header(), "\"votes\";q=10;w=20");
        assert_eq!(
            policy.state_header(7, Duration::from_millis(5500)),
            "\"votes\";r=7;t=6"
        );
    }
}
