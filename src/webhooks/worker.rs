//! The delivery worker: a loop around [`Deliverer::deliver_due`], which claims due deliveries,
//! sends them side by side (one slow endpoint does not hold up the others) and records each
//! attempt. Off the request path: a vote or feedback only writes its outbox row.
//!
//! At least once: a row is claimed with a lease (its due time moved past the attempt's
//! timeout), so if this process dies mid-attempt, the row is due again when the lease runs
//! out, here after a restart or on another instance.

use super::retry::{backoff, jitter};
use super::{SecretSealer, body, signing, target};
use crate::config::DeliverySettings;
use crate::store::webhooks::{AttemptOutcome, DueDelivery, Subscription, Verdict};
use crate::store::{Store, StoreError, now_millis};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Deliveries claimed at once.
const CLAIM_BATCH: i64 = 32;
/// How often the rating-alert rules are read again for subscriptions changed elsewhere.
const RELOAD_RULES: Duration = Duration::from_secs(5);
/// How often the outbox gauges are refreshed.
const REFRESH_GAUGES: Duration = Duration::from_secs(1);
/// How long a stopping worker may finish the attempts in flight.
const STOP_GRACE: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Deliverer {
    store: Store,
    client: reqwest::Client,
    settings: DeliverySettings,
    sealer: SecretSealer,
}

/// The running worker; [`DelivererHandle::stop`] ends it.
pub struct DelivererHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl DelivererHandle {
    /// Asks the worker to stop and waits for the attempts in flight, briefly: an attempt cut
    /// short stays claimed and is made again after its lease, so nothing is lost.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
            task.abort();
        }
    }
}

impl Deliverer {
    pub fn new(
        store: Store,
        settings: DeliverySettings,
        sealer: SecretSealer,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            // A redirect could lead anywhere, past the address check: a 3xx is a failure.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(std::sync::Arc::new(target::PublicOnly {
                allow_private: settings.allow_private,
            }))
            .user_agent(concat!("Plaudit-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            store,
            client,
            settings,
            sealer,
        })
    }

    /// Starts the loop on the current runtime.
    pub fn spawn(self) -> DelivererHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.run(stopped));
        DelivererHandle { stop, task }
    }

    async fn run(self, mut stopped: watch::Receiver<bool>) {
        if let Err(error) = self.store.reload_alert_rules().await {
            tracing::warn!(%error, "webhooks: could not read the rating-alert subscriptions");
        }
        let (mut rules_read, mut gauges_read) = (Instant::now(), None::<Instant>);
        loop {
            if *stopped.borrow() || self.store.is_closed() {
                break;
            }
            let sent = match self.deliver_due().await {
                Ok(sent) => sent,
                Err(error) => {
                    if !self.store.is_closed() {
                        tracing::warn!(%error, "webhooks: delivery round failed");
                    }
                    0
                }
            };
            if rules_read.elapsed() >= RELOAD_RULES {
                rules_read = Instant::now();
                if let Err(error) = self.store.reload_alert_rules().await {
                    tracing::warn!(%error, "webhooks: could not reload the rating-alert rules");
                }
            }
            if gauges_read.is_none_or(|at| at.elapsed() >= REFRESH_GAUGES) {
                gauges_read = Some(Instant::now());
                self.refresh_gauges().await;
            }
            // A full batch suggests more are due: go on at once.
            if sent < CLAIM_BATCH as usize {
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll) => {}
                    _ = stopped.changed() => break,
                }
            }
        }
    }

    /// Claims what is due, sends it, records the attempts; how many were claimed.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        // The lease covers the attempt's timeout and its recording, with room to spare.
        let lease = self.settings.timeout * 2 + Duration::from_secs(5);
        let due = self.store.claim_deliveries(lease, CLAIM_BATCH).await?;
        let mut subscriptions: HashMap<String, Option<Subscription>> = HashMap::new();
        for delivery in &due {
            if !subscriptions.contains_key(&delivery.subscription_id) {
                let found = self.store.subscription(&delivery.subscription_id).await?;
                subscriptions.insert(delivery.subscription_id.clone(), found);
            }
        }
        let attempts = due.iter().filter_map(|delivery| {
            let subscription = subscriptions.get(&delivery.subscription_id)?.as_ref()?;
            Some(self.attempt(delivery.clone(), subscription))
        });
        let results = futures_util::future::join_all(attempts).await;
        for result in results {
            result?;
        }
        Ok(due.len())
    }

    async fn attempt(
        &self,
        delivery: DueDelivery,
        subscription: &Subscription,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let sent = self.send(&delivery, subscription).await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let now = now_millis();
        let attempt = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
        let (status_code, error) = match &sent {
            Ok(status) => (Some(i64::from(*status)), None),
            Err(error) => (None, Some(error.clone())),
        };
        let verdict = match sent {
            Ok(200..=299) => Verdict::Delivered,
            Ok(410) => Verdict::Gone,
            _ if attempt >= self.settings.max_attempts => Verdict::Failed,
            _ => Verdict::Retry(now.saturating_add(millis(backoff(
                self.settings.retry_base,
                attempt,
                jitter(),
            )))),
        };
        let error = error.or_else(|| match (status_code, verdict) {
            (Some(code), Verdict::Retry(_) | Verdict::Failed | Verdict::Gone) => {
                Some(format!("the endpoint answered {code}"))
            }
            _ => None,
        });
        metrics::counter!(
            "plaudit_webhook_deliveries_total",
            "event" => delivery.event_type.clone(),
            "result" => verdict.as_str(),
            "subscription" => delivery.subscription_id.clone(),
        )
        .increment(1);
        let outcome = AttemptOutcome {
            delivery,
            at: now,
            status_code,
            latency_ms,
            error,
            verdict,
        };
        let paused = self
            .store
            .record_attempt(&outcome, self.settings.pause_after)
            .await?;
        if paused || verdict == Verdict::Gone {
            tracing::warn!(
                subscription_id = %subscription.id,
                verdict = verdict.as_str(),
                "webhooks: subscription stopped receiving events"
            );
        }
        Ok(())
    }

    /// The status the endpoint answered, or why there was no answer.
    async fn send(
        &self,
        delivery: &DueDelivery,
        subscription: &Subscription,
    ) -> Result<u16, String> {
        let url = reqwest::Url::parse(&subscription.url).map_err(|e| format!("url: {e}"))?;
        if target::is_forbidden_literal(&url, self.settings.allow_private)
            || (url.scheme() != "https" && !self.settings.allow_private)
        {
            return Err(
                "the URL may not be reached (PLAUDIT_WEBHOOKS_ALLOW_PRIVATE is off)".into(),
            );
        }
        let body = body::render(
            &delivery.payload,
            &subscription.format,
            &self.settings.public_url,
        )?;
        let timestamp = now_millis() / 1000;
        let secret = self.sealer.open(&subscription.secret)?;
        let signature = signing::sign(&secret, &delivery.event_id, timestamp, &body)
            .ok_or_else(|| "the subscription's secret cannot sign".to_owned())?;
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|error| describe(&error))?;
        Ok(response.status().as_u16())
    }

    async fn refresh_gauges(&self) {
        match self.store.outbox_backlog().await {
            Ok(backlog) => {
                metrics::gauge!("plaudit_webhook_outbox_depth").set(backlog.depth as f64);
                let age = backlog
                    .oldest_created_at
                    .map_or(0.0, |at| (now_millis() - at).max(0) as f64 / 1000.0);
                metrics::gauge!("plaudit_webhook_oldest_undelivered_seconds").set(age);
            }
            Err(error) => {
                if !self.store.is_closed() {
                    tracing::warn!(%error, "webhooks: could not read the outbox's depth");
                }
            }
        }
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A transport error with its causes (reqwest's own message is often just "error sending
/// request").
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
