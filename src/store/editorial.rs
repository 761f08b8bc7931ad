//! What editors write and read besides votes: API keys, article metadata, reader feedback,
//! resets and their audit log.

use super::{RatingCounts, Store, StoreError, now_millis};
use crate::domain::{ApiKey, ArticleId, FeedbackText, Scope, VoterHash};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRecord {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub key_hash: Vec<u8>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// What the CMS tells about an article; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleMetadata {
    pub title: Option<String>,
    pub url: Option<String>,
    pub section: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedbackRecord {
    pub id: i64,
    pub article_id: String,
    pub stars: i16,
    pub revision: Option<String>,
    pub text: String,
    pub created_at: i64,
    /// The editors' triage: new, read, resolved or spam.
    pub status: String,
}

#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    pub article_id: Option<String>,
    pub section: Option<String>,
    pub from: i64,
    pub to: i64,
    /// Only entries older than this id (the keyset cursor).
    pub before_id: i64,
    pub limit: i64,
    pub status: Option<String>,
    pub stars: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub key_id: String,
    pub action: String,
    pub article_id: String,
    /// JSON.
    pub details: String,
}

/// What the audit log keeps of a reset, as JSON in `details`: written by the store, read back
/// by the audit report, one type for both.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ResetDetails {
    pub before: RatingCounts,
    pub feedback_deleted: u64,
}

impl Store {
    /// Makes a key, stores its digest, and returns it: the only time it is ever seen whole.
    pub async fn create_key(
        &self,
        name: &str,
        scope: Scope,
    ) -> Result<(ApiKey, KeyRecord), StoreError> {
        let key = ApiKey::generate();
        let record = KeyRecord {
            id: key.id().to_owned(),
            name: name.to_owned(),
            scope: scope.as_str().to_owned(),
            key_hash: ApiKey::digest(key.expose()).to_vec(),
            created_at: now_millis(),
            revoked_at: None,
        };
        self.backend().insert_key(&record).await?;
        Ok((key, record))
    }

    pub async fn find_key(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.backend().find_key(id).await
    }

    pub async fn list_keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        self.backend().list_keys().await
    }

    /// False if there is no such key or it was revoked already.
    pub async fn revoke_key(&self, id: &str) -> Result<bool, StoreError> {
        self.backend().revoke_key(id, now_millis()).await
    }

    pub async fn put_metadata(
        &self,
        article: &ArticleId,
        meta: &ArticleMetadata,
    ) -> Result<(), StoreError> {
        let authors = serde_json::to_string(&meta.authors)?;
        self.backend()
            .put_metadata(article, meta, &authors, now_millis())
            .await
    }

    /// The article's metadata and rating, or `None` if neither a vote nor an editor named it.
    pub async fn find_article(
        &self,
        article: &ArticleId,
    ) -> Result<Option<(ArticleMetadata, RatingCounts)>, StoreError> {
        let found = self.backend().find_article(article).await?;
        Ok(found.map(|(mut meta, authors, counts)| {
            meta.authors = authors
                .and_then(|a| serde_json::from_str(&a).ok())
                .unwrap_or_default();
            (meta, counts)
        }))
    }

    /// `None` if the voter has no vote on the article.
    pub async fn add_feedback(
        &self,
        article: &ArticleId,
        voter: &VoterHash,
        text: &FeedbackText,
    ) -> Result<Option<FeedbackRecord>, StoreError> {
        self.backend()
            .add_feedback(article, voter, text, now_millis())
            .await
    }

    pub async fn feedback(
        &self,
        filter: &FeedbackFilter,
    ) -> Result<Vec<FeedbackRecord>, StoreError> {
        self.reports_backend().feedback(filter).await
    }

    /// The rating before and the number of feedback entries deleted, or `None` if unknown.
    pub async fn reset_article(
        &self,
        article: &ArticleId,
        key_id: &str,
    ) -> Result<Option<(RatingCounts, u64)>, StoreError> {
        let began = std::time::Instant::now();
        let reset = self
            .backend()
            .reset_article(article, key_id, now_millis())
            .await?;
        Ok(reset.map(|(before, feedback_deleted, after)| {
            self.write_through(article, after, began);
            (before, feedback_deleted)
        }))
    }

    pub async fn audit(&self, before_id: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        self.backend().audit(before_id, limit).await
    }
}
