-- Webhooks (issue 16): subscriptions, a transactional outbox of deliveries (one row per event
-- and subscription, written in the transaction that caused the event), and the attempts made.
CREATE TABLE webhook_subscriptions (
    id            TEXT PRIMARY KEY NOT NULL,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL, -- a JSON array of event types
    description   TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('standard', 'slack')),
    secret        TEXT NOT NULL, -- whsec_..., needed whole to sign (see README)
    alert         TEXT, -- JSON thresholds of article.rating_alert, or NULL
    status        TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
    status_reason TEXT,
    failing_since INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL, -- the event as JSON: type, timestamp, data
    created_at      INTEGER NOT NULL,
    -- Due time while pending; a worker that claims the row moves it past its lease, so an
    -- instance that dies mid-attempt leaves the row to be claimed again.
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    delivered_at    INTEGER
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (state, next_attempt_at);
CREATE INDEX webhook_outbox_subscription ON webhook_outbox (subscription_id, state);

CREATE TABLE webhook_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    status_code     INTEGER,
    latency_ms      INTEGER NOT NULL,
    error           TEXT,
    result          TEXT NOT NULL, -- delivered, retrying, failed, gone
    next_attempt_at INTEGER
);
CREATE INDEX webhook_attempts_subscription ON webhook_attempts (subscription_id, id);
