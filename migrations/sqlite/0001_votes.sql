-- One row per article, holding its exact aggregates so that a rating is one primary-key read.
-- They are changed in the same transaction as the votes they summarise.
CREATE TABLE articles (
    article_id TEXT PRIMARY KEY NOT NULL,
    vote_count INTEGER NOT NULL DEFAULT 0 CHECK (vote_count >= 0),
    star_sum   INTEGER NOT NULL DEFAULT 0 CHECK (star_sum >= 0),
    stars_1    INTEGER NOT NULL DEFAULT 0 CHECK (stars_1 >= 0),
    stars_2    INTEGER NOT NULL DEFAULT 0 CHECK (stars_2 >= 0),
    stars_3    INTEGER NOT NULL DEFAULT 0 CHECK (stars_3 >= 0),
    stars_4    INTEGER NOT NULL DEFAULT 0 CHECK (stars_4 >= 0),
    stars_5    INTEGER NOT NULL DEFAULT 0 CHECK (stars_5 >= 0),
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- A voter is kept only as an HMAC of the id the widget sent; times are Unix milliseconds,
-- the same on both backends.
CREATE TABLE votes (
    article_id TEXT NOT NULL REFERENCES articles (article_id),
    voter_hash BLOB NOT NULL,
    stars      INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, voter_hash)
) WITHOUT ROWID;

-- Server-generated secrets, such as the key that hashes voter ids.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) WITHOUT ROWID;
