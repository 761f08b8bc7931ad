-- The dashboard: editors' sign-in sessions and the triage status of reader feedback.

-- A session is a random token in an HttpOnly cookie; only its SHA-256 is kept, so a copy of
-- the database signs nobody in. Each request joins the key, so revoking the key ends its
-- sessions at once, and signing out deletes the row.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY NOT NULL,
    key_id     TEXT NOT NULL REFERENCES api_keys (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

ALTER TABLE feedback ADD COLUMN status TEXT NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'read', 'resolved', 'spam'));
-- The retention sweep deletes by age.
CREATE INDEX feedback_created_at ON feedback (created_at);
