//! Protection of the public, anonymous endpoints: who the client is, how fast it may go, how
//! many voters one network may add to an article, and how much the server takes at once.

mod client_ip;
mod network;
mod overload;
mod policy;
mod rate_limit;
mod shared_quota;

pub use client_ip::{ClientKey, TrustedProxies};
pub use network::{NetworkKeys, NetworkTag};
pub use overload::{Overload, shed_overload};
pub use rate_limit::{RateLimits, rate_limit};
pub use shared_quota::{SharedQuotas, Verdict};
