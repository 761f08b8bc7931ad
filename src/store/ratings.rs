//! Reading ratings, through the cache when there is one (see `cache.rs`).

use super::cache::{RatingCache, RefresherTurn};
use super::{Backend, RatingCounts, Store, StoreError};
use crate::domain::ArticleId;
use std::collections::HashMap;

/// Articles the refresher reads in one query.
const REFRESH_BATCH: usize = 200;

impl Store {
    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn rating(&self, article: &ArticleId) -> Result<RatingCounts, StoreError> {
        let Some(cache) = &self.cache else {
            return Ok(dispatch!(self, s => s.rating(article).await)?);
        };
        let found = cache.lookup(article);
        if found.start_refresher {
            self.start_refresher(cache);
        }
        if let Some(counts) = found.counts {
            return Ok(counts);
        }
        let ticket = cache.ticket();
        let counts = dispatch!(self, s => s.rating(article).await)?;
        cache.remember(article.as_str(), counts, &ticket);
        Ok(counts)
    }

    /// Ratings of articles that have an aggregate row; those absent have no votes.
    #[tracing::instrument(skip_all, fields(articles = articles.len()))]
    pub async fn ratings(
        &self,
        articles: &[ArticleId],
    ) -> Result<HashMap<String, RatingCounts>, StoreError> {
        let Some(cache) = &self.cache else {
            return Ok(dispatch!(self, s => s.ratings(articles).await)?);
        };
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        let mut start_refresher = false;
        for article in articles {
            let lookup = cache.lookup(article);
            start_refresher |= lookup.start_refresher;
            match lookup.counts {
                Some(counts) => {
                    found.insert(article.to_string(), counts);
                }
                None => missing.push(article.clone()),
            }
        }
        if start_refresher {
            self.start_refresher(cache);
        }
        if !missing.is_empty() {
            let ticket = cache.ticket();
            let fetched = dispatch!(self, s => s.ratings(&missing).await)?;
            for article in &missing {
                // Articles without a row have no votes; that is worth remembering too.
                let counts = fetched.get(article.as_str()).copied().unwrap_or_default();
                cache.remember(article.as_str(), counts, &ticket);
                found.insert(article.to_string(), counts);
            }
        }
        Ok(found)
    }

    /// Starts the task that reads due cache entries again, on this runtime.
    fn start_refresher(&self, cache: &RatingCache) {
        // Taken here, so that however the task ends, even dropped before it first runs, the
        // turn's drop lets the next due entry start another.
        let mut turn = cache.refresher();
        // Without the vote queue: a task holding it would keep the writer from ending.
        let store = Store {
            backend: self.backend.clone(),
            votes: None,
            cache: None,
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let cache = cache.clone();
                runtime.spawn(async move { store.refresh_due(&cache, turn).await });
            }
            // No runtime to run it on (not the server): the entries expire as usual.
            Err(_) => while turn.next(usize::MAX).is_some() {},
        }
    }

    async fn refresh_due(&self, cache: &RatingCache, mut turn: RefresherTurn) {
        while let Some(articles) = turn.next(REFRESH_BATCH) {
            let ticket = cache.ticket();
            match dispatch!(self, s => s.ratings(&articles).await) {
                Ok(fetched) => {
                    cache.count_rereads(articles.len());
                    for article in &articles {
                        let counts = fetched.get(article.as_str()).copied().unwrap_or_default();
                        cache.remember(article.as_str(), counts, &ticket);
                    }
                }
                // Those entries expire as usual; the next read after that asks the database.
                Err(error) => tracing::debug!(%error, "reading cached ratings again failed"),
            }
        }
    }
}
