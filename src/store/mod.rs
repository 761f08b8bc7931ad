//! The votes, ratings and editors' data the handlers read and write, on SQLite or PostgreSQL.
//!
//! `Store` is what the rest of the service calls. Beneath it:
//! - `database/`: the SQL (from `sql.rs`), run through one implementation generic over the
//!   `Dialect` (`dialect.rs`), whose two implementations, `sqlite.rs` and `postgres.rs`, hold
//!   everything that differs between the databases;
//! - `group_commit/`: the writers that commit votes in batches;
//! - `cache/`: ratings kept in memory, and the task that reads them again;
//! - `bulk/`: many made-up articles and votes at once, for `plaudit seed`.
//!
//! Failures are `StoreError`s (`error.rs`), which say what kind of failure happened; the HTTP
//! layer decides what that means for a response.

mod bulk;
mod cache;
mod dashboard;
mod database;
mod delta;
mod dialect;
mod editorial;
mod error;
mod group_commit;
mod import;
mod model;
mod postgres;
mod ratings;
mod replica;
mod report_sql;
mod reports;
mod settings;
mod sql;
mod sqlite;
mod votes;
pub mod webhooks;

use crate::domain::VoterKey;
use cache::RatingCache;
use database::Backend;
use group_commit::VoteQueue;
use model::{PendingVote, VersionedRating};
use std::sync::Arc;
use votes::Committer;

pub use bulk::{SeedArticle, SeedBatch, SeedFeedback, SeedState, SeedVote};
pub use dashboard::{SessionRecord, StatusChange, Swept};
pub use editorial::{
    ArticleMetadata, AuditRecord, FeedbackFilter, FeedbackRecord, KeyRecord, ResetDetails,
};
pub use error::StoreError;
pub use import::{ImportRecord, ImportedArticle, ImportedFeedback, ImportedVote};
pub use model::{
    NetworkCap, PoolStats, RatingCounts, RecordedVote, StoredVote, VoteChange, VoteOutcome,
};
pub use replica::ReportsDatabaseRole;
pub use reports::{
    ArticleFigures, DayFigures, Order, RankedArticle, RankingQuery, ReportWindow, RevisionFigures,
    SectionFigures, SortKey,
};
pub use settings::{BatchSettings, PoolSettings, StoreSettings, WarmStart};

/// The votes, ratings and editors' data, on one of the two databases; cheap to clone (it
/// holds pools, the cache and the queue to the group-commit writers).
#[derive(Clone, Debug)]
pub struct Store {
    /// The database and the cache, as the writers also hold them.
    committer: Committer,
    /// `None`: each vote is a transaction of its own.
    queue: Option<VoteQueue>,
    /// Where editors' reports read, if not the primary (see `replica.rs`).
    reports: Option<Arc<dyn Backend>>,
}

impl Store {
    /// Connects to the database at `url` and starts what `settings` ask for: the rating
    /// cache and the group-commit writers (which need a Tokio runtime). `postgres://` or
    /// `postgresql://` URLs select PostgreSQL; anything else is a SQLite file path or
    /// `sqlite:` URL.
    pub async fn open(url: &str, settings: &StoreSettings) -> Result<Self, StoreError> {
        let backend = database::connect(url, &settings.pool).await?;
        let ttl = settings.rating_cache_ttl;
        let cache = (!ttl.is_zero()).then(|| RatingCache::new(ttl));
        let committer = Committer { backend, cache };
        let queue = settings.group_commit.map(|batch| {
            let batch = batch.for_database(committer.backend.single_writer());
            VoteQueue::start(committer.clone(), batch)
        });
        Ok(Self {
            committer,
            queue,
            reports: None,
        })
    }

    /// "sqlite" or "postgres".
    pub fn backend_name(&self) -> &'static str {
        self.backend().backend_name()
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend().migrate().await
    }

    /// The key that hashes voter ids: `configured` if given, else the one this database
    /// generated on its first start (so that every instance on it hashes alike).
    pub async fn voter_key(&self, configured: Option<&[u8]>) -> Result<VoterKey, StoreError> {
        if let Some(secret) = configured {
            return Ok(VoterKey::new(secret));
        }
        let fresh = random_key()?;
        let kept = self
            .backend()
            .keep_secret(sql::VOTER_KEY_NAME, &fresh)
            .await?;
        Ok(VoterKey::new(kept))
    }

    /// The key that tags networks on `day`, made by whichever instance asks first; keys and
    /// tags of earlier days are deleted on the way.
    pub async fn network_key(&self, day: i64) -> Result<Vec<u8>, StoreError> {
        let fresh = random_key()?;
        self.backend().network_key(day, &fresh).await
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.backend().ping().await
    }

    /// Per pool ("writer", "reader"; one "pool" on PostgreSQL), connections in use and idle.
    pub fn pool_stats(&self) -> Vec<(&'static str, PoolStats)> {
        let mut stats = self.backend().pool_stats();
        if let Some(reports) = &self.reports {
            stats.extend(
                reports
                    .pool_stats()
                    .into_iter()
                    .take(1)
                    .map(|(_, s)| ("reports", s)),
            );
        }
        stats
    }

    /// Closes the pools; the writers commit what they hold first, or fail it.
    pub async fn close(&self) {
        if let Some(reports) = &self.reports {
            reports.close().await;
        }
        self.backend().close().await
    }

    fn backend(&self) -> &Arc<dyn Backend> {
        &self.committer.backend
    }

    fn cache(&self) -> Option<&RatingCache> {
        self.committer.cache.as_ref()
    }

    /// After a change this instance committed, begun at `began`: its figures go in the cache.
    fn write_through(
        &self,
        article: &crate::domain::ArticleId,
        rating: VersionedRating,
        began: std::time::Instant,
    ) {
        if let Some(cache) = self.cache() {
            cache.write_through(article.as_str(), rating, began);
        }
    }
}

fn random_key() -> Result<[u8; 32], StoreError> {
    let mut key = [0u8; 32];
    // As before the rewrite: the system's random source failing is worth a retry (503).
    getrandom::fill(&mut key)
        .map_err(|error| StoreError::unavailable(format!("no random key: {error}")))?;
    Ok(key)
}

pub fn now_millis() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
