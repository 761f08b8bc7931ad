-- Keys that tag a voter's network for one UTC day; deleted, with the day's tags, once the
-- next day starts, so no tag can be tied back to an address afterwards.
CREATE TABLE network_keys (
    day BIGINT PRIMARY KEY,
    key BYTEA NOT NULL
);

-- Which voters each network added to each article today, to cap ballot stuffing.
CREATE TABLE network_voters (
    day        BIGINT NOT NULL,
    network    BYTEA NOT NULL,
    article_id TEXT NOT NULL,
    voter_hash BYTEA NOT NULL,
    PRIMARY KEY (day, network, article_id, voter_hash)
);
