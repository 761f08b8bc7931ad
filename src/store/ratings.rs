//! Reading ratings, through the cache when there is one (see `cache/`).

use super::cache::start_refresher;
use super::{RatingCounts, Store, StoreError};
use crate::domain::ArticleId;
use std::collections::HashMap;

impl Store {
    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn rating(&self, article: &ArticleId) -> Result<RatingCounts, StoreError> {
        let Some(cache) = self.cache() else {
            return self.backend().rating(article).await;
        };
        let found = cache.lookup(article);
        if found.start_refresher {
            start_refresher(self.backend(), cache);
        }
        if let Some(counts) = found.counts {
            return Ok(counts);
        }
        let ticket = cache.ticket();
        let counts = self.backend().rating(article).await?;
        cache.remember(article.as_str(), counts, &ticket);
        Ok(counts)
    }

    /// Ratings of articles that have an aggregate row; those absent have no votes.
    #[tracing::instrument(skip_all, fields(articles = articles.len()))]
    pub async fn ratings(
        &self,
        articles: &[ArticleId],
    ) -> Result<HashMap<String, RatingCounts>, StoreError> {
        let Some(cache) = self.cache() else {
            return self.backend().ratings(articles).await;
        };
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        let mut refresh = false;
        for article in articles {
            let lookup = cache.lookup(article);
            refresh |= lookup.start_refresher;
            match lookup.counts {
                Some(counts) => {
                    found.insert(article.to_string(), counts);
                }
                None => missing.push(article.clone()),
            }
        }
        if refresh {
            start_refresher(self.backend(), cache);
        }
        if !missing.is_empty() {
            let ticket = cache.ticket();
            let fetched = self.backend().ratings(&missing).await?;
            for article in &missing {
                // Articles without a row have no votes; that is worth remembering too.
                let counts = fetched.get(article.as_str()).copied().unwrap_or_default();
                cache.remember(article.as_str(), counts, &ticket);
                found.insert(article.to_string(), counts);
            }
        }
        Ok(found)
    }

    /// The aggregates computed afresh from the votes, to check the kept ones against.
    pub async fn recount(&self, article: &ArticleId) -> Result<RatingCounts, StoreError> {
        self.backend().recount(article).await
    }

    /// Articles whose kept aggregates differ from a recount of their votes, with both.
    pub async fn verify(&self) -> Result<Vec<(String, RatingCounts, RatingCounts)>, StoreError> {
        self.backend().verify().await
    }
}
