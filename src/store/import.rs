//! The store's side of `plaudit import wordpress`: what earlier imports brought, and a batch
//! of whole articles written in one transaction (see `database/importing.rs`).

use super::{Store, StoreError};
use crate::domain::Stars;
use std::collections::HashMap;

/// What the imports so far brought to one article (a row of `wordpress_imports`).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRecord {
    pub article_id: String,
    pub plugin: String,
    pub post_id: i64,
    /// Votes imported from per-vote rows, with their known stars.
    pub known_votes: i64,
    pub known_star_sum: i64,
    /// The highest per-vote row id imported; 0 before any.
    pub last_row_id: i64,
    /// The part of the plugin's totals that no row explains, as last imported.
    pub unknown_star_votes: i64,
    pub unknown_star_sum: i64,
    /// The highest feedback entry id imported (Rate My Post's ids grow with time); "" before any.
    pub feedback_last: String,
}

/// A vote from a per-vote row: nobody can change it, as no reader holds its voter id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedVote {
    pub voter_hash: [u8; 32],
    pub stars: Stars,
    /// Unix milliseconds: when it was cast on the old site.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFeedback {
    /// The imported vote it was left with, which gives it its stars.
    pub voter_hash: [u8; 32],
    pub stars: Stars,
    pub text: String,
    pub at: i64,
}

/// One article's change: written whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedArticle {
    /// The record as it stands after this change.
    pub record: ImportRecord,
    /// Set where the article has none yet; an article Plaudit knows keeps its own.
    pub title: Option<String>,
    pub url: Option<String>,
    pub published_at: Option<String>,
    pub new_votes: Vec<ImportedVote>,
    /// Added to the article's unknown-star votes and their star sum (negative where the
    /// plugin's totals went down); never taken below zero (see `database/importing.rs`).
    pub unknown_votes_change: i64,
    pub unknown_sum_change: i64,
    pub feedback: Vec<ImportedFeedback>,
}

impl Store {
    /// What earlier imports from `plugin` brought, by article id.
    pub async fn import_records(
        &self,
        plugin: &str,
    ) -> Result<HashMap<String, ImportRecord>, StoreError> {
        let records = self.backend().import_records(plugin).await?;
        Ok(records
            .into_iter()
            .map(|record| (record.article_id.clone(), record))
            .collect())
    }

    /// Writes whole articles in one transaction. No webhook fires: imported votes and
    /// feedback are history, not news (see README, "Moving from WordPress"). A running
    /// service's rating cache shows the new figures within its TTL, as another instance's
    /// votes do: each article's version goes up.
    #[tracing::instrument(skip_all, fields(articles = articles.len()))]
    pub async fn import_articles(
        &self,
        articles: &[ImportedArticle],
        now: i64,
    ) -> Result<(), StoreError> {
        self.backend().import_articles(articles, now).await
    }
}
