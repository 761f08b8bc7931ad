//! Settings that protect the public endpoints: rate limits, trusted proxies, the ballot-stuffing
//! cap, CORS and overload limits. Their defaults, and why, are in the README.

use clap::Args;
use ipnet::IpNet;

#[derive(Debug, Clone, Args)]
pub struct AbuseSettings {
    /// Rate-limit requests per client address ("false" for benchmarks).
    #[arg(long, env = "PLAUDIT_RATE_LIMIT_ENABLED", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub rate_limit_enabled: bool,

    /// Votes, retractions and feedback a client address may send per minute, sustained.
    #[arg(
        long,
        env = "PLAUDIT_RATE_LIMIT_WRITES_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub writes_per_minute: u32,

    /// Writes a client address may send at once before the per-minute rate applies.
    #[arg(
        long,
        env = "PLAUDIT_RATE_LIMIT_WRITES_BURST",
        default_value_t = 10,
        global = true
    )]
    pub writes_burst: u32,

    /// Rating and vote reads a client address may send per minute, sustained.
    #[arg(
        long,
        env = "PLAUDIT_RATE_LIMIT_READS_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    pub reads_per_minute: u32,

    /// Reads a client address may send at once before the per-minute rate applies.
    #[arg(
        long,
        env = "PLAUDIT_RATE_LIMIT_READS_BURST",
        default_value_t = 120,
        global = true
    )]
    pub reads_burst: u32,

    /// Networks of reverse proxies and CDNs whose X-Forwarded-For / Forwarded headers are
    /// believed, comma-separated CIDRs (e.g. "10.0.0.0/8,2001:db8::/32"). Empty: none.
    #[arg(
        long,
        env = "PLAUDIT_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<IpNet>,

    /// Distinct voters one network (an IPv4 address or IPv6 /64) may add to one article per
    /// day (0: no cap). Changing an existing vote is never capped.
    #[arg(
        long,
        env = "PLAUDIT_VOTERS_PER_NETWORK_PER_DAY",
        default_value_t = 20,
        global = true
    )]
    pub voters_per_network_per_day: u32,

    /// Origins allowed to call the public endpoints from a browser, comma-separated, or "*".
    #[arg(
        long,
        env = "PLAUDIT_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = "*",
        global = true
    )]
    pub cors_origins: Vec<String>,

    /// Requests served at once; past this, 503 with Retry-After instead of queueing forever.
    #[arg(
        long,
        env = "PLAUDIT_MAX_CONCURRENT_REQUESTS",
        default_value_t = 1024,
        global = true
    )]
    pub max_concurrent_requests: usize,

    /// Seconds a client has to send its request headers (slow clients are cut off).
    #[arg(
        long,
        env = "PLAUDIT_REQUEST_TIMEOUT",
        default_value_t = 5,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Seconds a client has to send its request body once the headers are in (408 past it).
    #[arg(
        long,
        env = "PLAUDIT_BODY_TIMEOUT",
        default_value_t = crate::extract::BodyDeadline::DEFAULT_SECS,
        global = true
    )]
    pub body_timeout_secs: u64,

    /// Seconds an idle keep-alive connection stays open.
    #[arg(long, env = "PLAUDIT_KEEP_ALIVE", default_value_t = 5, global = true)]
    pub keep_alive_secs: u64,
}
