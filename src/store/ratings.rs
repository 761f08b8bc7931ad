//! Reading ratings, through the cache when there is one (see `cache/`).

use super::cache::{Loaded, start_refresher, warm_start};
use super::{RatingCounts, Store, StoreError, WarmStart};
use crate::domain::ArticleId;
use futures_util::future::BoxFuture;
use std::collections::HashMap;

impl Store {
    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn rating(&self, article: &ArticleId) -> Result<RatingCounts, StoreError> {
        let Some(cache) = self.cache() else {
            return Ok(self.backend().rating(article).await?.counts);
        };
        let found = cache.lookup(article);
        if found.start_refresher {
            start_refresher(self.backend(), cache);
        }
        if let Some(counts) = found.counts {
            return Ok(counts);
        }
        let loaded = cache
            .load_missing(std::slice::from_ref(article), self.loader())
            .await?;
        Ok(loaded.get(article.as_str()).copied().unwrap_or_default())
    }

    /// Ratings of articles that have an aggregate row; those absent have no votes.
    #[tracing::instrument(skip_all, fields(articles = articles.len()))]
    pub async fn ratings(
        &self,
        articles: &[ArticleId],
    ) -> Result<HashMap<String, RatingCounts>, StoreError> {
        let Some(cache) = self.cache() else {
            let fetched = self.backend().ratings(articles).await?;
            return Ok(fetched
                .into_iter()
                .map(|(article, rating)| (article, rating.counts))
                .collect());
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
            found.extend(cache.load_missing(&missing, self.loader()).await?);
        }
        Ok(found)
    }

    /// Loads the ratings of the most recently voted articles into the cache, as
    /// `warm` asks; a failure only leaves the cache cold, and is logged.
    pub async fn warm_start(&self, warm: &WarmStart) {
        if let Some(cache) = self.cache() {
            warm_start(self.backend().as_ref(), cache, warm).await;
        }
    }

    /// What reads missed ratings for the cache: one article by its primary key, several in
    /// one query.
    fn loader(
        &self,
    ) -> impl FnOnce(Vec<ArticleId>) -> BoxFuture<'static, Result<Loaded, StoreError>> + use<> {
        let backend = self.backend().clone();
        move |articles| -> BoxFuture<'static, Result<Loaded, StoreError>> {
            Box::pin(async move {
                match articles.as_slice() {
                    [one] => Ok(HashMap::from([(
                        one.to_string(),
                        backend.rating(one).await?,
                    )])),
                    many => backend.ratings(many).await,
                }
            })
        }
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
