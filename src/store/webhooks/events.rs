//! The events Plaudit sends, as stored in the outbox: versioned JSON with `type`, `timestamp`
//! (RFC 3339) and `data`, documented in openapi.yaml's `webhooks` section. Links to reports
//! are added when an event is sent (see `crate::webhooks::body`), so that a change of the
//! public address applies to events still waiting.

use super::alerts::{AlertThresholds, Breach, average, wilson};
use crate::store::{FeedbackRecord, RatingCounts};
use serde_json::{Value, json};

/// The kinds of event a subscription can ask for (`webhook.test` is sent on request only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    FeedbackCreated,
    RatingAlert,
    ArticleReset,
    Test,
}

impl EventType {
    /// The kinds a subscription may list.
    pub const SUBSCRIBABLE: [Self; 3] =
        [Self::FeedbackCreated, Self::RatingAlert, Self::ArticleReset];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FeedbackCreated => "feedback.created",
            Self::RatingAlert => "article.rating_alert",
            Self::ArticleReset => "article.reset",
            Self::Test => "webhook.test",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::FeedbackCreated,
            Self::RatingAlert,
            Self::ArticleReset,
            Self::Test,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == raw)
    }

    /// How a subscription's stored `events` (a JSON array) is matched in SQL with `LIKE`.
    pub fn like_pattern(self) -> String {
        format!("%\"{}\"%", self.as_str())
    }
}

/// An event ready for the outbox: its id (the `webhook-id` header, the same on every retry
/// and for every subscription that gets it), its type and its JSON body.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    pub id: String,
    pub kind: EventType,
    pub payload: String,
    pub at: i64,
}

impl OutboxEvent {
    fn new(kind: EventType, at: i64, data: Value) -> Self {
        let payload = json!({
            "type": kind.as_str(),
            "timestamp": crate::time::format(at),
            "data": data,
        });
        Self {
            id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
            kind,
            payload: payload.to_string(),
            at,
        }
    }

    pub fn feedback_created(feedback: &FeedbackRecord) -> Self {
        Self::new(
            EventType::FeedbackCreated,
            feedback.created_at,
            json!({
                "feedback_id": feedback.id,
                "article_id": feedback.article_id,
                "stars": feedback.stars,
                "text": feedback.text,
                "revision": feedback.revision,
            }),
        )
    }

    pub fn rating_alert(
        article: &str,
        counts: &RatingCounts,
        thresholds: &AlertThresholds,
        breach: Breach,
        at: i64,
    ) -> Self {
        Self::new(
            EventType::RatingAlert,
            at,
            json!({
                "article_id": article,
                "breached": breach.as_str(),
                "vote_count": counts.count,
                "average": round(average(counts)),
                "wilson_lower_bound": round(wilson(counts)),
                "thresholds": thresholds,
            }),
        )
    }

    pub fn article_reset(
        article: &str,
        key_id: &str,
        before: &RatingCounts,
        feedback_deleted: u64,
        at: i64,
    ) -> Self {
        Self::new(
            EventType::ArticleReset,
            at,
            json!({
                "article_id": article,
                "reset_by": key_id,
                "votes_deleted": before.count,
                "feedback_deleted": feedback_deleted,
                "average_before": round(average(before)),
            }),
        )
    }

    pub fn test(subscription_id: &str, at: i64) -> Self {
        Self::new(
            EventType::Test,
            at,
            json!({
                "subscription_id": subscription_id,
                "message": "A test event from Plaudit: this endpoint receives its webhooks.",
            }),
        )
    }
}

/// Figures in events have four decimals, as in the reports.
fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}
