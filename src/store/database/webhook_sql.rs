//! The SQL of webhook subscriptions, the outbox and the attempts (see `webhooks.rs`), the
//! same on both databases but for the claim's lock clause.

macro_rules! subscription_columns {
    () => {
        "id, url, events, description, format, secret, alert, status, status_reason, \
         failing_since, created_at, updated_at"
    };
}

pub const LIST_SUBSCRIPTIONS: &str = concat!(
    "SELECT ",
    subscription_columns!(),
    " FROM webhook_subscriptions ORDER BY created_at, id"
);
pub const SELECT_SUBSCRIPTION: &str = concat!(
    "SELECT ",
    subscription_columns!(),
    " FROM webhook_subscriptions WHERE id = $1"
);
/// Active subscriptions to rating alerts (`$1`, the LIKE pattern of the event type).
pub const SELECT_ALERTING: &str = concat!(
    "SELECT ",
    subscription_columns!(),
    " FROM webhook_subscriptions WHERE status = 'active' AND alert IS NOT NULL AND events LIKE $1"
);

pub const INSERT_SUBSCRIPTION: &str = "INSERT INTO webhook_subscriptions (id, url, events, \
     description, format, secret, alert, status, status_reason, failing_since, created_at, \
     updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
pub const UPDATE_SUBSCRIPTION: &str = "UPDATE webhook_subscriptions SET url = $2, events = $3, \
     description = $4, format = $5, secret = $6, alert = $7, status = $8, status_reason = $9, \
     failing_since = $10, created_at = $11, updated_at = $12 WHERE id = $1";
pub const DELETE_SUBSCRIPTION: &str = "DELETE FROM webhook_subscriptions WHERE id = $1";
/// The event for every active subscription that asked for its type (`$5`, a LIKE pattern).
pub const QUEUE_EVENT: &str = "INSERT INTO webhook_outbox (event_id, subscription_id, event_type, \
     payload, created_at, next_attempt_at, attempts, state) \
     SELECT $1, id, $2, $3, $4, $4, 0, 'pending' FROM webhook_subscriptions \
     WHERE status = 'active' AND events LIKE $5";
/// The event for one subscription (`$5`), whatever its state: a test, or an alert whose rule
/// the writer had in memory (the rule is checked again here, against the stored row).
pub const QUEUE_EVENT_FOR: &str = "INSERT INTO webhook_outbox (event_id, subscription_id, \
     event_type, payload, created_at, next_attempt_at, attempts, state) \
     SELECT $1, id, $2, $3, $4, $4, 0, 'pending' FROM webhook_subscriptions WHERE id = $5";
pub const QUEUE_ALERT_FOR: &str = "INSERT INTO webhook_outbox (event_id, subscription_id, \
     event_type, payload, created_at, next_attempt_at, attempts, state) \
     SELECT $1, id, $2, $3, $4, $4, 0, 'pending' FROM webhook_subscriptions \
     WHERE id = $5 AND status = 'active'";
pub const SELECT_ATTEMPTS: &str = "SELECT id, event_id, event_type, attempt, at, status_code, \
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
pub const CLAIM_ONE_WRITER: &str = claim!("");
/// Claimers side by side skip each other's locked rows, and re-check the rows they lock
/// against the latest version, so a row another just claimed (now leased) is passed over.
pub const CLAIM_SKIP_LOCKED: &str = claim!(" FOR UPDATE OF o SKIP LOCKED");
pub const DELETE_OUTBOX_OF: &str = "DELETE FROM webhook_outbox WHERE subscription_id = $1";
pub const DELETE_ATTEMPTS_OF: &str = "DELETE FROM webhook_attempts WHERE subscription_id = $1";
pub const INSERT_ATTEMPT: &str = "INSERT INTO webhook_attempts (subscription_id, event_id, \
     event_type, attempt, at, status_code, latency_ms, error, result, next_attempt_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub const MARK_DELIVERED: &str = "UPDATE webhook_outbox SET state = 'delivered', attempts = $2, \
     delivered_at = $3 WHERE id = $1";
pub const MARK_RETRY: &str =
    "UPDATE webhook_outbox SET attempts = $2, next_attempt_at = $3 WHERE id = $1";
pub const MARK_FAILED: &str = "UPDATE webhook_outbox SET state = 'failed', attempts = $2 \
     WHERE id = $1";
pub const FAIL_WAITING: &str = "UPDATE webhook_outbox SET state = 'failed' \
     WHERE subscription_id = $1 AND state = 'pending'";
pub const CLEAR_FAILING: &str = "UPDATE webhook_subscriptions SET failing_since = NULL \
     WHERE id = $1 AND failing_since IS NOT NULL";
pub const MARK_FAILING: &str = "UPDATE webhook_subscriptions \
     SET failing_since = COALESCE(failing_since, $2) WHERE id = $1";
/// `$3`: the reason; `$4`: failing since before this, it is paused.
pub const PAUSE_FAILING: &str = "UPDATE webhook_subscriptions SET status = 'paused', \
     status_reason = $3, updated_at = $2 \
     WHERE id = $1 AND status = 'active' AND failing_since <= $4";
pub const END_SUBSCRIPTION: &str = "UPDATE webhook_subscriptions SET status = 'ended', \
     status_reason = $3, updated_at = $2 WHERE id = $1";
/// Whether anything is due (`$1`: now): asked on the readers' pool before a claim, so that
/// an idle worker never takes SQLite's one writer connection.
pub const ANY_DUE: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM webhook_outbox \
     WHERE state = 'pending' AND next_attempt_at <= $1 LIMIT 1) due";
pub const BACKLOG: &str =
    "SELECT COUNT(*), MIN(created_at) FROM webhook_outbox WHERE state = 'pending'";
