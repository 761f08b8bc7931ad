//! Webhook subscriptions, the outbox of deliveries and the attempts made, as the routes and
//! the delivery worker (`crate::webhooks`) see them. Events enter the outbox inside the
//! transaction of what caused them (feedback, a reset, a vote batch crossing an alert
//! threshold), so a committed change always has its events, and a rolled-back one none.

mod alerts;
mod deliveries;
mod events;

pub use alerts::{AlertRule, AlertRules, AlertThresholds, Breach};
pub use deliveries::{AttemptOutcome, DeliveryAttempt, DueDelivery, OutboxBacklog, Verdict};
pub use events::{EventType, OutboxEvent};

use super::{Store, StoreError, now_millis};
use std::time::Duration;

/// A subscription as stored: `events` and `alert` are JSON. (`Debug` hides the secret.)
#[derive(Clone, sqlx::FromRow)]
pub struct SubscriptionRecord {
    pub id: String,
    pub url: String,
    pub events: String,
    pub description: String,
    pub format: String,
    pub secret: String,
    pub alert: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub failing_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A subscription, its JSON fields read. (`Debug` hides the secret.)
#[derive(Clone)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    /// "standard" or "slack".
    pub format: String,
    /// `whsec_` and the base64 of the signing key, as stored (maybe sealed).
    pub secret: String,
    pub alert: Option<AlertThresholds>,
    /// "active", "paused" or "ended" (the endpoint answered 410 Gone).
    pub status: String,
    pub status_reason: Option<String>,
    /// Since when every attempt failed (none since), in Unix milliseconds.
    pub failing_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<SubscriptionRecord> for Subscription {
    type Error = StoreError;

    fn try_from(row: SubscriptionRecord) -> Result<Self, StoreError> {
        Ok(Self {
            events: serde_json::from_str(&row.events)?,
            alert: row.alert.as_deref().map(serde_json::from_str).transpose()?,
            id: row.id,
            url: row.url,
            description: row.description,
            format: row.format,
            secret: row.secret,
            status: row.status,
            status_reason: row.status_reason,
            failing_since: row.failing_since,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

impl std::fmt::Debug for SubscriptionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionRecord")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("status", &self.status)
            .field("secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("status", &self.status)
            .field("secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Subscription {
    fn record(&self) -> Result<SubscriptionRecord, StoreError> {
        Ok(SubscriptionRecord {
            id: self.id.clone(),
            url: self.url.clone(),
            events: serde_json::to_string(&self.events)?,
            description: self.description.clone(),
            format: self.format.clone(),
            secret: self.secret.clone(),
            alert: self.alert.as_ref().map(serde_json::to_string).transpose()?,
            status: self.status.clone(),
            status_reason: self.status_reason.clone(),
            failing_since: self.failing_since,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    pub fn wants(&self, kind: EventType) -> bool {
        self.events.iter().any(|e| e == kind.as_str())
    }
}

/// What a new subscription is made from (checked by the route).
#[derive(Clone)]
pub struct NewSubscription {
    pub url: String,
    /// The signing secret as it is to be stored (sealed, see `crate::webhooks::SecretSealer`).
    pub secret: String,
    pub events: Vec<String>,
    pub description: String,
    pub format: String,
    pub alert: Option<AlertThresholds>,
}

impl Store {
    /// Stores a new, active subscription.
    pub async fn create_subscription(
        &self,
        new: NewSubscription,
    ) -> Result<Subscription, StoreError> {
        let now = now_millis();
        let subscription = Subscription {
            id: uuid::Uuid::new_v4().to_string(),
            url: new.url,
            events: new.events,
            description: new.description,
            format: new.format,
            secret: new.secret,
            alert: new.alert,
            status: "active".into(),
            status_reason: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
        };
        self.backend()
            .insert_subscription(&subscription.record()?)
            .await?;
        self.reload_alert_rules().await?;
        Ok(subscription)
    }

    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let rows = self.backend().list_subscriptions().await?;
        rows.into_iter().map(Subscription::try_from).collect()
    }

    pub async fn subscription(&self, id: &str) -> Result<Option<Subscription>, StoreError> {
        let row = self.backend().find_subscription(id).await?;
        row.map(Subscription::try_from).transpose()
    }

    /// Writes a changed subscription back; false if it is gone.
    pub async fn save_subscription(&self, subscription: &Subscription) -> Result<bool, StoreError> {
        let saved = self
            .backend()
            .update_subscription(&subscription.record()?)
            .await?;
        self.reload_alert_rules().await?;
        Ok(saved)
    }

    /// Deletes a subscription with its waiting deliveries and its attempts; false if unknown.
    pub async fn delete_subscription(&self, id: &str) -> Result<bool, StoreError> {
        let deleted = self.backend().delete_subscription(id).await?;
        self.reload_alert_rules().await?;
        Ok(deleted)
    }

    /// Queues a `webhook.test` event for the subscription; its id.
    pub async fn queue_test_event(&self, subscription_id: &str) -> Result<String, StoreError> {
        let event = OutboxEvent::test(subscription_id, now_millis());
        self.backend()
            .queue_event_for(&event, subscription_id)
            .await?;
        Ok(event.id)
    }

    /// The subscription's latest attempts, newest first.
    pub async fn delivery_attempts(
        &self,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryAttempt>, StoreError> {
        self.backend()
            .delivery_attempts(subscription_id, limit)
            .await
    }

    /// Claims up to `limit` due deliveries of active subscriptions for `lease`: no other
    /// worker, here or on another instance, takes them meanwhile.
    pub async fn claim_deliveries(
        &self,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let now = now_millis();
        let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        self.backend().claim_deliveries(now, until, limit).await
    }

    /// Records an attempt and what follows from it; true if the subscription was paused
    /// because it has failed for `pause_after` without a success.
    pub async fn record_attempt(
        &self,
        outcome: &AttemptOutcome,
        pause_after: Duration,
    ) -> Result<bool, StoreError> {
        let pause_after = i64::try_from(pause_after.as_millis()).unwrap_or(i64::MAX);
        let paused = self.backend().record_attempt(outcome, pause_after).await?;
        if paused || outcome.verdict == Verdict::Gone {
            self.reload_alert_rules().await?;
        }
        Ok(paused)
    }

    pub async fn outbox_backlog(&self) -> Result<OutboxBacklog, StoreError> {
        self.backend().outbox_backlog().await
    }

    /// Reads the active rating-alert subscriptions into the vote writers' memory: after a
    /// change here, and periodically for changes made on other instances.
    pub async fn reload_alert_rules(&self) -> Result<(), StoreError> {
        self.backend().reload_alert_rules().await
    }

    /// Whether `close` was called (the worker of a stopped app then stops too).
    pub fn is_closed(&self) -> bool {
        self.backend().is_closed()
    }
}
