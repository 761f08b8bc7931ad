//! Loading many made-up articles and votes at once (`plaudit seed`): the rows, and the
//! store's side of it. Each dialect writes a batch its fastest way (`copy.rs`: COPY on
//! PostgreSQL; `insert.rs`: multi-row INSERTs on SQLite), always in one transaction, and the
//! articles' aggregates are computed here from the batch's own votes, so that they are exact
//! whatever the caller made up.

mod copy;
mod insert;

pub(super) use copy::write_batch as copy_batch;
pub(super) use insert::write_batch as insert_batch;

use super::{RatingCounts, Store, StoreError};
use crate::domain::Stars;

/// Batches a seed writes side by side where the database can (see `Store::seed_writers`).
const SEED_WRITERS: usize = 2;

/// New articles with all of their votes, and feedback on some of those votes.
///
/// Votes name their article by its place in `articles`, and feedback its vote by its place in
/// `votes`, so a batch cannot hold a vote on an article it does not write (whose aggregates
/// would then go wrong) nor feedback without its vote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedBatch {
    pub articles: Vec<SeedArticle>,
    pub votes: Vec<SeedVote>,
    pub feedback: Vec<SeedFeedback>,
}

/// An article as a CMS would have described it. Its aggregates are not given: the store
/// counts them from the batch's votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedArticle {
    pub id: String,
    pub title: String,
    pub url: String,
    pub section: String,
    /// A JSON array of names, as `articles.authors` holds them.
    pub authors: String,
    /// RFC 3339, as the CMS would give it.
    pub published_at: String,
    /// Unix milliseconds: when the service first heard of the article.
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedVote {
    /// Index into the batch's `articles`.
    pub article: usize,
    /// Random, never a real reader's hash.
    pub voter_hash: [u8; 32],
    pub stars: Stars,
    pub revision: Option<String>,
    /// Unix milliseconds; `updated_at` is later where the voter changed their vote.
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedFeedback {
    /// Index into the batch's `votes`: feedback carries its vote's article, stars and revision.
    pub vote: usize,
    pub text: String,
    pub created_at: i64,
}

/// An article's votes of one UTC day, per star: a row of `article_days`.
pub(super) type SeedDay<'a> = (&'a str, i64, [i64; 5]);

/// What a database holds before a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedState {
    pub articles: i64,
    pub votes: i64,
}

impl SeedBatch {
    /// Each article's aggregates, in the order of `articles`, from the batch's votes.
    pub(super) fn aggregates(&self) -> Result<Vec<RatingCounts>, StoreError> {
        let mut counts = vec![RatingCounts::default(); self.articles.len()];
        for vote in &self.votes {
            let counts = counts.get_mut(vote.article).ok_or_else(|| {
                StoreError::internal(format!("a seed vote names article {}", vote.article))
            })?;
            let stars = vote.stars.get();
            counts.count += 1;
            counts.star_sum += i64::from(stars);
            counts.distribution[usize::from(stars - 1)] += 1;
        }
        Ok(counts)
    }

    /// The batch's daily roll-ups (article, UTC day, votes per star), from its votes: its
    /// articles are new, so their days hold the batch's votes alone. In day order, as a
    /// running service writes them (a day's rows are made as its votes come), so that a
    /// window's days sit on few pages, as they would.
    pub(super) fn days(&self) -> Result<Vec<SeedDay<'_>>, StoreError> {
        let mut days: std::collections::BTreeMap<(i64, &str), [i64; 5]> = Default::default();
        for vote in &self.votes {
            let day = super::delta::day_of(vote.updated_at);
            let counts = days.entry((day, self.article_id(vote)?)).or_default();
            counts[usize::from(vote.stars.get() - 1)] += 1;
        }
        Ok(days
            .into_iter()
            .map(|((day, article), counts)| (article, day, counts))
            .collect())
    }

    /// The vote a feedback entry is on, and its article's id.
    pub(super) fn feedback_vote(
        &self,
        feedback: &SeedFeedback,
    ) -> Result<(&SeedVote, &str), StoreError> {
        let vote = self.votes.get(feedback.vote).ok_or_else(|| {
            StoreError::internal(format!("seed feedback names vote {}", feedback.vote))
        })?;
        Ok((vote, self.article_id(vote)?))
    }

    pub(super) fn article_id(&self, vote: &SeedVote) -> Result<&str, StoreError> {
        self.articles
            .get(vote.article)
            .map(|article| article.id.as_str())
            .ok_or_else(|| {
                StoreError::internal(format!("a seed vote names article {}", vote.article))
            })
    }
}

impl Store {
    /// Articles and votes the database holds.
    pub async fn seed_state(&self) -> Result<SeedState, StoreError> {
        self.backend().seed_state().await
    }

    /// Writes a batch of new articles with their votes and feedback in one transaction.
    /// An article that exists already fails the whole batch (its aggregates would not be
    /// the batch's alone).
    #[tracing::instrument(skip_all, fields(articles = batch.articles.len(), votes = batch.votes.len()))]
    pub async fn seed_batch(&self, batch: &SeedBatch) -> Result<(), StoreError> {
        // Seeded articles are new: a reader who asked for one of these ids before and was told
        // "no votes" sees the seeded figures within the cache's TTL, as another instance's
        // votes show (the rating cache keeps no way to forget since its entries are versioned).
        self.backend().seed_batch(batch).await
    }

    /// How many batches to write side by side: PostgreSQL parses and indexes each COPY on
    /// one core, so two keep a small machine's cores busy; SQLite has one writer.
    pub fn seed_writers(&self) -> usize {
        if self.backend().single_writer() {
            1
        } else {
            SEED_WRITERS
        }
    }

    /// What the database does after a bulk load, so that it is read as a long-running one
    /// would be (see `Dialect::AFTER_SEED`).
    pub async fn finish_seed(&self) -> Result<(), StoreError> {
        self.backend().finish_seed().await
    }
}
