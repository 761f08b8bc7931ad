-- Keys that tag a voter's network for one UTC day; deleted, with the day's tags, once the
-- next day starts, so no tag can be tied back to an address afterwards.
CREATE TABLE network_keys (
    day INTEGER PRIMARY KEY NOT NULL,
    key BLOB NOT NULL
);

-- Which voters each network added to each article today, to cap ballot stuffing.
CREATE TABLE network_voters (
    day        INTEGER NOT NULL,
    network    BLOB NOT NULL,
    article_id TEXT NOT NULL,
    voter_hash BLOB NOT NULL,
    PRIMARY KEY (day, network, article_id, voter_hash)
) WITHOUT ROWID;
