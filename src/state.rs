//! What every handler may use: built once at start, shared by all workers.

use crate::abuse::NetworkKeys;
use crate::domain::VoterKey;
use crate::store::Store;

/// What every handler may use.
#[derive(Debug)]
pub struct AppState {
    pub store: Store,
    pub voter_key: VoterKey,
    pub network_keys: NetworkKeys,
    /// The ballot-stuffing cap (0: off).
    pub voters_per_network: u32,
    /// Seconds browsers and CDNs may reuse a rating without revalidating.
    pub rating_max_age_secs: u32,
    /// Weight of the site-wide prior in reports' Bayesian averages.
    pub bayes_prior_weight: f64,
    /// Webhooks may point to http:// and private addresses (see `crate::webhooks::target`).
    pub webhooks_allow_private: bool,
    /// Seals new webhook signing secrets before they are stored.
    pub webhook_secrets: crate::webhooks::SecretSealer,
    /// The dashboard's sign-in sessions.
    pub sessions: SessionPolicy,
    /// The identity header of a single-sign-on proxy, if one is set up.
    pub single_sign_on: Option<crate::config::SingleSignOn>,
}

/// How the dashboard's session cookies are made.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub lifetime_ms: i64,
    /// False only when explicitly allowed on a loopback address.
    pub secure_cookie: bool,
}
