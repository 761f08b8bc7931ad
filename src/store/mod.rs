//! The votes and ratings the handlers read and write, on SQLite or PostgreSQL.
//!
//! Both backends run the same SQL (see `sql.rs`) through the same code (see `backend.rs`);
//! only connection set-up and a few dialect strings differ.

/// Runs `$call` with `$store` bound to whichever backend this store uses.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match &$self.backend {
            Backend::Sqlite($store) => $call,
            Backend::Postgres($store) => $call,
        }
    };
}

#[macro_use]
mod backend;
mod batch;
mod cache;
mod error;
#[macro_use]
mod editorial;
#[macro_use]
mod reports;
#[macro_use]
mod vote_writes;
mod postgres;
mod ratings;
mod sql;
mod sqlite;

use crate::domain::{ArticleId, Revision, Stars, VoterHash, VoterKey};

use std::time::Duration;

pub use batch::BatchSettings;
pub use editorial::{ArticleMetadata, AuditRecord, FeedbackFilter, FeedbackRecord, KeyRecord};
pub use error::StoreError;
pub use postgres::PostgresStore;
pub use reports::{ArticleFigures, DayFigures, ReportWindow, RevisionFigures};
pub use sqlite::SqliteStore;

/// How the pools are sized and how long a request may wait for a connection.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// Past this a request gets 503 rather than hanging while the database is away.
    pub acquire_timeout: Duration,
}

/// An article's exact aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RatingCounts {
    pub count: i64,
    pub star_sum: i64,
    /// Votes with 1, 2, 3, 4 and 5 stars.
    pub distribution: [i64; 5],
}

impl RatingCounts {
    /// The mean stars, or 0 for an article without votes (the widget's "0 / 5").
    pub fn average(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.star_sum as f64 / self.count as f64
        }
    }
}

/// What a vote did to the voter's previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteChange {
    New,
    Changed { previous: Stars },
    Repeated,
}

/// What became of a vote.
#[derive(Debug, Clone, Copy)]
pub enum VoteOutcome {
    Recorded(RecordedVote),
    /// A new voter from a network that has already added its quota of voters to this article
    /// today; nothing was stored.
    NetworkCapped,
}

/// The ballot-stuffing cap to apply to a new voter: at most `max_voters` distinct voters per
/// network per article per day.
#[derive(Debug, Clone)]
pub struct NetworkCap {
    pub day: i64,
    /// The network's tag for that day, never its address.
    pub network: Vec<u8>,
    pub max_voters: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct RecordedVote {
    pub change: VoteChange,
    pub rating: RatingCounts,
}

#[derive(Debug, Clone)]
pub struct StoredVote {
    pub stars: Stars,
    pub revision: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

/// Connections of one pool, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub in_use: u32,
    pub idle: u32,
}

/// One of the two databases.
#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// The votes, ratings and editors' data, on one of the two databases; cheap to clone (it
/// holds pools, and the queue to the group-commit writer once that is started).
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    votes: Option<batch::VoteQueue>,
    cache: Option<cache::RatingCache>,
}

impl Store {
    /// `postgres://` or `postgresql://` URLs select PostgreSQL; anything else is a SQLite
    /// file path or `sqlite:` URL.
    pub async fn connect(url: &str, pool: &PoolSettings) -> Result<Self, StoreError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(PostgresStore::connect(url, pool).await?)
        } else {
            Backend::Sqlite(SqliteStore::connect(url, pool).await?)
        };
        Ok(Self {
            backend,
            votes: None,
            cache: None,
        })
    }

    /// From now on, ratings are served from memory for up to `ttl` (see `cache.rs`).
    pub fn enable_rating_cache(&mut self, ttl: std::time::Duration) {
        if !ttl.is_zero() {
            self.cache = Some(cache::RatingCache::new(ttl));
        }
    }

    /// From now on, votes go through one writer that commits them in batches (see `batch.rs`).
    /// Needs a Tokio runtime; without it, each vote is a transaction of its own.
    pub fn start_group_commit(&mut self, mut settings: batch::BatchSettings) {
        if let Backend::Sqlite(_) = self.backend {
            settings.writers = 1;
        }
        self.votes = Some(batch::VoteQueue::start(self.clone(), settings));
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Ok(dispatch!(self, s => s.migrate().await)?)
    }

    /// The key that hashes voter ids: `configured` if given, else the one this database
    /// generated on its first start (so that every instance on it hashes alike).
    pub async fn voter_key(&self, configured: Option<&[u8]>) -> Result<VoterKey, StoreError> {
        if let Some(secret) = configured {
            return Ok(VoterKey::new(secret));
        }
        let fresh = random_key()?;
        let kept = dispatch!(self, s => s.keep_secret(sql::VOTER_KEY_NAME, &fresh).await)?;
        Ok(VoterKey::new(kept))
    }

    /// Records a first vote, or changes the voter's vote. `cap`, if given, applies to a first
    /// vote only: changing a vote is never capped.
    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn record_vote(
        &self,
        article: &ArticleId,
        voter: &VoterHash,
        stars: Stars,
        revision: Option<&Revision>,
        cap: Option<&NetworkCap>,
    ) -> Result<VoteOutcome, StoreError> {
        let vote = batch::PendingVote {
            article: article.clone(),
            voter: voter.clone(),
            stars,
            revision: revision.map(|r| r.as_str().to_owned()),
            cap: cap.cloned(),
            now: now_millis(),
        };
        match &self.votes {
            Some(queue) => queue.submit(vote).await,
            None => Ok(self
                .apply_vote_batch(std::slice::from_ref(&vote))
                .await?
                .remove(0)),
        }
    }

    /// Applies votes in one transaction, one aggregate update per article; the outcomes in
    /// the order of `votes`.
    async fn apply_vote_batch(
        &self,
        votes: &[batch::PendingVote],
    ) -> Result<Vec<VoteOutcome>, StoreError> {
        let outcomes = dispatch!(self, s => s.apply_vote_batch(votes).await)?;
        // Forgetting rather than storing the new figures: writers commit side by side, and
        // a later commit's figures could otherwise be overwritten by an earlier one's. Once
        // per article: a hot article's batch is many votes on one.
        let articles: std::collections::HashSet<&ArticleId> =
            votes.iter().map(|vote| &vote.article).collect();
        for article in articles {
            self.forget_rating(article);
        }
        Ok(outcomes)
    }

    /// The key that tags networks on `day`, made by whichever instance asks first; keys and
    /// tags of earlier days are deleted on the way.
    pub async fn network_key(&self, day: i64) -> Result<Vec<u8>, StoreError> {
        let fresh = random_key()?;
        Ok(dispatch!(self, s => s.network_key(day, &fresh).await)?)
    }

    /// The article's new rating, or `None` if the voter had no vote on it.
    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn retract_vote(
        &self,
        article: &ArticleId,
        voter: &VoterHash,
    ) -> Result<Option<RatingCounts>, StoreError> {
        let rating = dispatch!(self, s => s.retract_vote(article, voter).await)?;
        self.forget_rating(article);
        Ok(rating)
    }

    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn find_vote(
        &self,
        article: &ArticleId,
        voter: &VoterHash,
    ) -> Result<Option<StoredVote>, StoreError> {
        Ok(dispatch!(self, s => s.find_vote(article, voter).await)?)
    }

    /// The aggregates computed afresh from the votes, to check the kept ones against.
    pub async fn recount(&self, article: &ArticleId) -> Result<RatingCounts, StoreError> {
        Ok(dispatch!(self, s => s.recount(article).await)?)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(dispatch!(self, s => s.ping().await)?)
    }

    /// Per pool ("writer", "reader"; one "pool" on PostgreSQL), connections in use and idle.
    pub fn pool_stats(&self) -> Vec<(&'static str, PoolStats)> {
        dispatch!(self, s => s.pool_stats())
    }

    /// Articles whose kept aggregates differ from a recount of their votes, with both.
    pub async fn verify(&self) -> Result<Vec<(String, RatingCounts, RatingCounts)>, StoreError> {
        Ok(dispatch!(self, s => s.verify().await)?)
    }

    fn forget_rating(&self, article: &ArticleId) {
        if let Some(cache) = &self.cache {
            cache.forget(article.as_str());
        }
    }

    pub async fn close(&self) {
        dispatch!(self, s => s.close().await)
    }
}

fn random_key() -> Result<[u8; 32], StoreError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?;
    Ok(key)
}

/// Whether a connection handed back to its pool may serve again. One whose commit failed (a
/// full disk, a lost server) can be left inside its transaction, where every later `BEGIN`
/// would fail: it is closed, and the pool opens a fresh one.
fn reusable(conn: &mut impl sqlx::Connection) -> bool {
    !conn.is_in_transaction()
}

pub fn now_millis() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// The change a vote makes to an article's aggregates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct RatingDelta {
    count: i64,
    star_sum: i64,
    distribution: [i64; 5],
}

impl RatingDelta {
    fn plus(mut self, other: Self) -> Self {
        self.count += other.count;
        self.star_sum += other.star_sum;
        for (bucket, n) in self.distribution.iter_mut().zip(other.distribution) {
            *bucket += n;
        }
        self
    }

    fn add(mut self, stars: Stars) -> Self {
        self.count += 1;
        self.star_sum += i64::from(stars.get());
        self.distribution[usize::from(stars.get() - 1)] += 1;
        self
    }

    fn remove(mut self, stars: Stars) -> Self {
        self.count -= 1;
        self.star_sum -= i64::from(stars.get());
        self.distribution[usize::from(stars.get() - 1)] -= 1;
        self
    }

    fn of(change: VoteChange, stars: Stars) -> Self {
        match change {
            VoteChange::New => Self::default().add(stars),
            VoteChange::Changed { previous } => Self::default().remove(previous).add(stars),
            VoteChange::Repeated => Self::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stars(n: i64) -> Stars {
        Stars::new(n).unwrap()
    }

    #[test]
    fn a_change_moves_one_vote_between_buckets() {
        let delta = RatingDelta::of(VoteChange::Changed { previous: stars(2) }, stars(5));
        assert_eq!(
            delta,
            RatingDelta {
                count: 0,
                star_sum: 3,
                distribution: [0, -1, 0, 0, 1]
            }
        );
    }

    #[test]
    fn a_new_vote_adds_one_and_a_repeat_nothing() {
        let new = RatingDelta::of(VoteChange::New, stars(4));
        assert_eq!(
            new,
            RatingDelta {
                count: 1,
                star_sum: 4,
                distribution: [0, 0, 0, 1, 0]
            }
        );
        assert_eq!(
            RatingDelta::of(VoteChange::Repeated, stars(4)),
            RatingDelta::default()
        );
    }

    #[test]
    fn average_of_nothing_is_zero() {
        assert_eq!(RatingCounts::default().average(), 0.0);
        let counts = RatingCounts {
            count: 3,
            star_sum: 13,
            distribution: [0, 0, 0, 2, 1],
        };
        assert!((counts.average() - 13.0 / 3.0).abs() < 1e-12);
    }
}
