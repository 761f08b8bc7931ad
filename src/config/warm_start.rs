//! What a starting instance loads into its rating cache before it is ready.

use crate::store::WarmStart;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct WarmStartSettings {
    /// Ratings loaded into the cache at start, before the instance is ready: those of the
    /// articles voted on most recently (0: none, the cache starts cold).
    #[arg(
        long,
        env = "PLAUDIT_WARM_START_ARTICLES",
        default_value_t = 10_000,
        global = true
    )]
    pub warm_start_articles: usize,

    /// Hours back the warm start looks for votes: articles voted on longer ago are not loaded.
    #[arg(
        long,
        env = "PLAUDIT_WARM_START_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub warm_start_hours: u64,
}

impl WarmStartSettings {
    pub fn warm_start(&self) -> WarmStart {
        WarmStart {
            articles: self.warm_start_articles,
            window: Duration::from_secs(self.warm_start_hours.saturating_mul(3600)),
        }
    }
}
