//! Recording a delivery attempt, in one transaction: the attempt itself, what becomes of its
//! outbox row (delivered, tried again later, given up) and of its subscription (its failures
//! forgotten after a success; paused after failing too long; ended by 410 Gone).

use super::Database;
use super::webhook_sql::*;
use crate::store::StoreError;
use crate::store::dialect::Dialect;
use crate::store::webhooks::{AttemptOutcome, Verdict};
use sqlx::{Encode, Executor, Type};

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
{
    /// True if the subscription was paused for failing longer than `pause_after_ms`.
    pub(super) async fn write_attempt(
        &self,
        outcome: &AttemptOutcome,
        pause_after_ms: i64,
    ) -> Result<bool, StoreError> {
        let delivery = &outcome.delivery;
        let subscription = delivery.subscription_id.as_str();
        let attempt = delivery.attempts + 1;
        let next = match outcome.verdict {
            Verdict::Retry(at) => Some(at),
            _ => None,
        };
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        sqlx::query::<DB>(INSERT_ATTEMPT)
            .bind(subscription)
            .bind(delivery.event_id.as_str())
            .bind(delivery.event_type.as_str())
            .bind(attempt)
            .bind(outcome.at)
            .bind(outcome.status_code)
            .bind(outcome.latency_ms)
            .bind(outcome.error.as_deref())
            .bind(outcome.verdict.as_str())
            .bind(next)
            .execute(&mut *tx)
            .await?;
        let mut paused = false;
        match outcome.verdict {
            Verdict::Delivered => {
                sqlx::query::<DB>(MARK_DELIVERED)
                    .bind(delivery.id)
                    .bind(attempt)
                    .bind(outcome.at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query::<DB>(CLEAR_FAILING)
                    .bind(subscription)
                    .execute(&mut *tx)
                    .await?;
            }
            Verdict::Retry(_) | Verdict::Failed => {
                let (statement, value) = match outcome.verdict {
                    Verdict::Retry(at) => (MARK_RETRY, Some(at)),
                    _ => (MARK_FAILED, None),
                };
                let mut query = sqlx::query::<DB>(statement).bind(delivery.id).bind(attempt);
                if let Some(at) = value {
                    query = query.bind(at);
                }
                query.execute(&mut *tx).await?;
                sqlx::query::<DB>(MARK_FAILING)
                    .bind(subscription)
                    .bind(outcome.at)
                    .execute(&mut *tx)
                    .await?;
                let reason = format!(
                    "paused after failing for {} hours; last error: {}",
                    pause_after_ms / 3_600_000,
                    outcome.error.as_deref().unwrap_or("none")
                );
                let done = sqlx::query::<DB>(PAUSE_FAILING)
                    .bind(subscription)
                    .bind(outcome.at)
                    .bind(reason)
                    .bind(outcome.at.saturating_sub(pause_after_ms))
                    .execute(&mut *tx)
                    .await?;
                paused = DB::rows_affected(&done) == 1;
            }
            Verdict::Gone => {
                sqlx::query::<DB>(MARK_FAILED)
                    .bind(delivery.id)
                    .bind(attempt)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query::<DB>(END_SUBSCRIPTION)
                    .bind(subscription)
                    .bind(outcome.at)
                    .bind("the endpoint answered 410 Gone")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query::<DB>(FAIL_WAITING)
                    .bind(subscription)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(paused)
    }
}
