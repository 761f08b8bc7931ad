//! One database read per missing rating, however many readers miss it at once: the first
//! reader to miss an article starts a load, and those missing it meanwhile wait for that one
//! instead of each asking the database. A viral article that drops out of the cache then costs
//! one query, not one per reader in flight.
//!
//! A load runs as a task of its own, so that it finishes (and lands in the cache) even if every
//! reader waiting for it goes away; a reader left waiting on a load nobody polls could hold a
//! pooled connection forever. A load that fails gives its error to the readers waiting for it
//! and leaves nothing behind: the next reader starts another.

use super::{RatingCache, Ticket};
use crate::domain::ArticleId;
use crate::store::{RatingCounts, StoreError, VersionedRating};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared, try_join_all};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, MutexGuard, PoisonError};
use tokio::sync::oneshot;

/// What a load read: the figures of those of its articles that have a row.
pub type Loaded = HashMap<String, VersionedRating>;
type Landed = Result<Arc<Loaded>, StoreError>;
type Flight = Shared<BoxFuture<'static, Landed>>;

/// Where a missed article's figures come from.
enum Answer {
    /// The load in flight at this index of the caller's list.
    Joined(usize),
    /// The load the caller starts.
    Own,
    Cached(RatingCounts),
}

/// Loads in flight, by the articles they read; each load has a number, so that one landing
/// removes only itself.
#[derive(Default)]
pub(super) struct Flights {
    next: u64,
    by_article: HashMap<String, (u64, Flight)>,
}

/// Takes a load out of the flights when it ends, however it ends (done, failed, panicked, or
/// dropped with its runtime), so that no reader ever joins a load that will not answer.
struct Landing {
    cache: RatingCache,
    id: u64,
    articles: Vec<ArticleId>,
}

impl Drop for Landing {
    fn drop(&mut self) {
        self.cache.land(self.id, &self.articles);
    }
}

impl RatingCache {
    /// The ratings of `articles`, which the caller missed: each joins the load in flight for
    /// it, and `load` reads the others, in one go, joined by those missing them meanwhile.
    pub async fn load_missing<L, F>(
        &self,
        articles: &[ArticleId],
        load: L,
    ) -> Result<HashMap<String, RatingCounts>, StoreError>
    where
        L: FnOnce(Vec<ArticleId>) -> F,
        F: Future<Output = Result<Loaded, StoreError>> + Send + 'static,
    {
        let mut answers = Vec::with_capacity(articles.len());
        let mut flights: Vec<(u64, Flight)> = Vec::new();
        let mut own_load = None;
        {
            let mut in_flight = self.flights();
            let mut to_load = Vec::new();
            for article in articles {
                let answer = if let Some((id, flight)) = in_flight.by_article.get(article.as_str())
                {
                    match flights.iter().position(|(joined, _)| joined == id) {
                        Some(at) => Answer::Joined(at),
                        None => {
                            flights.push((*id, flight.clone()));
                            Answer::Joined(flights.len() - 1)
                        }
                    }
                } else if let Some(counts) = self.cached_counts(article.as_str()) {
                    // A load that landed between the caller's miss and this lock stored its
                    // figures before it left: they need no second read.
                    Answer::Cached(counts)
                } else {
                    if !to_load.contains(article) {
                        to_load.push(article.clone());
                    }
                    Answer::Own
                };
                answers.push((article, answer));
            }
            if !to_load.is_empty() {
                let id = in_flight.next;
                in_flight.next += 1;
                let (flight_answer, landed) = oneshot::channel();
                let flight: Flight = async move {
                    landed.await.unwrap_or_else(|_| {
                        Err(StoreError::internal(
                            "a rating load ended without an answer",
                        ))
                    })
                }
                .boxed()
                .shared();
                for article in &to_load {
                    in_flight
                        .by_article
                        .insert(article.to_string(), (id, flight.clone()));
                }
                flights.push((id, flight));
                let landing = Landing {
                    cache: self.clone(),
                    id,
                    articles: to_load,
                };
                own_load = Some((landing, flight_answer));
            }
        }
        // Started once the flight is listed and the lock released: a load that ends at once
        // (or is dropped at once, as at shutdown) takes the lock to leave.
        if let Some((landing, answer)) = own_load {
            let articles = landing.articles.clone();
            Self::take_off(landing, answer, load(articles));
        }
        // The own load, if any, is the last.
        let own = flights.len().saturating_sub(1);
        let landed = try_join_all(flights.into_iter().map(|(_, flight)| flight)).await?;
        let mut found = HashMap::with_capacity(articles.len());
        for (article, answer) in answers {
            let counts = match answer {
                Answer::Cached(counts) => counts,
                // Absent from what a load read: the article has no row, so no votes.
                Answer::Joined(at) => {
                    landed[at]
                        .get(article.as_str())
                        .copied()
                        .unwrap_or_default()
                        .counts
                }
                Answer::Own => {
                    landed[own]
                        .get(article.as_str())
                        .copied()
                        .unwrap_or_default()
                        .counts
                }
            };
            found.insert(article.to_string(), counts);
        }
        Ok(found)
    }

    /// Runs the load as a task, which stores what it read, leaves the flights and answers
    /// those waiting.
    fn take_off(
        landing: Landing,
        answer: oneshot::Sender<Landed>,
        load: impl Future<Output = Result<Loaded, StoreError>> + Send + 'static,
    ) {
        let ticket: Ticket = landing.cache.ticket();
        tokio::spawn(async move {
            let loaded = load.await;
            if let Ok(loaded) = &loaded {
                for article in &landing.articles {
                    // Articles without a row have no votes; that is worth remembering too.
                    let rating = loaded.get(article.as_str()).copied().unwrap_or_default();
                    landing.cache.remember(article.as_str(), rating, &ticket);
                }
            }
            drop(landing);
            // Nobody waiting any more is no matter: the figures are stored.
            let _ = answer.send(loaded.map(Arc::new));
        });
    }

    /// The load has stored its figures: later readers find them in the cache.
    fn land(&self, id: u64, articles: &[ArticleId]) {
        let mut in_flight = self.flights();
        for article in articles {
            if in_flight
                .by_article
                .get(article.as_str())
                .is_some_and(|(flying, _)| *flying == id)
            {
                in_flight.by_article.remove(article.as_str());
            }
        }
    }

    /// After a commit: the load in flight may have read the figures before it, so readers
    /// from now on start their own (those already waiting still get the older figures, as
    /// any read that began before the commit may).
    pub(super) fn leave_flight(&self, article: &str) {
        self.flights().by_article.remove(article);
    }

    fn cached_counts(&self, article: &str) -> Option<RatingCounts> {
        self.shared
            .ratings
            .get(article)
            .map(|entry| entry.rating.counts)
    }

    /// A panic while the lock was held leaves at worst a load that is not joined, which only
    /// costs a read: the map is taken as it is.
    fn flights(&self) -> MutexGuard<'_, Flights> {
        self.shared
            .flights
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
