//! The dashboard's statements: sessions, feedback triage with its audit entries, the site's
//! daily totals and the retention sweep (which also deletes old webhook delivery history).
//! Kept apart from `sql.rs` only to keep this feature in files of its own; every statement
//! runs unchanged on both databases.

use super::audit::{self, AuditLine};
use super::{Database, StoreFuture};
use crate::store::ReportWindow;
use crate::store::dashboard::{SessionRecord, StatusChange};
use crate::store::dialect::Dialect;
use crate::store::reports::DayFigures;
use sqlx::{Decode, Encode, Executor, FromRow, Type};

const INSERT_SESSION: &str =
    "INSERT INTO sessions (token_hash, key_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
const SELECT_SESSION: &str = "SELECT s.key_id, k.scope, k.revoked_at, s.expires_at \
     FROM sessions s JOIN api_keys k ON k.id = s.key_id WHERE s.token_hash = $1";
const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";
const SELECT_FEEDBACK_STATUS: &str = "SELECT article_id, status FROM feedback WHERE id = $1";
const UPDATE_FEEDBACK_STATUS: &str = "UPDATE feedback SET status = $2 WHERE id = $1";
const DELETE_ONE_FEEDBACK: &str = "DELETE FROM feedback WHERE id = $1 RETURNING article_id";
const DELETE_FEEDBACK_BEFORE: &str = "DELETE FROM feedback WHERE created_at < $1";
/// Webhook history goes at most this many rows per statement, so that a sweep with much to do
/// (the first after an upgrade: months of it) never holds the writer, on SQLite the votes'
/// writer too, for long.
const HISTORY_ROWS_PER_DELETE: i64 = 1000;
/// Events still being tried stay, however old: deleting one would lose it. A delivered event's
/// age counts from its delivery (one held back by a pause is kept as long as any other).
const DELETE_SETTLED_DELIVERIES_BEFORE: &str = "DELETE FROM webhook_outbox WHERE id IN \
     (SELECT id FROM webhook_outbox \
      WHERE state <> 'pending' AND COALESCE(delivered_at, created_at) < $1 LIMIT $2)";
const DELETE_ATTEMPTS_BEFORE: &str = "DELETE FROM webhook_attempts WHERE id IN \
     (SELECT id FROM webhook_attempts WHERE at < $1 LIMIT $2)";
/// A vote counts on the day it was last cast or changed, as in the article report's series:
/// the roll-ups of whole days (`$2`..`$3`) and the votes of the part-days at the window's
/// edges (`$4`..`$7`), as `sql::DAILY_FIGURES` for one article; all articles, or those of
/// section `$1`.
macro_rules! daily_totals {
    ($only:literal) => {
        concat!(
            "SELECT day, CAST(SUM(c) AS BIGINT) AS vote_count, \
             CAST(SUM(s) AS BIGINT) AS star_sum FROM (\
             SELECT day, stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS c, \
             stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS s \
             FROM article_days WHERE day >= $2 AND day < $3",
            $only,
            " UNION ALL SELECT updated_at / 86400000, 1, stars FROM votes \
             WHERE updated_at >= $4 AND updated_at < $5",
            $only,
            " UNION ALL SELECT updated_at / 86400000, 1, stars FROM votes \
             WHERE updated_at >= $6 AND updated_at < $7",
            $only,
            ") days GROUP BY day HAVING SUM(c) > 0 ORDER BY day"
        )
    };
}
/// (`$1` goes unused here: both statements take the same parameters.)
const DAILY_TOTALS: &str = daily_totals!("");
const SECTION_DAILY_TOTALS: &str =
    daily_totals!(" AND article_id IN (SELECT article_id FROM articles WHERE section = $1)");

pub trait Dashboard {
    fn insert_session<'a>(
        &'a self,
        token_hash: &'a [u8],
        key_id: &'a str,
        now: i64,
        expires_at: i64,
    ) -> StoreFuture<'a, ()>;
    fn find_session<'a>(&'a self, token_hash: &'a [u8]) -> StoreFuture<'a, Option<SessionRecord>>;
    fn delete_session<'a>(&'a self, token_hash: &'a [u8]) -> StoreFuture<'a, bool>;
    fn delete_expired_sessions(&self, now: i64) -> StoreFuture<'_, u64>;
    fn set_feedback_status<'a>(
        &'a self,
        id: i64,
        status: &'a str,
        key_id: &'a str,
        now: i64,
    ) -> StoreFuture<'a, Option<StatusChange>>;
    fn delete_feedback<'a>(
        &'a self,
        id: i64,
        key_id: &'a str,
        now: i64,
    ) -> StoreFuture<'a, Option<String>>;
    fn delete_feedback_before(&self, before: i64) -> StoreFuture<'_, u64>;
    /// Settled deliveries and attempts from before `before`: how many of each.
    fn delete_webhook_history_before(&self, before: i64) -> StoreFuture<'_, (u64, u64)>;
    fn daily_totals<'a>(&'a self, window: &'a ReportWindow) -> StoreFuture<'a, Vec<DayFigures>>;
}

impl<DB: Dialect> Dashboard for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> (String, String): FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> SessionRecord: FromRow<'r, DB::Row>,
    for<'r> DayFigures: FromRow<'r, DB::Row>,
{
    fn insert_session<'a>(
        &'a self,
        token_hash: &'a [u8],
        key_id: &'a str,
        now: i64,
        expires_at: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query::<DB>(INSERT_SESSION)
                .bind(token_hash)
                .bind(key_id)
                .bind(now)
                .bind(expires_at)
                .execute(&self.writer)
                .await?;
            Ok(())
        })
    }

    fn find_session<'a>(&'a self, token_hash: &'a [u8]) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, SessionRecord>(SELECT_SESSION)
                .bind(token_hash)
                .fetch_optional(&self.reader)
                .await?)
        })
    }

    fn delete_session<'a>(&'a self, token_hash: &'a [u8]) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let done = sqlx::query::<DB>(DELETE_SESSION)
                .bind(token_hash)
                .execute(&self.writer)
                .await?;
            Ok(DB::rows_affected(&done) == 1)
        })
    }

    fn delete_expired_sessions(&self, now: i64) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let done = sqlx::query::<DB>(DELETE_EXPIRED_SESSIONS)
                .bind(now)
                .execute(&self.writer)
                .await?;
            Ok(DB::rows_affected(&done))
        })
    }

    fn set_feedback_status<'a>(
        &'a self,
        id: i64,
        status: &'a str,
        key_id: &'a str,
        now: i64,
    ) -> StoreFuture<'a, Option<StatusChange>> {
        Box::pin(async move {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            let found = sqlx::query_as::<DB, (String, String)>(SELECT_FEEDBACK_STATUS)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((article_id, previous)) = found else {
                return Ok(None);
            };
            // Two editors triaging one entry at the same instant on PostgreSQL may both log the
            // same `from`; each `to` is right, and the last one written stands.
            sqlx::query::<DB>(UPDATE_FEEDBACK_STATUS)
                .bind(id)
                .bind(status)
                .execute(&mut *tx)
                .await?;
            let details = serde_json::json!({ "feedback_id": id, "from": previous, "to": status })
                .to_string();
            let line = AuditLine {
                at: now,
                key_id,
                action: "feedback_status",
                article_id: article_id.as_str(),
                details,
            };
            audit::write(&mut tx, line).await?;
            tx.commit().await?;
            Ok(Some(StatusChange {
                article_id,
                previous,
            }))
        })
    }

    fn delete_feedback<'a>(
        &'a self,
        id: i64,
        key_id: &'a str,
        now: i64,
    ) -> StoreFuture<'a, Option<String>> {
        Box::pin(async move {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            let deleted = sqlx::query_as::<DB, (String,)>(DELETE_ONE_FEEDBACK)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((article_id,)) = deleted else {
                return Ok(None);
            };
            // The text is not kept: deleting it is the point (it may hold personal data).
            let details = serde_json::json!({ "feedback_id": id }).to_string();
            let line = AuditLine {
                at: now,
                key_id,
                action: "feedback_delete",
                article_id: article_id.as_str(),
                details,
            };
            audit::write(&mut tx, line).await?;
            tx.commit().await?;
            Ok(Some(article_id))
        })
    }

    fn delete_feedback_before(&self, before: i64) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let done = sqlx::query::<DB>(DELETE_FEEDBACK_BEFORE)
                .bind(before)
                .execute(&self.writer)
                .await?;
            Ok(DB::rows_affected(&done))
        })
    }

    fn delete_webhook_history_before(&self, before: i64) -> StoreFuture<'_, (u64, u64)> {
        Box::pin(async move {
            let deliveries = self
                .delete_in_batches(DELETE_SETTLED_DELIVERIES_BEFORE, before)
                .await?;
            let attempts = self
                .delete_in_batches(DELETE_ATTEMPTS_BEFORE, before)
                .await?;
            Ok((deliveries, attempts))
        })
    }

    fn daily_totals<'a>(&'a self, window: &'a ReportWindow) -> StoreFuture<'a, Vec<DayFigures>> {
        Box::pin(async move {
            let statement = match window.section {
                Some(_) => SECTION_DAILY_TOTALS,
                None => DAILY_TOTALS,
            };
            let (days, [first, last]) = window.split();
            Ok(sqlx::query_as::<DB, DayFigures>(statement)
                .bind(window.section.as_deref())
                .bind(days.0)
                .bind(days.1)
                .bind(first.0)
                .bind(first.1)
                .bind(last.0)
                .bind(last.1)
                .fetch_all(&self.reader)
                .await?)
        })
    }
}

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    /// Runs a delete of at most `$2` rows older than `$1` until one deletes fewer: how many
    /// rows went in all.
    async fn delete_in_batches(
        &self,
        statement: &'static str,
        before: i64,
    ) -> Result<u64, crate::store::StoreError> {
        let mut deleted = 0;
        loop {
            let done = sqlx::query::<DB>(statement)
                .bind(before)
                .bind(HISTORY_ROWS_PER_DELETE)
                .execute(&self.writer)
                .await?;
            let rows = DB::rows_affected(&done);
            deleted += rows;
            if rows < HISTORY_ROWS_PER_DELETE as u64 {
                return Ok(deleted);
            }
        }
    }
}
