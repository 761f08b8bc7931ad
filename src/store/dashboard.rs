//! What the editors' dashboard adds to the store: sign-in sessions, the triage of feedback
//! (each change written to the audit log in the same transaction), the site's votes day by
//! day, and the sweep that forgets expired sessions and feedback past its retention.

use super::{DayFigures, Store, StoreError, now_millis};
use crate::domain::{FeedbackStatus, SessionToken};

/// A session as a request finds it, with its key's scope and state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub key_id: String,
    pub scope: String,
    pub revoked_at: Option<i64>,
    /// Unix milliseconds.
    pub expires_at: i64,
}

/// What a triage change did: the entry's article and its status before.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub article_id: String,
    pub previous: String,
}

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub feedback: u64,
    pub webhook_deliveries: u64,
    pub webhook_attempts: u64,
}

impl Store {
    /// Opens a session for the key, lasting `lifetime_ms`: the token (shown only to the
    /// browser, in its cookie) and when it expires.
    pub async fn open_session(
        &self,
        key_id: &str,
        lifetime_ms: i64,
    ) -> Result<(SessionToken, i64), StoreError> {
        let token = SessionToken::generate()
            .map_err(|error| StoreError::unavailable(format!("no random token: {error}")))?;
        let now = now_millis();
        let expires_at = now.saturating_add(lifetime_ms);
        self.backend()
            .insert_session(&token.digest(), key_id, now, expires_at)
            .await?;
        Ok((token, expires_at))
    }

    /// The session of this token, unless it has expired (expired rows are swept later).
    pub async fn find_session(
        &self,
        token: &SessionToken,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let found = self.backend().find_session(&token.digest()).await?;
        Ok(found.filter(|session| session.expires_at > now_millis()))
    }

    /// False if there was no such session.
    pub async fn end_session(&self, token: &SessionToken) -> Result<bool, StoreError> {
        self.backend().delete_session(&token.digest()).await
    }

    /// `None` if there is no such entry.
    pub async fn set_feedback_status(
        &self,
        id: i64,
        status: FeedbackStatus,
        key_id: &str,
    ) -> Result<Option<StatusChange>, StoreError> {
        self.backend()
            .set_feedback_status(id, status.as_str(), key_id, now_millis())
            .await
    }

    /// The entry's article, or `None` if there is no such entry.
    pub async fn delete_feedback(
        &self,
        id: i64,
        key_id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.backend()
            .delete_feedback(id, key_id, now_millis())
            .await
    }

    /// Votes and star sums per UTC day over the window (and section), oldest first.
    pub async fn daily_totals(
        &self,
        window: &super::ReportWindow,
    ) -> Result<Vec<DayFigures>, StoreError> {
        self.reports_backend().daily_totals(window).await
    }

    /// Deletes expired sessions and, for each time given (Unix milliseconds), feedback
    /// written before it and webhook delivery history from before it.
    pub async fn sweep(
        &self,
        feedback_before: Option<i64>,
        webhook_history_before: Option<i64>,
    ) -> Result<Swept, StoreError> {
        let sessions = self.backend().delete_expired_sessions(now_millis()).await?;
        let feedback = match feedback_before {
            Some(before) => self.backend().delete_feedback_before(before).await?,
            None => 0,
        };
        let (webhook_deliveries, webhook_attempts) = match webhook_history_before {
            Some(before) => self.backend().delete_webhook_history_before(before).await?,
            None => (0, 0),
        };
        Ok(Swept {
            sessions,
            feedback,
            webhook_deliveries,
            webhook_attempts,
        })
    }
}
