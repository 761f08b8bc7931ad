//! What editors write and read besides votes: API keys, article metadata, reader feedback,
//! resets and their audit log.

use super::audit::{self, AuditLine};
use super::rows::RatingRow;
use super::{Database, StoreFuture};
use crate::domain::{ArticleId, FeedbackText, VoterHash};
use crate::store::dialect::Dialect;
use crate::store::editorial::{
    ArticleMetadata, AuditRecord, FeedbackFilter, FeedbackRecord, KeyRecord, ResetDetails,
};
use crate::store::webhooks::OutboxEvent;
use crate::store::{RatingCounts, StoreError, VersionedRating, sql};
use sqlx::{ColumnIndex, Decode, Encode, Executor, FromRow, Row, Type};

/// An article's metadata (without its authors), its authors as stored (JSON) and its rating.
pub type ArticleRow = (ArticleMetadata, Option<String>, RatingCounts);

/// A reset: the rating before, the feedback entries deleted, and the zeroed rating after (its
/// version, for the cache).
pub type Reset = (RatingCounts, u64, VersionedRating);

pub trait Editorial {
    fn insert_key<'a>(&'a self, key: &'a KeyRecord) -> StoreFuture<'a, ()>;
    fn find_key<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<KeyRecord>>;
    fn list_keys(&self) -> StoreFuture<'_, Vec<KeyRecord>>;
    /// False if there is no such key or it was revoked already.
    fn revoke_key<'a>(&'a self, id: &'a str, now: i64) -> StoreFuture<'a, bool>;
    fn put_metadata<'a>(
        &'a self,
        article: &'a ArticleId,
        meta: &'a ArticleMetadata,
        authors_json: &'a str,
        now: i64,
    ) -> StoreFuture<'a, ()>;
    fn find_article<'a>(&'a self, article: &'a ArticleId) -> StoreFuture<'a, Option<ArticleRow>>;
    /// `None` if the voter has no vote on the article.
    fn add_feedback<'a>(
        &'a self,
        article: &'a ArticleId,
        voter: &'a VoterHash,
        text: &'a FeedbackText,
        now: i64,
    ) -> StoreFuture<'a, Option<FeedbackRecord>>;
    fn feedback<'a>(&'a self, filter: &'a FeedbackFilter) -> StoreFuture<'a, Vec<FeedbackRecord>>;
    /// Clears an article's votes and feedback and logs it: the rating before and the number
    /// of feedback entries deleted, or `None` if the article is unknown.
    fn reset_article<'a>(
        &'a self,
        article: &'a ArticleId,
        key_id: &'a str,
        now: i64,
    ) -> StoreFuture<'a, Option<Reset>>;
    fn audit(&self, before_id: i64, limit: i64) -> StoreFuture<'_, Vec<AuditRecord>>;
}

impl<DB: Dialect> Editorial for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB> + Type<DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    for<'r> RatingRow: FromRow<'r, DB::Row>,
    for<'r> KeyRecord: FromRow<'r, DB::Row>,
    for<'r> FeedbackRecord: FromRow<'r, DB::Row>,
    for<'r> AuditRecord: FromRow<'r, DB::Row>,
{
    fn insert_key<'a>(&'a self, key: &'a KeyRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query::<DB>(sql::INSERT_KEY)
                .bind(key.id.as_str())
                .bind(key.name.as_str())
                .bind(key.scope.as_str())
                .bind(key.key_hash.as_slice())
                .bind(key.created_at)
                .execute(&self.writer)
                .await?;
            Ok(())
        })
    }

    fn find_key<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<KeyRecord>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, KeyRecord>(sql::SELECT_KEY)
                .bind(id)
                .fetch_optional(&self.reader)
                .await?)
        })
    }

    fn list_keys(&self) -> StoreFuture<'_, Vec<KeyRecord>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, KeyRecord>(sql::LIST_KEYS)
                .fetch_all(&self.reader)
                .await?)
        })
    }

    fn revoke_key<'a>(&'a self, id: &'a str, now: i64) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let done = sqlx::query::<DB>(sql::REVOKE_KEY)
                .bind(id)
                .bind(now)
                .execute(&self.writer)
                .await?;
            Ok(DB::rows_affected(&done) == 1)
        })
    }

    fn put_metadata<'a>(
        &'a self,
        article: &'a ArticleId,
        meta: &'a ArticleMetadata,
        authors_json: &'a str,
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query::<DB>(sql::UPSERT_METADATA)
                .bind(article.as_str())
                .bind(now)
                .bind(meta.title.as_deref())
                .bind(meta.url.as_deref())
                .bind(meta.section.as_deref())
                .bind(authors_json)
                .bind(meta.published_at.as_deref())
                .execute(&self.writer)
                .await?;
            Ok(())
        })
    }

    fn find_article<'a>(&'a self, article: &'a ArticleId) -> StoreFuture<'a, Option<ArticleRow>> {
        Box::pin(async move {
            let row = sqlx::query::<DB>(sql::SELECT_ARTICLE)
                .bind(article.as_str())
                .fetch_optional(&self.reader)
                .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let counts = RatingRow::from_row(&row)?;
            let meta = ArticleMetadata {
                title: row.try_get("title")?,
                url: row.try_get("url")?,
                section: row.try_get("section")?,
                authors: Vec::new(),
                published_at: row.try_get("published_at")?,
            };
            let authors: Option<String> = row.try_get("authors")?;
            Ok(Some((meta, authors, counts.into())))
        })
    }

    fn add_feedback<'a>(
        &'a self,
        article: &'a ArticleId,
        voter: &'a VoterHash,
        text: &'a FeedbackText,
        now: i64,
    ) -> StoreFuture<'a, Option<FeedbackRecord>> {
        Box::pin(async move {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            let feedback = sqlx::query_as::<DB, FeedbackRecord>(sql::INSERT_FEEDBACK)
                .bind(article.as_str())
                .bind(voter.as_bytes())
                .bind(text.as_str())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(feedback) = &feedback {
                // In the same transaction: acknowledged feedback always has its event.
                Self::queue_event(&mut tx, &OutboxEvent::feedback_created(feedback)).await?;
            }
            tx.commit().await?;
            Ok(feedback)
        })
    }

    fn feedback<'a>(&'a self, filter: &'a FeedbackFilter) -> StoreFuture<'a, Vec<FeedbackRecord>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, FeedbackRecord>(sql::SELECT_FEEDBACK)
                .bind(filter.article_id.as_deref())
                .bind(filter.section.as_deref())
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.before_id)
                .bind(filter.limit)
                .bind(filter.status.as_deref())
                .bind(filter.stars)
                .fetch_all(&self.reader)
                .await?)
        })
    }

    fn reset_article<'a>(
        &'a self,
        article: &'a ArticleId,
        key_id: &'a str,
        now: i64,
    ) -> StoreFuture<'a, Option<Reset>> {
        Box::pin(async move {
            let id = article.as_str();
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            // Votes first, then the article: the order a vote takes them in is the reverse
            // only for rows this snapshot cannot see, so no deadlock (see README).
            sqlx::query::<DB>(DB::LOCK_ARTICLE_VOTES)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let before = sqlx::query_as::<DB, RatingRow>(DB::LOCK_ARTICLE)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(before) = before.map(RatingRow::versioned) else {
                return Ok(None);
            };
            // The row is locked (or the one writer is ours), so `ZERO_ARTICLE` makes this the
            // next version.
            let after = VersionedRating {
                counts: RatingCounts::default(),
                version: before.version + 1,
            };
            let before = before.counts;
            let deleted = sqlx::query::<DB>(sql::DELETE_ARTICLE_FEEDBACK)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let feedback = DB::rows_affected(&deleted);
            for statement in [
                sql::DELETE_ARTICLE_VOTES,
                sql::DELETE_ARTICLE_DAYS,
                sql::DELETE_ARTICLE_NETWORK_VOTERS,
                sql::ZERO_ARTICLE,
            ] {
                sqlx::query::<DB>(statement)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let details = serde_json::to_string(&ResetDetails {
                before,
                feedback_deleted: feedback,
            })
            .map_err(|error| StoreError::internal(format!("audit details: {error}")))?;
            let line = AuditLine {
                at: now,
                key_id,
                action: "reset",
                article_id: id,
                details,
            };
            audit::write(&mut tx, line).await?;
            let event = OutboxEvent::article_reset(id, key_id, &before, feedback, now);
            Self::queue_event(&mut tx, &event).await?;
            tx.commit().await?;
            Ok(Some((before, feedback, after)))
        })
    }

    fn audit(&self, before_id: i64, limit: i64) -> StoreFuture<'_, Vec<AuditRecord>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, AuditRecord>(sql::SELECT_AUDIT)
                .bind(before_id)
                .bind(limit)
                .fetch_all(&self.reader)
                .await?)
        })
    }
}
