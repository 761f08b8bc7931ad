//! Webhook subscriptions, the outbox and the attempts, on both databases. Events are queued
//! with `queue_event` inside the caller's transaction (feedback, resets, vote batches); the
//! delivery worker claims due rows with a lease (and `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so that instances claiming side by side skip each other's rows).

use super::{Database, StoreFuture};
use crate::store::StoreError;
use crate::store::dialect::Dialect;
use crate::store::webhooks::{
    AlertRule, AttemptOutcome, DeliveryAttempt, DueDelivery, EventType, OutboxBacklog, OutboxEvent,
    Subscription, SubscriptionRecord, Verdict,
};
use sqlx::{Encode, Executor, FromRow, Transaction, Type};

macro_rules! subscription_columns {
    () => {
        "id, url, events, description, format, secret, alert, status, status_reason, \
         failing_since, created_at, updated_at"
    };
}

const LIST_SUBSCRIPTIONS: &str = concat!(
    "SELECT ",
    subscription_columns!(),
    " FROM webhook_subscriptions ORDER BY created_at, id"
);
const SELECT_SUBSCRIPTION: &str = concat!(
    "SELECT ",
    subscription_columns!(),
    " FROM webhook_subscriptions WHERE id = $1"
);
/// Active subscriptions to rating alerts (`$1`, the LIKE pattern of the event type).
const SELECT_ALERTING: &str = concat!(
    "SELECT ",
    subscription_columns!(),
    " FROM webhook_subscriptions WHERE status = 'active' AND alert IS NOT NULL AND events LIKE $1"
);

const INSERT_SUBSCRIPTION: &str = "INSERT INTO webhook_subscriptions (id, url, events, \
     description, format, secret, alert, status, status_reason, failing_since, created_at, \
     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
const UPDATE_SUBSCRIPTION: &str = "UPDATE webhook_subscriptions SET url = $2, events = $3, \
     description = $4, format = $5, secret = $6, alert = $7, status = $8, status_reason = $9, \
     failing_since = $10, created_at = $11, updated_at = $12 WHERE id = $1";
const DELETE_SUBSCRIPTION: &str = "DELETE FROM webhook_subscriptions WHERE id = $1";
/// The event for every active subscription that asked for its type (`$5`, a LIKE pattern).
const QUEUE_EVENT: &str = "INSERT INTO webhook_outbox (event_id, subscription_id, event_type, \
     payload, created_at, next_attempt_at, attempts, state) \
     SELECT $1, id, $2, $3, $4, $4, 0, 'pending' FROM webhook_subscriptions \
     WHERE status = 'active' AND events LIKE $5";
/// The event for one subscription (`$5`), whatever its state: a test, or an alert whose rule
/// the writer had in memory (the rule is checked again here, against the stored row).
const QUEUE_EVENT_FOR: &str = "INSERT INTO webhook_outbox (event_id, subscription_id, \
     event_type, payload, created_at, next_attempt_at, attempts, state) \
     SELECT $1, id, $2, $3, $4, $4, 0, 'pending' FROM webhook_subscriptions WHERE id = $5";
const QUEUE_ALERT_FOR: &str = "INSERT INTO webhook_outbox (event_id, subscription_id, \
     event_type, payload, created_at, next_attempt_at, attempts, state) \
     SELECT $1, id, $2, $3, $4, $4, 0, 'pending' FROM webhook_subscriptions \
     WHERE id = $5 AND status = 'active'";
const SELECT_ATTEMPTS: &str = "SELECT id, event_id, event_type, attempt, at, status_code, \
     latency_ms, error, result, next_attempt_at FROM webhook_attempts \
     WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2";
/// Due rows (`$1`: now) of active subscriptions, at most `$3`, leased until `$2`. The lock
/// clause is PostgreSQL's; SQLite has one writer, so a claim there cannot race another.
macro_rules! claim {
    ($lock:literal) => {
        concat!(
            "UPDATE webhook_outbox SET next_attempt_at = $2 WHERE id IN (\
             SELECT o.id FROM webhook_outbox o \
             JOIN webhook_subscriptions s ON s.id = o.subscription_id \
             WHERE o.state = 'pending' AND o.next_attempt_at <= $1 AND s.status = 'active' \
             ORDER BY o.next_attempt_at LIMIT $3",
            $lock,
            ") RETURNING id, event_id, subscription_id, event_type, payload, created_at, attempts"
        )
    };
}
const CLAIM_ONE_WRITER: &str = claim!("");
/// Claimers side by side skip each other's locked rows, and re-check the rows they lock
/// against the latest version, so a row another just claimed (now leased) is passed over.
const CLAIM_SKIP_LOCKED: &str = claim!(" FOR UPDATE OF o SKIP LOCKED");
const DELETE_OUTBOX_OF: &str = "DELETE FROM webhook_outbox WHERE subscription_id = $1";
const DELETE_ATTEMPTS_OF: &str = "DELETE FROM webhook_attempts WHERE subscription_id = $1";
const INSERT_ATTEMPT: &str = "INSERT INTO webhook_attempts (subscription_id, event_id, \
     event_type, attempt, at, status_code, latency_ms, error, result, next_attempt_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const MARK_DELIVERED: &str = "UPDATE webhook_outbox SET state = 'delivered', attempts = $2, \
     delivered_at = $3 WHERE id = $1";
const MARK_RETRY: &str =
    "UPDATE webhook_outbox SET attempts = $2, next_attempt_at = $3 WHERE id = $1";
const MARK_FAILED: &str = "UPDATE webhook_outbox SET state = 'failed', attempts = $2 \
     WHERE id = $1";
const FAIL_WAITING: &str = "UPDATE webhook_outbox SET state = 'failed' \
     WHERE subscription_id = $1 AND state = 'pending'";
const CLEAR_FAILING: &str = "UPDATE webhook_subscriptions SET failing_since = NULL \
     WHERE id = $1 AND failing_since IS NOT NULL";
const MARK_FAILING: &str = "UPDATE webhook_subscriptions \
     SET failing_since = COALESCE(failing_since, $2) WHERE id = $1";
/// `$3`: the reason; `$4`: failing since before this, it is paused.
const PAUSE_FAILING: &str = "UPDATE webhook_subscriptions SET status = 'paused', \
     status_reason = $3, updated_at = $2 \
     WHERE id = $1 AND status = 'active' AND failing_since <= $4";
const END_SUBSCRIPTION: &str = "UPDATE webhook_subscriptions SET status = 'ended', \
     status_reason = $3, updated_at = $2 WHERE id = $1";
/// Whether anything is due (`$1`: now): asked on the readers' pool before a claim, so that
/// an idle worker never takes SQLite's one writer connection.
const ANY_DUE: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM webhook_outbox \
     WHERE state = 'pending' AND next_attempt_at <= $1 LIMIT 1) due";
const BACKLOG: &str =
    "SELECT COUNT(*), MIN(created_at) FROM webhook_outbox WHERE state = 'pending'";

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
        Box::pin(async move {
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
        })
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
