//! `plaudit seed`'s flags.

use crate::seed::{DEFAULT_SECTIONS, SeedPlan};
use clap::Args;

/// Feedback entries a seed makes unless told: one per this many votes.
const VOTES_PER_FEEDBACK: u64 = 1000;

#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// Articles to add, numbered a1, a2 ... after as many as the database holds.
    #[arg(long)]
    pub articles: u64,
    /// Votes to spread over them: a few articles get thousands, most a handful, some none.
    #[arg(long)]
    pub votes: u64,
    /// Articles appear, and votes arrive, within this many days before now.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Sections, comma-separated; the first ones get the most articles.
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_SECTIONS)]
    pub sections: Vec<String>,
    /// Feedback entries, on votes of one or two stars [default: one per 1,000 votes].
    #[arg(long)]
    pub feedback: Option<u64>,
    /// Add to a database that holds votes already (without it, such a database is refused).
    #[arg(long)]
    pub append: bool,
    /// The same seed makes the same data, its times counted back from now.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl SeedArgs {
    pub fn plan(&self, now: i64) -> SeedPlan {
        SeedPlan {
            articles: self.articles,
            votes: self.votes,
            days: self.days,
            sections: self.sections.iter().map(|s| s.trim().to_owned()).collect(),
            feedback: self.feedback.unwrap_or(self.votes / VOTES_PER_FEEDBACK),
            append: self.append,
            seed: self.seed,
            now,
        }
    }
}
