//! `plaudit seed`: fills a database with realistic made-up articles, votes and feedback, for
//! a demo or a benchmark at newsroom scale, through the store's bulk path (`Store::seed_batch`)
//! so that every aggregate is exact and `plaudit verify` passes afterwards.
//!
//! - `generate.rs`: the seed as batches: a long-tailed spread of votes, feedback on low ones;
//! - `article.rs`: one article and its votes (star mix, times, revisions, changed votes);
//! - `rng.rs`: the small generator that makes it all the same for the same `--seed`;
//! - `progress.rs`: a bar on a terminal, lines elsewhere.

mod article;
mod generate;
mod progress;
mod rng;
mod words;

pub use progress::{Progress, Totals, thousands};
pub use words::DEFAULT_SECTIONS;

use crate::store::{Store, StoreError};
use futures_util::StreamExt;
use generate::Generator;
use std::time::{Duration, Instant};

/// Longest section name a seed makes up; metadata allows more, nobody needs it.
const MAX_SECTION_CHARS: usize = 100;
const MAX_DAYS: u32 = 36_500;
/// Batches made ahead while the store writes the current one: enough to keep the writer
/// busy, few enough to keep memory flat.
const BATCHES_AHEAD: usize = 2;

/// What to make.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub articles: u64,
    pub votes: u64,
    /// Articles appear, and votes arrive, within this many days before `now`.
    pub days: u32,
    /// The first ones get the most articles.
    pub sections: Vec<String>,
    /// Entries, on votes of one or two stars.
    pub feedback: u64,
    /// Add to a database that holds votes already; without it such a database is refused.
    pub append: bool,
    /// The same seed makes the same data (its times counted back from `now`).
    pub seed: u64,
    /// Unix milliseconds.
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct SeedSummary {
    pub written: Totals,
    /// The article with the most votes, and how many: the one to ask for a heavy report.
    pub most_voted: Option<(String, u32)>,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the database holds {} votes already: seed an empty one, or give --append to add \
         new articles with their votes beside them",
        votes(.0)
    )]
    HoldsVotes(i64),
    #[error("{0}")]
    Plan(String),
    #[error("the seed generator failed: {0}")]
    Generator(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn votes(count: &i64) -> String {
    thousands(u64::try_from(*count).unwrap_or(0))
}

impl SeedPlan {
    fn check(&self) -> Result<(), SeedError> {
        let refuse = |why: &str| Err(SeedError::Plan(why.to_owned()));
        if self.votes > 0 && self.articles == 0 {
            return refuse("votes need articles: give --articles 1 or more");
        }
        if self.articles > u64::from(u32::MAX) || self.votes > u64::from(u32::MAX) {
            return refuse("at most 4,294,967,295 articles and as many votes");
        }
        // A century back from now stays well after 1970, where times begin.
        if !(1..=MAX_DAYS).contains(&self.days) {
            return refuse("--days is 1 to 36,500");
        }
        if self.sections.is_empty() {
            return refuse("--sections needs at least one section");
        }
        for section in &self.sections {
            let chars = section.chars().count();
            if chars == 0 || chars > MAX_SECTION_CHARS || section.chars().any(char::is_control) {
                return Err(SeedError::Plan(format!(
                    "a section is 1 to {MAX_SECTION_CHARS} characters without control \
                     characters; got {section:?}"
                )));
            }
        }
        Ok(())
    }
}

/// Makes `plan`'s data and writes it, batch by batch, each in one transaction: stopped
/// half-way, the database holds whole articles with exact aggregates. Articles are new,
/// numbered `a1`, `a2` ... after as many as the database holds.
pub async fn seed(
    store: &Store,
    plan: &SeedPlan,
    progress: &Progress,
) -> Result<SeedSummary, SeedError> {
    plan.check()?;
    let started = Instant::now();
    let state = store.seed_state().await?;
    if state.votes > 0 && !plan.append {
        return Err(SeedError::HoldsVotes(state.votes));
    }
    let first_number = u64::try_from(state.articles).unwrap_or(0) + 1;
    // Making the data is CPU work, done on a blocking thread and ahead of the writes, so
    // that it overlaps the database's work instead of adding to it.
    let owned = plan.clone();
    let generator = tokio::task::spawn_blocking(move || Generator::new(&owned, first_number))
        .await
        .map_err(|error| SeedError::Generator(error.to_string()))?;
    let most_voted = generator.most_voted();
    let (sender, batches) = tokio::sync::mpsc::channel(BATCHES_AHEAD);
    tokio::task::spawn_blocking(move || {
        for batch in generator {
            // The receiver is gone when a write failed: stop making more.
            if sender.blocking_send(batch).is_err() {
                break;
            }
        }
    });

    let planned = Totals {
        articles: plan.articles,
        votes: plan.votes,
        feedback: plan.feedback,
    };
    progress.start(planned);
    // Batches are independent (new articles, each with all its votes), so where the
    // database takes writes side by side, several are written at once.
    let writes = futures_util::stream::unfold(batches, |mut batches| async move {
        let batch = batches.recv().await?;
        Some((batch, batches))
    })
    .map(|batch| async move {
        store.seed_batch(&batch).await?;
        Ok::<_, StoreError>(Totals {
            articles: batch.articles.len() as u64,
            votes: batch.votes.len() as u64,
            feedback: batch.feedback.len() as u64,
        })
    })
    .buffer_unordered(store.seed_writers());
    let mut writes = std::pin::pin!(writes);
    let mut written = Totals::default();
    while let Some(batch) = writes.next().await {
        let batch = batch?;
        written.articles += batch.articles;
        written.votes += batch.votes;
        written.feedback += batch.feedback;
        progress.advance(written, planned);
    }
    if written.articles != plan.articles {
        return Err(SeedError::Generator("it stopped early".into()));
    }
    progress.finishing("finishing");
    store.finish_seed().await?;
    Ok(SeedSummary {
        written,
        most_voted,
        elapsed: started.elapsed(),
    })
}
