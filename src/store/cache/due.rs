//! The queue of cached ratings waiting to be read again, and the turn of the one task that
//! reads them (see `refresher.rs`).

use super::RatingCache;
use crate::domain::ArticleId;
use std::collections::VecDeque;
use std::sync::{MutexGuard, PoisonError};

/// Articles waiting to be read again, at most; past that an entry simply expires.
const MAX_DUE: usize = 20_000;

/// Articles waiting to be read again, oldest first, and whether a task is at it.
#[derive(Default)]
pub(super) struct Due {
    articles: VecDeque<ArticleId>,
    refreshing: bool,
}

impl RatingCache {
    /// Queues the article to be read again; true if no task is at the queue, so the caller
    /// should start one.
    pub(super) fn mark_due(&self, article: &ArticleId) -> bool {
        let mut due = self.due();
        if due.articles.len() >= MAX_DUE {
            return false;
        }
        due.articles.push_back(article.clone());
        !std::mem::replace(&mut due.refreshing, true)
    }

    /// The background reader's turn; see `RefresherTurn`.
    pub fn refresher(&self) -> RefresherTurn {
        RefresherTurn {
            cache: self.clone(),
            ended: false,
        }
    }

    /// A panic while the lock was held leaves at worst an article queued twice or lost, which
    /// only costs a read: the queue is taken as it is.
    fn due(&self) -> MutexGuard<'_, Due> {
        self.shared
            .due
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Hands the due articles to the one task reading them again. However that task ends (all
/// done, a panic, its runtime dropped), the next due entry starts another.
pub struct RefresherTurn {
    cache: RatingCache,
    ended: bool,
}

impl RefresherTurn {
    /// Up to `max` articles still cached, oldest first, or `None` (and the turn ends) when
    /// none are left.
    pub fn next(&mut self, max: usize) -> Option<Vec<ArticleId>> {
        let mut due = self.cache.due();
        let mut batch = Vec::new();
        while batch.len() < max {
            let Some(article) = due.articles.pop_front() else {
                break;
            };
            if self.cache.shared.ratings.contains_key(article.as_str()) {
                batch.push(article);
            }
        }
        if batch.is_empty() {
            due.refreshing = false;
            self.ended = true;
            return None;
        }
        Some(batch)
    }
}

impl Drop for RefresherTurn {
    fn drop(&mut self) {
        if !self.ended {
            self.cache.due().refreshing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{article, counts, rating, ticket_from};
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_entry_past_half_its_life_is_due_once() {
        let cache = RatingCache::new(Duration::from_secs(10));
        let (a, b, fresh) = (article("a"), article("b"), article("fresh"));
        let past_half = ticket_from(&cache, Duration::from_secs(6));
        cache.remember("a", rating(1, 1), &past_half);
        cache.remember("b", rating(1, 1), &past_half);
        cache.remember("fresh", rating(1, 1), &cache.ticket());
        assert!(!cache.lookup(&fresh).start_refresher);

        // The first due entry starts the refresher; the second joins its queue.
        assert!(cache.lookup(&a).start_refresher);
        assert!(!cache.lookup(&a).start_refresher);
        assert!(!cache.lookup(&b).start_refresher);
        assert_eq!(cache.lookup(&b).counts, Some(counts(1)));
        let mut turn = cache.refresher();
        assert_eq!(turn.next(10), Some(vec![a.clone(), b.clone()]));
        assert_eq!(turn.next(10), None);

        // Read again: not due until half its new life has passed.
        cache.remember("a", rating(3, 3), &cache.ticket());
        assert!(!cache.lookup(&a).start_refresher);
        assert_eq!(cache.lookup(&a).counts, Some(counts(3)));
    }

    #[test]
    fn a_refresher_that_stops_early_lets_the_next_one_start() {
        let cache = RatingCache::new(Duration::from_secs(10));
        for id in ["a", "b"] {
            cache.remember(
                id,
                rating(1, 1),
                &ticket_from(&cache, Duration::from_secs(6)),
            );
        }
        assert!(cache.lookup(&article("a")).start_refresher);
        drop(cache.refresher()); // as if its task panicked or its runtime went away
        assert!(cache.lookup(&article("b")).start_refresher);
    }
}
