//! Webhook subscriptions, the outbox and the attempts, on both databases. Events are queued
//! with `queue_event` inside the caller's transaction (feedback, resets, vote batches); the
//! delivery worker claims due rows with a lease (and `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so that instances claiming side by side skip each other's rows).

use super::webhook_sql::*;
use super::{Database, StoreFuture};
use crate::store::StoreError;
use crate::store::dialect::Dialect;
use crate::store::webhooks::{
    AlertRule, AttemptOutcome, DeliveryAttempt, DueDelivery, EventType, OutboxBacklog, OutboxEvent,
    Subscription, SubscriptionRecord,
};
use sqlx::{Encode, Executor, FromRow, Transaction, Type};

pub trait Webhooks {
    fn insert_subscription<'a>(&'a self, row: &'a SubscriptionRecord) -> StoreFuture<'a, ()>;
    fn list_subscriptions(&self) -> StoreFuture<'_, Vec<SubscriptionRecord>>;
    fn find_subscription<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SubscriptionRecord>>;
    fn update_subscription<'a>(&'a self, row: &'a SubscriptionRecord) -> StoreFuture<'a, bool>;
    fn delete_subscription<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool>;
    fn queue_event_for<'a>(
        &'a self,
        event: &'a OutboxEvent,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, ()>;
    fn delivery_attempts<'a>(
        &'a self,
        subscription_id: &'a str,
        limit: i64,
    ) -> StoreFuture<'a, Vec<DeliveryAttempt>>;
    fn claim_deliveries(
        &self,
        now: i64,
        until: i64,
        limit: i64,
    ) -> StoreFuture<'_, Vec<DueDelivery>>;
    /// True if the subscription was paused for failing too long.
    fn record_attempt<'a>(
        &'a self,
        outcome: &'a AttemptOutcome,
        pause_after_ms: i64,
    ) -> StoreFuture<'a, bool>;
    fn outbox_backlog(&self) -> StoreFuture<'_, OutboxBacklog>;
    fn reload_alert_rules(&self) -> StoreFuture<'_, ()>;
    fn is_closed(&self) -> bool;
}

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
{
    /// Queues `event` for every active subscription that asked for its type, inside `tx`.
    pub(super) async fn queue_event(
        tx: &mut Transaction<'static, DB>,
        event: &OutboxEvent,
    ) -> Result<(), StoreError> {
        sqlx::query::<DB>(QUEUE_EVENT)
            .bind(event.id.as_str())
            .bind(event.kind.as_str())
            .bind(event.payload.as_str())
            .bind(event.at)
            .bind(event.kind.like_pattern())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Queues a rating alert for one subscription, if it is still active, inside `tx`.
    pub(super) async fn queue_alert(
        tx: &mut Transaction<'static, DB>,
        event: &OutboxEvent,
        subscription_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query::<DB>(QUEUE_ALERT_FOR)
            .bind(event.id.as_str())
            .bind(event.kind.as_str())
            .bind(event.payload.as_str())
            .bind(event.at)
            .bind(subscription_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

impl<DB: Dialect> Webhooks for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'r> (i64, Option<i64>): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> SubscriptionRecord: FromRow<'r, DB::Row>,
    for<'r> DeliveryAttempt: FromRow<'r, DB::Row>,
    for<'r> DueDelivery: FromRow<'r, DB::Row>,
{
    fn insert_subscription<'a>(&'a self, row: &'a SubscriptionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            bind_subscription(sqlx::query::<DB>(INSERT_SUBSCRIPTION), row)
                .execute(&self.writer)
                .await?;
            Ok(())
        })
    }

    fn list_subscriptions(&self) -> StoreFuture<'_, Vec<SubscriptionRecord>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, SubscriptionRecord>(LIST_SUBSCRIPTIONS)
                .fetch_all(&self.writer)
                .await?)
        })
    }

    fn find_subscription<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SubscriptionRecord>> {
        Box::pin(async move {
            Ok(
                sqlx::query_as::<DB, SubscriptionRecord>(SELECT_SUBSCRIPTION)
                    .bind(id)
                    .fetch_optional(&self.writer)
                    .await?,
            )
        })
    }

    fn update_subscription<'a>(&'a self, row: &'a SubscriptionRecord) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let done = bind_subscription(sqlx::query::<DB>(UPDATE_SUBSCRIPTION), row)
                .execute(&self.writer)
                .await?;
            Ok(DB::rows_affected(&done) == 1)
        })
    }

    fn delete_subscription<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            // Not left to ON DELETE CASCADE: SQLite enforces foreign keys only when asked.
            for statement in [DELETE_OUTBOX_OF, DELETE_ATTEMPTS_OF] {
                sqlx::query::<DB>(statement)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let done = sqlx::query::<DB>(DELETE_SUBSCRIPTION)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(DB::rows_affected(&done) == 1)
        })
    }

    fn queue_event_for<'a>(
        &'a self,
        event: &'a OutboxEvent,
        subscription_id: &'a str,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query::<DB>(QUEUE_EVENT_FOR)
                .bind(event.id.as_str())
                .bind(event.kind.as_str())
                .bind(event.payload.as_str())
                .bind(event.at)
                .bind(subscription_id)
                .execute(&self.writer)
                .await?;
            Ok(())
        })
    }

    fn delivery_attempts<'a>(
        &'a self,
        subscription_id: &'a str,
        limit: i64,
    ) -> StoreFuture<'a, Vec<DeliveryAttempt>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, DeliveryAttempt>(SELECT_ATTEMPTS)
                .bind(subscription_id)
                .bind(limit)
                .fetch_all(&self.reader)
                .await?)
        })
    }

    fn claim_deliveries(
        &self,
        now: i64,
        until: i64,
        limit: i64,
    ) -> StoreFuture<'_, Vec<DueDelivery>> {
        Box::pin(async move {
            let due = sqlx::query_scalar::<DB, i64>(ANY_DUE)
                .bind(now)
                .fetch_one(&self.reader)
                .await?;
            if due == 0 {
                return Ok(Vec::new());
            }
            let statement = if DB::SINGLE_WRITER {
                CLAIM_ONE_WRITER
            } else {
                CLAIM_SKIP_LOCKED
            };
            Ok(sqlx::query_as::<DB, DueDelivery>(statement)
                .bind(now)
                .bind(until)
                .bind(limit)
                .fetch_all(&self.writer)
                .await?)
        })
    }

    fn record_attempt<'a>(
        &'a self,
        outcome: &'a AttemptOutcome,
        pause_after_ms: i64,
    ) -> StoreFuture<'a, bool> {
        Box::pin(self.write_attempt(outcome, pause_after_ms))
    }

    fn outbox_backlog(&self) -> StoreFuture<'_, OutboxBacklog> {
        Box::pin(async move {
            let (depth, oldest_created_at) = sqlx::query_as::<DB, (i64, Option<i64>)>(BACKLOG)
                .fetch_one(&self.reader)
                .await?;
            Ok(OutboxBacklog {
                depth,
                oldest_created_at,
            })
        })
    }

    fn reload_alert_rules(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let rows = sqlx::query_as::<DB, SubscriptionRecord>(SELECT_ALERTING)
                .bind(EventType::RatingAlert.like_pattern())
                .fetch_all(&self.writer)
                .await?;
            let mut rules = Vec::with_capacity(rows.len());
            for row in rows {
                let subscription = Subscription::try_from(row)?;
                if let Some(thresholds) = subscription.alert {
                    rules.push(AlertRule {
                        subscription_id: subscription.id,
                        thresholds,
                    });
                }
            }
            self.alerts.replace(rules);
            Ok(())
        })
    }

    fn is_closed(&self) -> bool {
        self.writer.is_closed()
    }
}

fn bind_subscription<'q, DB: Dialect>(
    query: sqlx::query::Query<'q, DB, DB::Arguments>,
    row: &'q SubscriptionRecord,
) -> sqlx::query::Query<'q, DB, DB::Arguments>
where
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
{
    query
        .bind(row.id.as_str())
        .bind(row.url.as_str())
        .bind(row.events.as_str())
        .bind(row.description.as_str())
        .bind(row.format.as_str())
        .bind(row.secret.as_str())
        .bind(row.alert.as_deref())
        .bind(row.status.as_str())
        .bind(row.status_reason.as_deref())
        .bind(row.failing_since)
        .bind(row.created_at)
        .bind(row.updated_at)
}
