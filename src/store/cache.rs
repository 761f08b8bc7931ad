//! Ratings kept in memory for a short while, so that front pages reading many ratings do not
//! each cost a database query. This instance's own writes clear an article's entry as they
//! commit, so a reader sees their vote on the next read; votes through other instances show
//! within the TTL.

use super::RatingCounts;
use moka::sync::Cache;
use std::time::Duration;

/// Enough for every article a busy site shows in a day; least-recently used go first.
const MAX_ARTICLES: u64 = 200_000;

#[derive(Clone, Debug)]
pub struct RatingCache {
    ratings: Cache<String, RatingCounts>,
}

impl RatingCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ratings: Cache::builder()
                .max_capacity(MAX_ARTICLES)
                .time_to_live(ttl)
                .build(),
        }
    }

    pub fn get(&self, article: &str) -> Option<RatingCounts> {
        self.ratings.get(article)
    }

    /// Keeps figures just read from the database, unless a newer entry arrived meanwhile.
    pub fn remember(&self, article: &str, counts: RatingCounts) {
        self.ratings.entry(article.to_owned()).or_insert(counts);
    }

    /// After a change to the article: the next read goes to the database.
    pub fn forget(&self, article: &str) {
        self.ratings.invalidate(article);
    }
}
