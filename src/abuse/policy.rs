//! One quota (votes, or reads), as governor enforces it on this instance and as the IETF
//! RateLimit headers name it; `rate_limit.rs` applies the policies to requests.

use super::ClientKey;
use super::shared_quota::{QuotaShape, Verdict};
use actix_web::http::header::HeaderName;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

type ClientLimiter =
    RateLimiter<ClientKey, DashMapStateStore<ClientKey>, DefaultClock, StateInformationMiddleware>;

pub(super) const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
pub(super) const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// One quota, named as the IETF RateLimit headers show it.
pub struct Policy {
    pub(super) name: &'static str,
    pub(super) per_minute: u32,
    pub(super) quota: Quota,
    pub(super) limiter: ClientLimiter,
}

impl Policy {
    pub(super) fn new(name: &'static str, per_minute: u32, burst: u32) -> Self {
        let per_minute = per_minute.max(1);
        let burst = NonZeroU32::new(burst.max(1)).expect("at least 1");
        let quota =
            Quota::per_minute(NonZeroU32::new(per_minute).expect("at least 1")).allow_burst(burst);
        Self {
            name,
            per_minute,
            quota,
            limiter: RateLimiter::dashmap(quota).with_middleware(),
        }
    }

    /// `"votes";q=10;w=20`: the whole burst, and how long it takes to refill from empty.
    pub(super) fn policy_header(&self) -> String {
        let window = ceil_secs(self.quota.burst_size_replenished_in());
        format!("\"{}\";q={};w={window}", self.name, self.quota.burst_size())
    }

    pub(super) fn state_header(&self, remaining: u32, reset: Duration) -> String {
        format!("\"{}\";r={remaining};t={}", self.name, ceil_secs(reset))
    }

    pub fn tracked_clients(&self) -> usize {
        self.limiter.len()
    }

    /// This instance's own verdict, from governor.
    pub fn local_verdict(&self, key: &ClientKey) -> Verdict {
        match self.limiter.check_key(key) {
            Ok(snapshot) => Verdict::Allow {
                remaining: snapshot.remaining_burst_capacity(),
            },
            Err(not_until) => Verdict::Deny {
                wait: not_until.wait_time_from(self.limiter.clock().now()),
            },
        }
    }

    pub(super) fn shape(&self) -> QuotaShape {
        QuotaShape {
            name: self.name,
            interval: self.quota.replenish_interval(),
            burst: self.quota.burst_size().get(),
        }
    }
}

pub(super) fn ceil_secs(duration: Duration) -> u64 {
    duration.as_millis().div_ceil(1000) as u64
}
