//! SQL both backends share; sqlx binds `$1` placeholders on SQLite as on PostgreSQL.

pub const VOTER_KEY_NAME: &str = "voter_key";

pub const KEEP_SECRET: &str =
    "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
pub const SELECT_SECRET: &str = "SELECT value FROM secrets WHERE name = $1";

pub const INSERT_VOTE: &str = "INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at, revision) \
     VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (article_id, voter_hash) DO NOTHING";

pub const UPDATE_VOTE: &str = "UPDATE votes SET stars = $3, updated_at = $4, revision = $5 WHERE article_id = $1 AND voter_hash = $2";

pub const DELETE_VOTE: &str =
    "DELETE FROM votes WHERE article_id = $1 AND voter_hash = $2 RETURNING stars";

pub const SELECT_VOTE: &str = "SELECT stars, created_at, updated_at, revision FROM votes WHERE article_id = $1 AND voter_hash = $2";

/// Relative updates, so that concurrent writers' changes add up rather than overwrite.
pub const APPLY_DELTA: &str = "UPDATE articles SET \
     vote_count = vote_count + $2, star_sum = star_sum + $3, \
     stars_1 = stars_1 + $4, stars_2 = stars_2 + $5, stars_3 = stars_3 + $6, \
     stars_4 = stars_4 + $7, stars_5 = stars_5 + $8 \
     WHERE article_id = $1 \
     RETURNING vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5";

pub const SELECT_RATING: &str = "SELECT vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5 \
     FROM articles WHERE article_id = $1";

pub const RECOUNT: &str = concat!(
    "SELECT ",
    tally_columns!(),
    " FROM votes WHERE article_id = $1"
);

pub const PING: &str = "SELECT 1";

pub const KEEP_NETWORK_KEY: &str =
    "INSERT INTO network_keys (day, key) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING";
pub const SELECT_NETWORK_KEY: &str = "SELECT key FROM network_keys WHERE day = $1";
pub const FORGET_NETWORK_KEYS: &str = "DELETE FROM network_keys WHERE day < $1";
pub const FORGET_NETWORK_VOTERS: &str = "DELETE FROM network_voters WHERE day < $1";

pub const ADD_NETWORK_VOTER: &str = "INSERT INTO network_voters (day, network, article_id, voter_hash) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (day, network, article_id, voter_hash) DO NOTHING";
/// The network's voters on the article today, and whether this voter is among them.
pub const COUNT_NETWORK_VOTERS: &str = "SELECT COUNT(*), \
     COALESCE(SUM(CASE WHEN voter_hash = $4 THEN 1 ELSE 0 END), 0) \
     FROM network_voters WHERE day = $1 AND network = $2 AND article_id = $3";

pub const ALL_RATINGS: &str = "SELECT article_id, vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5 \
     FROM articles";
pub const ALL_RECOUNTS: &str = concat!(
    "SELECT article_id, ",
    tally_columns!(),
    " FROM votes GROUP BY article_id"
);
