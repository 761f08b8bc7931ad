-- Editors' side: article metadata, the revision a vote was cast on, reader feedback, API keys
-- and an audit log of resets.
ALTER TABLE articles ADD COLUMN title TEXT;
ALTER TABLE articles ADD COLUMN url TEXT;
ALTER TABLE articles ADD COLUMN section TEXT;
ALTER TABLE articles ADD COLUMN authors TEXT; -- a JSON array of names
ALTER TABLE articles ADD COLUMN published_at TEXT; -- RFC 3339, as the CMS gave it
CREATE INDEX articles_section ON articles (section);

ALTER TABLE votes ADD COLUMN revision TEXT;
CREATE INDEX votes_updated_at ON votes (updated_at);

CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles (article_id),
    voter_hash BLOB NOT NULL,
    stars      INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    revision   TEXT,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX feedback_article ON feedback (article_id, id);

-- Only a SHA-256 of each key is kept; `id` is the key's public prefix, for lookup.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'admin')),
    key_hash   BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    key_id     TEXT NOT NULL,
    action     TEXT NOT NULL,
    article_id TEXT NOT NULL,
    details    TEXT NOT NULL -- JSON
);
