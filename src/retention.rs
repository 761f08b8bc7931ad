//! The retention sweep: forgets expired dashboard sessions, webhook delivery history older
//! than `PLAUDIT_WEBHOOK_HISTORY_DAYS` (30 by default: without it the outbox and the attempts
//! grow with every event, forever) and, when `PLAUDIT_FEEDBACK_RETENTION_DAYS` is set,
//! readers' feedback older than that (it may hold personal data, so it is deleted, text and
//! all, not hidden). Every instance sweeps; the deletes are idempotent, so instances on one
//! database only repeat each other's work.

use crate::store::{Store, Swept, now_millis};
use std::time::Duration;

/// Often enough that feedback outlives its retention by at most an hour.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// How long what the sweep deletes is kept, in milliseconds; `None` keeps it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Retention {
    pub feedback_ms: Option<i64>,
    pub webhook_history_ms: Option<i64>,
}

/// One sweep; what the loop calls, and what tests drive directly.
pub async fn try_sweep(store: &Store, retention: Retention) -> Swept {
    let before = |kept: Option<i64>| kept.map(|kept| now_millis().saturating_sub(kept));
    let sweep = store.sweep(
        before(retention.feedback_ms),
        before(retention.webhook_history_ms),
    );
    match sweep.await {
        Ok(swept) => {
            if swept != Swept::default() {
                tracing::info!(
                    sessions = swept.sessions,
                    feedback = swept.feedback,
                    webhook_deliveries = swept.webhook_deliveries,
                    webhook_attempts = swept.webhook_attempts,
                    "retention sweep deleted expired rows"
                );
            }
            swept
        }
        Err(error) => {
            // The next sweep tries again; nothing is lost by waiting.
            tracing::warn!(error = %error, "retention sweep failed");
            Swept::default()
        }
    }
}

/// Sweeps at start and then every [`SWEEP_EVERY`], for as long as the runtime runs.
pub fn spawn(store: Store, retention: Retention) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SWEEP_EVERY);
        loop {
            ticks.tick().await;
            try_sweep(&store, retention).await;
        }
    });
}
