//! Warm start: before a starting instance is ready, it loads the ratings most likely to be
//! read, those of the articles voted on most recently, so that it joins the load balancer
//! with a warm cache instead of sending every first read to the database at once.

use super::RatingCache;
use crate::store::database::Backend;
use crate::store::{WarmStart, now_millis};
use std::time::{Duration, Instant};

/// Votes looked at, newest first, to find the articles: enough for many times the articles
/// asked for on a site whose votes crowd on a few, and a bound on the start-up query however
/// many votes the window holds.
const VOTES_PER_ARTICLE: i64 = 100;

/// A warm start that takes longer than this is given up: starting cold is better than
/// starting late.
const DEADLINE: Duration = Duration::from_secs(10);

pub async fn warm_start(backend: &dyn Backend, cache: &RatingCache, warm: &WarmStart) {
    if warm.articles == 0 || warm.window.is_zero() {
        return;
    }
    let started = Instant::now();
    let since =
        now_millis().saturating_sub(i64::try_from(warm.window.as_millis()).unwrap_or(i64::MAX));
    let articles = i64::try_from(warm.articles).unwrap_or(i64::MAX);
    let ticket = cache.ticket();
    let read = backend.recent_ratings(since, articles, articles.saturating_mul(VOTES_PER_ARTICLE));
    match tokio::time::timeout(DEADLINE, read).await {
        Ok(Ok(ratings)) => {
            for (article, rating) in &ratings {
                cache.remember(article, *rating, &ticket);
            }
            tracing::info!(
                articles = ratings.len(),
                ms = started.elapsed().as_millis() as u64,
                "rating cache warmed"
            );
        }
        Ok(Err(error)) => tracing::warn!(%error, "warm start failed; starting cold"),
        Err(_) => tracing::warn!(deadline = ?DEADLINE, "warm start took too long; starting cold"),
    }
}
