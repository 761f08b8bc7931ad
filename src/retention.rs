//! The retention sweep: forgets expired dashboard sessions and, when
//! `PLAUDIT_FEEDBACK_RETENTION_DAYS` is set, readers' feedback older than that (it may hold
//! personal data, so it is deleted, text and all, not hidden). Every instance sweeps; the
//! deletes are idempotent, so instances on one database only repeat each other's work.

use crate::store::{Store, Swept, now_millis};
use std::time::Duration;

/// Often enough that feedback outlives its retention by at most an hour.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// One sweep; what the loop calls, and what tests drive directly.
pub async fn try_sweep(store: &Store, feedback_retention_ms: Option<i64>) -> Swept {
    let before = feedback_retention_ms.map(|kept| now_millis().saturating_sub(kept));
    match store.sweep(before).await {
        Ok(swept) => {
            if swept != Swept::default() {
                tracing::info!(
                    sessions = swept.sessions,
                    feedback = swept.feedback,
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
pub fn spawn(store: Store, feedback_retention_ms: Option<i64>) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SWEEP_EVERY);
        loop {
            ticks.tick().await;
            try_sweep(&store, feedback_retention_ms).await;
        }
    });
}
