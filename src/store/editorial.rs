//! What editors write and read besides votes: API keys, article metadata, reader feedback,
//! resets and their audit log.

use super::{Backend, RatingCounts, Store, StoreError, now_millis};
use crate::domain::{ApiKey, ArticleId, FeedbackText, Scope, VoterHash};

pub const INSERT_KEY: &str =
    "INSERT INTO api_keys (id, name, scope, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)";
pub const SELECT_KEY: &str =
    "SELECT id, name, scope, key_hash, created_at, revoked_at FROM api_keys WHERE id = $1";
pub const LIST_KEYS: &str = "SELECT id, name, scope, key_hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id";
pub const REVOKE_KEY: &str =
    "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";

pub const UPSERT_METADATA: &str = "INSERT INTO articles (article_id, created_at, title, url, section, authors, published_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (article_id) DO UPDATE SET \
     title = excluded.title, url = excluded.url, section = excluded.section, \
     authors = excluded.authors, published_at = excluded.published_at";
pub const SELECT_ARTICLE: &str = "SELECT title, url, section, authors, published_at, \
     vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5 FROM articles WHERE article_id = $1";

/// Feedback is accepted only from a reader with a vote on the article, and carries that vote.
pub const INSERT_FEEDBACK: &str = "INSERT INTO feedback (article_id, voter_hash, stars, revision, text, created_at) \
     SELECT article_id, voter_hash, stars, revision, $3, $4 FROM votes WHERE article_id = $1 AND voter_hash = $2 \
     RETURNING id, article_id, stars, revision, text, created_at";
pub const SELECT_FEEDBACK: &str = "SELECT f.id, f.article_id, f.stars, f.revision, f.text, f.created_at \
     FROM feedback f JOIN articles a ON a.article_id = f.article_id \
     WHERE ($1 IS NULL OR f.article_id = $1) AND ($2 IS NULL OR a.section = $2) \
     AND f.created_at >= $3 AND f.created_at < $4 AND f.id < $5 \
     ORDER BY f.id DESC LIMIT $6";

pub const DELETE_ARTICLE_FEEDBACK: &str = "DELETE FROM feedback WHERE article_id = $1";
pub const DELETE_ARTICLE_VOTES: &str = "DELETE FROM votes WHERE article_id = $1";
pub const DELETE_ARTICLE_NETWORK_VOTERS: &str = "DELETE FROM network_voters WHERE article_id = $1";
pub const ZERO_ARTICLE: &str = "UPDATE articles SET vote_count = 0, star_sum = 0, stars_1 = 0, stars_2 = 0, \
     stars_3 = 0, stars_4 = 0, stars_5 = 0 WHERE article_id = $1";
pub const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (at, key_id, action, article_id, details) VALUES ($1, $2, $3, $4, $5)";
pub const SELECT_AUDIT: &str = "SELECT id, at, key_id, action, article_id, details FROM audit_log \
     WHERE id < $1 ORDER BY id DESC LIMIT $2";

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

macro_rules! editorial_store_impl {
    ($store:ty, $db:ty) => {
        use super::backend::RatingRow as EditorialRatingRow;
        use super::editorial::{self as ed, ArticleMetadata, AuditRecord, FeedbackFilter, FeedbackRecord, KeyRecord};

        impl $store {
            pub(super) async fn insert_key(&self, key: &KeyRecord) -> Result<(), sqlx::Error> {
                sqlx::query::<$db>(ed::INSERT_KEY)
                    .bind(&key.id)
                    .bind(&key.name)
                    .bind(&key.scope)
                    .bind(key.key_hash.as_slice())
                    .bind(key.created_at)
                    .execute(&self.writer)
                    .await
                    .map(drop)
            }

            pub(super) async fn find_key(&self, id: &str) -> Result<Option<KeyRecord>, sqlx::Error> {
                sqlx::query_as::<$db, KeyRecord>(ed::SELECT_KEY).bind(id).fetch_optional(&self.reader).await
            }

            pub(super) async fn list_keys(&self) -> Result<Vec<KeyRecord>, sqlx::Error> {
                sqlx::query_as::<$db, KeyRecord>(ed::LIST_KEYS).fetch_all(&self.reader).await
            }

            pub(super) async fn revoke_key(&self, id: &str, now: i64) -> Result<bool, sqlx::Error> {
                let done = sqlx::query::<$db>(ed::REVOKE_KEY).bind(id).bind(now).execute(&self.writer).await?;
                Ok(done.rows_affected() == 1)
            }

            pub(super) async fn put_metadata(
                &self,
                article: &ArticleId,
                meta: &ArticleMetadata,
                authors_json: &str,
                now: i64,
            ) -> Result<(), sqlx::Error> {
                sqlx::query::<$db>(ed::UPSERT_METADATA)
                    .bind(article.as_str())
                    .bind(now)
                    .bind(meta.title.as_deref())
                    .bind(meta.url.as_deref())
                    .bind(meta.section.as_deref())
                    .bind(authors_json)
                    .bind(meta.published_at.as_deref())
                    .execute(&self.writer)
                    .await
                    .map(drop)
            }

            #[allow(clippy::type_complexity)]
            pub(super) async fn find_article(
                &self,
                article: &ArticleId,
            ) -> Result<Option<(ArticleMetadata, Option<String>, RatingCounts)>, sqlx::Error> {
                use sqlx::Row;
                let row = sqlx::query::<$db>(ed::SELECT_ARTICLE)
                    .bind(article.as_str())
                    .fetch_optional(&self.reader)
                    .await?;
                row.map(|row| {
                    let counts = <EditorialRatingRow as sqlx::FromRow<_>>::from_row(&row)?;
                    let meta = ArticleMetadata {
                        title: row.try_get("title")?,
                        url: row.try_get("url")?,
                        section: row.try_get("section")?,
                        authors: Vec::new(),
                        published_at: row.try_get("published_at")?,
                    };
                    Ok((meta, row.try_get::<Option<String>, _>("authors")?, counts.into()))
                })
                .transpose()
            }

            pub(super) async fn add_feedback(
                &self,
                article: &ArticleId,
                voter: &VoterHash,
                text: &crate::domain::FeedbackText,
                now: i64,
            ) -> Result<Option<FeedbackRecord>, sqlx::Error> {
                sqlx::query_as::<$db, FeedbackRecord>(ed::INSERT_FEEDBACK)
                    .bind(article.as_str())
                    .bind(voter.as_bytes())
                    .bind(text.as_str())
                    .bind(now)
                    .fetch_optional(&self.writer)
                    .await
            }

            pub(super) async fn feedback(&self, filter: &FeedbackFilter) -> Result<Vec<FeedbackRecord>, sqlx::Error> {
                sqlx::query_as::<$db, FeedbackRecord>(ed::SELECT_FEEDBACK)
                    .bind(filter.article_id.as_deref())
                    .bind(filter.section.as_deref())
                    .bind(filter.from)
                    .bind(filter.to)
                    .bind(filter.before_id)
                    .bind(filter.limit)
                    .fetch_all(&self.reader)
                    .await
            }

            /// Clears an article's votes and feedback and logs it; `None` if the article is unknown.
            pub(super) async fn reset_article(
                &self,
                article: &ArticleId,
                key_id: &str,
                now: i64,
            ) -> Result<Option<(RatingCounts, u64)>, sqlx::Error> {
                let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
                // Votes first, then the article: the order a vote takes them in is the reverse
                // only for rows this snapshot cannot see, so no deadlock (see README).
                sqlx::query::<$db>(LOCK_ARTICLE_VOTES).bind(article.as_str()).execute(&mut *tx).await?;
                let before = sqlx::query_as::<$db, EditorialRatingRow>(LOCK_ARTICLE)
                    .bind(article.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(before) = before else {
                    return Ok(None);
                };
                let before = RatingCounts::from(before);
                let feedback = sqlx::query::<$db>(ed::DELETE_ARTICLE_FEEDBACK)
                    .bind(article.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                for statement in [ed::DELETE_ARTICLE_VOTES, ed::DELETE_ARTICLE_NETWORK_VOTERS, ed::ZERO_ARTICLE] {
                    sqlx::query::<$db>(statement).bind(article.as_str()).execute(&mut *tx).await?;
                }
                let details = serde_json::json!({
                    "before": { "count": before.count, "star_sum": before.star_sum, "distribution": before.distribution },
                    "feedback_deleted": feedback,
                });
                sqlx::query::<$db>(ed::INSERT_AUDIT)
                    .bind(now)
                    .bind(key_id)
                    .bind("reset")
                    .bind(article.as_str())
                    .bind(details.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some((before, feedback)))
            }

            pub(super) async fn audit(&self, before_id: i64, limit: i64) -> Result<Vec<AuditRecord>, sqlx::Error> {
                sqlx::query_as::<$db, AuditRecord>(ed::SELECT_AUDIT)
                    .bind(before_id)
                    .bind(limit)
                    .fetch_all(&self.reader)
                    .await
            }
        }
    };
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
        dispatch!(self, s => s.insert_key(&record).await)?;
        Ok((key, record))
    }

    pub async fn find_key(&self, id: &str) -> Result<Option<KeyRecord>, StoreError> {
        Ok(dispatch!(self, s => s.find_key(id).await)?)
    }

    pub async fn list_keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        Ok(dispatch!(self, s => s.list_keys().await)?)
    }

    /// False if there is no such key or it was revoked already.
    pub async fn revoke_key(&self, id: &str) -> Result<bool, StoreError> {
        Ok(dispatch!(self, s => s.revoke_key(id, now_millis()).await)?)
    }

    pub async fn put_metadata(
        &self,
        article: &ArticleId,
        meta: &ArticleMetadata,
    ) -> Result<(), StoreError> {
        let authors = super::backend::json_param(&meta.authors)?;
        Ok(dispatch!(self, s => s.put_metadata(article, meta, &authors, now_millis()).await)?)
    }

    /// The article's metadata and rating, or `None` if neither a vote nor an editor named it.
    pub async fn find_article(
        &self,
        article: &ArticleId,
    ) -> Result<Option<(ArticleMetadata, RatingCounts)>, StoreError> {
        let found = dispatch!(self, s => s.find_article(article).await)?;
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
        Ok(dispatch!(self, s => s.add_feedback(article, voter, text, now_millis()).await)?)
    }

    pub async fn feedback(
        &self,
        filter: &FeedbackFilter,
    ) -> Result<Vec<FeedbackRecord>, StoreError> {
        Ok(dispatch!(self, s => s.feedback(filter).await)?)
    }

    /// The rating before and the number of feedback entries deleted, or `None` if unknown.
    pub async fn reset_article(
        &self,
        article: &ArticleId,
        key_id: &str,
    ) -> Result<Option<(RatingCounts, u64)>, StoreError> {
        let reset = dispatch!(self, s => s.reset_article(article, key_id, now_millis()).await)?;
        self.forget_rating(article);
        Ok(reset)
    }

    pub async fn audit(&self, before_id: i64, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(dispatch!(self, s => s.audit(before_id, limit).await)?)
    }
}
