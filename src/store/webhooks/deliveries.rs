//! The delivery side of the outbox: rows a worker claimed, what became of each attempt, and
//! the attempts as the deliveries list shows them.

/// One attempt to deliver an event, as the deliveries list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryAttempt {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub attempt: i64,
    pub at: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// "delivered", "retrying", "failed" (attempts used up) or "gone" (410).
    pub result: String,
    pub next_attempt_at: Option<i64>,
}

/// An outbox row a worker claimed: leased to it until its attempt is recorded or the lease
/// runs out.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub event_id: String,
    pub subscription_id: String,
    pub event_type: String,
    pub payload: String,
    pub created_at: i64,
    /// Attempts before this one.
    pub attempts: i64,
}

/// What became of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Failed; tried again at this time (Unix milliseconds).
    Retry(i64),
    /// Failed, and that was the last attempt.
    Failed,
    /// 410 Gone: the subscription ends.
    Gone,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Retry(_) => "retrying",
            Self::Failed => "failed",
            Self::Gone => "gone",
        }
    }
}

/// An attempt to record.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub delivery: DueDelivery,
    pub at: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub verdict: Verdict,
}

/// Undelivered events: how many, and when the oldest was made.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxBacklog {
    pub depth: i64,
    pub oldest_created_at: Option<i64>,
}
