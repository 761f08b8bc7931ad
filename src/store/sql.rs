//! The SQL both backends share, by area; sqlx binds `$1` placeholders on SQLite as on
//! PostgreSQL. Where the dialects differ, the strings sit side by side in `sqlite.rs` and
//! `postgres.rs`.
//!
//! The column lists are macros rather than constants because `concat!` takes literals only:
//! they expand to a string literal and nothing else.

/// An article's aggregates and their version (bumped by every change to them, see
/// migration 0004), as stored in `articles` and read into `rows::RatingRow`.
macro_rules! rating_columns {
    () => {
        "vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5, version"
    };
}
pub(super) use rating_columns;

/// Adds an article's delta (`$2` count, `$3` star sum, `$4`..`$8` stars 1 to 5) to its
/// aggregates (`$1`), as `APPLY_DELTA` and PostgreSQL's `APPLY_DELTA_WITH_DAY` do.
macro_rules! add_delta_to_article {
    () => {
        "UPDATE articles SET \
         vote_count = vote_count + $2, star_sum = star_sum + $3, \
         stars_1 = stars_1 + $4, stars_2 = stars_2 + $5, stars_3 = stars_3 + $6, \
         stars_4 = stars_4 + $7, stars_5 = stars_5 + $8, version = version + 1 \
         WHERE article_id = $1"
    };
}
pub(super) use add_delta_to_article;

/// How an insert into the daily roll-ups adds to a day's row that exists already.
macro_rules! add_to_existing_day {
    () => {
        "ON CONFLICT (article_id, day) DO UPDATE SET \
         stars_1 = article_days.stars_1 + excluded.stars_1, \
         stars_2 = article_days.stars_2 + excluded.stars_2, \
         stars_3 = article_days.stars_3 + excluded.stars_3, \
         stars_4 = article_days.stars_4 + excluded.stars_4, \
         stars_5 = article_days.stars_5 + excluded.stars_5"
    };
}
pub(super) use add_to_existing_day;

/// Count, star sum and distribution of the votes in scope, named like `rating_columns!` (but
/// without a version, which only the kept aggregates have): reports and recounts share it.
macro_rules! tally_columns {
    () => {
        "COUNT(*) AS vote_count, COALESCE(SUM(stars), 0) AS star_sum, \
         COALESCE(SUM(CASE WHEN stars = 1 THEN 1 ELSE 0 END), 0) AS stars_1, \
         COALESCE(SUM(CASE WHEN stars = 2 THEN 1 ELSE 0 END), 0) AS stars_2, \
         COALESCE(SUM(CASE WHEN stars = 3 THEN 1 ELSE 0 END), 0) AS stars_3, \
         COALESCE(SUM(CASE WHEN stars = 4 THEN 1 ELSE 0 END), 0) AS stars_4, \
         COALESCE(SUM(CASE WHEN stars = 5 THEN 1 ELSE 0 END), 0) AS stars_5"
    };
}

// Secrets and network keys.

pub const VOTER_KEY_NAME: &str = "voter_key";
pub const KEEP_SECRET: &str =
    "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
pub const SELECT_SECRET: &str = "SELECT value FROM secrets WHERE name = $1";
pub const KEEP_NETWORK_KEY: &str =
    "INSERT INTO network_keys (day, key) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING";
pub const SELECT_NETWORK_KEY: &str = "SELECT key FROM network_keys WHERE day = $1";
pub const FORGET_NETWORK_KEYS: &str = "DELETE FROM network_keys WHERE day < $1";
pub const FORGET_NETWORK_VOTERS: &str = "DELETE FROM network_voters WHERE day < $1";
pub const PING: &str = "SELECT 1";

// Votes.

pub const INSERT_VOTE: &str = "INSERT INTO votes \
     (article_id, voter_hash, stars, created_at, updated_at, revision) \
     VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (article_id, voter_hash) DO NOTHING";
pub const UPDATE_VOTE: &str = "UPDATE votes SET stars = $3, updated_at = $4, revision = $5 \
     WHERE article_id = $1 AND voter_hash = $2";
pub const DELETE_VOTE: &str =
    "DELETE FROM votes WHERE article_id = $1 AND voter_hash = $2 RETURNING stars, updated_at";
pub const SELECT_VOTE: &str = "SELECT stars, created_at, updated_at, revision FROM votes \
     WHERE article_id = $1 AND voter_hash = $2";

// Ratings.

/// Relative updates, so that concurrent writers' changes add up rather than overwrite. The
/// version goes up under the row's lock, so versions order an article's changes as they
/// committed, whichever writer or instance made them.
pub const APPLY_DELTA: &str = concat!(add_delta_to_article!(), " RETURNING ", rating_columns!());
pub const SELECT_RATING: &str = concat!(
    "SELECT ",
    rating_columns!(),
    " FROM articles WHERE article_id = $1"
);
/// The votes' tally plus the imported votes whose star is unknown (migration 0008), which have
/// no vote rows: they are in `vote_count` and `star_sum` only.
pub const RECOUNT: &str = "SELECT \
     COUNT(*) + COALESCE((SELECT unknown_star_votes FROM articles WHERE article_id = $1), 0) \
     AS vote_count, COALESCE(SUM(stars), 0) \
     + COALESCE((SELECT unknown_star_sum FROM articles WHERE article_id = $1), 0) AS star_sum, \
     COALESCE(SUM(CASE WHEN stars = 1 THEN 1 ELSE 0 END), 0) AS stars_1, \
     COALESCE(SUM(CASE WHEN stars = 2 THEN 1 ELSE 0 END), 0) AS stars_2, \
     COALESCE(SUM(CASE WHEN stars = 3 THEN 1 ELSE 0 END), 0) AS stars_3, \
     COALESCE(SUM(CASE WHEN stars = 4 THEN 1 ELSE 0 END), 0) AS stars_4, \
     COALESCE(SUM(CASE WHEN stars = 5 THEN 1 ELSE 0 END), 0) AS stars_5 \
     FROM votes WHERE article_id = $1";
/// The ratings of the articles with the latest votes since `$1`: at most `$2` articles, found
/// among the latest `$3` votes. The `votes_updated_at` index yields votes newest first, so the
/// scan stops after `$3` index entries however many votes the window holds.
pub const RECENT_RATINGS: &str = concat!(
    "SELECT a.article_id, ",
    rating_columns!(),
    " FROM articles a JOIN (SELECT article_id, MAX(updated_at) AS last_vote FROM \
     (SELECT article_id, updated_at FROM votes WHERE updated_at >= $1 \
     ORDER BY updated_at DESC LIMIT $3) latest \
     GROUP BY article_id ORDER BY last_vote DESC LIMIT $2) recent \
     ON recent.article_id = a.article_id"
);
pub const ALL_RATINGS: &str = concat!("SELECT article_id, ", rating_columns!(), " FROM articles");
/// What `plaudit seed` finds before it starts: articles and votes.
pub const SEED_STATE: &str = "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM votes)";
/// Every article's votes counted again, plus its unknown-star votes (as in `RECOUNT`).
pub const ALL_RECOUNTS: &str = concat!(
    "SELECT a.article_id, COALESCE(v.vote_count, 0) + a.unknown_star_votes AS vote_count, \
     COALESCE(v.star_sum, 0) + a.unknown_star_sum AS star_sum, \
     COALESCE(v.stars_1, 0) AS stars_1, COALESCE(v.stars_2, 0) AS stars_2, \
     COALESCE(v.stars_3, 0) AS stars_3, COALESCE(v.stars_4, 0) AS stars_4, \
     COALESCE(v.stars_5, 0) AS stars_5 FROM articles a LEFT JOIN (SELECT article_id, ",
    tally_columns!(),
    " FROM votes GROUP BY article_id) v ON v.article_id = a.article_id"
);
/// One day's change to an article's roll-up (`$1` article, `$2` day, `$3`..`$7` per star).
pub const APPLY_DAY_DELTA: &str = concat!(
    "INSERT INTO article_days (article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ",
    add_to_existing_day!()
);
/// The daily roll-ups, and the same counted again from the votes, for `plaudit verify`.
pub const ALL_DAYS: &str =
    "SELECT article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5 FROM article_days";
pub const ALL_DAY_RECOUNTS: &str = "SELECT article_id, updated_at / 86400000 AS day, \
     SUM(CASE WHEN stars = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 2 THEN 1 ELSE 0 END), \
     SUM(CASE WHEN stars = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN stars = 4 THEN 1 ELSE 0 END), \
     SUM(CASE WHEN stars = 5 THEN 1 ELSE 0 END) FROM votes GROUP BY article_id, day";

// Editors: keys, metadata, feedback, resets and their audit log.

pub const INSERT_KEY: &str =
    "INSERT INTO api_keys (id, name, scope, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)";
pub const SELECT_KEY: &str =
    "SELECT id, name, scope, key_hash, created_at, revoked_at FROM api_keys WHERE id = $1";
pub const LIST_KEYS: &str = "SELECT id, name, scope, key_hash, created_at, revoked_at \
     FROM api_keys ORDER BY created_at, id";
pub const REVOKE_KEY: &str =
    "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
pub const UPSERT_METADATA: &str = "INSERT INTO articles \
     (article_id, created_at, title, url, section, authors, published_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (article_id) DO UPDATE SET \
     title = excluded.title, url = excluded.url, section = excluded.section, \
     authors = excluded.authors, published_at = excluded.published_at";
pub const SELECT_ARTICLE: &str = concat!(
    "SELECT title, url, section, authors, published_at, ",
    rating_columns!(),
    " FROM articles WHERE article_id = $1"
);
/// Feedback is accepted only from a reader with a vote on the article, and carries that vote.
pub const INSERT_FEEDBACK: &str = "INSERT INTO feedback \
     (article_id, voter_hash, stars, revision, text, created_at) \
     SELECT article_id, voter_hash, stars, revision, $3, $4 FROM votes \
     WHERE article_id = $1 AND voter_hash = $2 \
     RETURNING id, article_id, stars, revision, text, created_at, status";
pub const SELECT_FEEDBACK: &str = "SELECT f.id, f.article_id, f.stars, f.revision, f.text, \
     f.created_at, f.status FROM feedback f JOIN articles a ON a.article_id = f.article_id \
     WHERE ($1 IS NULL OR f.article_id = $1) AND ($2 IS NULL OR a.section = $2) \
     AND f.created_at >= $3 AND f.created_at < $4 AND f.id < $5 \
     AND ($7 IS NULL OR f.status = $7) AND ($8 IS NULL OR f.stars = $8) \
     ORDER BY f.id DESC LIMIT $6";
pub const DELETE_ARTICLE_FEEDBACK: &str = "DELETE FROM feedback WHERE article_id = $1";
pub const DELETE_ARTICLE_VOTES: &str = "DELETE FROM votes WHERE article_id = $1";
pub const DELETE_ARTICLE_DAYS: &str = "DELETE FROM article_days WHERE article_id = $1";
pub const DELETE_ARTICLE_NETWORK_VOTERS: &str = "DELETE FROM network_voters WHERE article_id = $1";
/// A reset is a change like any: the version goes on counting (see `APPLY_DELTA`).
/// Imported votes whose star is unknown go too; the import's record stays, so that importing
/// again does not bring them back (see `database/importing.rs`).
pub const ZERO_ARTICLE: &str = "UPDATE articles SET vote_count = 0, star_sum = 0, \
     stars_1 = 0, stars_2 = 0, stars_3 = 0, stars_4 = 0, stars_5 = 0, \
     unknown_star_votes = 0, unknown_star_sum = 0, version = version + 1 \
     WHERE article_id = $1";
pub const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (at, key_id, action, article_id, details) VALUES ($1, $2, $3, $4, $5)";
pub const SELECT_AUDIT: &str = "SELECT id, at, key_id, action, article_id, details \
     FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2";

// Reports (the rankings, totals and sections are put together in `report_sql.rs`).

/// One article's votes per UTC day (`$2`): the roll-ups of whole days (`$3`..`$4`) and the
/// votes of the part-days at the window's edges (`$5`..`$8`); parameters as in `report_sql.rs`.
pub const DAILY_FIGURES: &str = "SELECT day, CAST(SUM(c) AS BIGINT) AS vote_count, \
     CAST(SUM(s) AS BIGINT) AS star_sum FROM (\
     SELECT day, stars_1 + stars_2 + stars_3 + stars_4 + stars_5 AS c, \
     stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5 AS s FROM article_days \
     WHERE article_id = $2 AND day >= $3 AND day < $4 \
     UNION ALL SELECT updated_at / 86400000, 1, stars FROM votes \
     WHERE article_id = $2 AND updated_at >= $5 AND updated_at < $6 \
     UNION ALL SELECT updated_at / 86400000, 1, stars FROM votes \
     WHERE article_id = $2 AND updated_at >= $7 AND updated_at < $8) days \
     GROUP BY day HAVING SUM(c) > 0 ORDER BY day";
/// The first day with votes: how much of the archive lies before a window.
pub const OLDEST_DAY: &str = "SELECT MIN(day) FROM article_days";
/// An article's votes by the revision they were cast on, in the window; one article's votes
/// are few enough to count each time.
pub const REVISION_FIGURES: &str = concat!(
    "SELECT revision, MIN(updated_at) AS first_vote_at, ",
    tally_columns!(),
    " FROM votes WHERE article_id = $1 AND updated_at >= $2 AND updated_at < $3 \
     GROUP BY revision ORDER BY first_vote_at"
);

// Imports from WordPress (`database/importing.rs`).

pub const SELECT_IMPORT_RECORDS: &str = "SELECT article_id, plugin, post_id, known_votes, \
     known_star_sum, last_row_id, unknown_star_votes, unknown_star_sum, feedback_last \
     FROM wordpress_imports WHERE plugin = $1";
/// The article, made if missing, with its unknown-star votes and their sum; metadata filled
/// only where Plaudit has none (a CMS that set it knows better than the old plugin's site).
pub const ENSURE_IMPORTED_ARTICLE: &str = "INSERT INTO articles \
     (article_id, created_at, title, url, published_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (article_id) DO UPDATE SET \
     title = COALESCE(articles.title, excluded.title), \
     url = COALESCE(articles.url, excluded.url), \
     published_at = COALESCE(articles.published_at, excluded.published_at) \
     RETURNING unknown_star_votes, unknown_star_sum";
/// `$2`, `$3`: all votes and stars added (known and unknown); `$4`..`$8` the known ones per
/// star; `$9`, `$10` the unknown ones.
pub const APPLY_IMPORT: &str = "UPDATE articles SET \
     vote_count = vote_count + $2, star_sum = star_sum + $3, \
     stars_1 = stars_1 + $4, stars_2 = stars_2 + $5, stars_3 = stars_3 + $6, \
     stars_4 = stars_4 + $7, stars_5 = stars_5 + $8, \
     unknown_star_votes = unknown_star_votes + $9, unknown_star_sum = unknown_star_sum + $10, \
     version = version + 1 WHERE article_id = $1";
pub const INSERT_IMPORTED_FEEDBACK: &str = "INSERT INTO feedback \
     (article_id, voter_hash, stars, text, created_at) VALUES ($1, $2, $3, $4, $5)";
/// Followed by the rows' `VALUES`, then `UPSERT_IMPORT_RECORDS_END`.
pub const UPSERT_IMPORT_RECORDS: &str = "INSERT INTO wordpress_imports \
     (article_id, plugin, post_id, known_votes, known_star_sum, last_row_id, \
     unknown_star_votes, unknown_star_sum, feedback_last, imported_at) ";
pub const UPSERT_IMPORT_RECORDS_END: &str = " ON CONFLICT (article_id) DO UPDATE SET \
     plugin = excluded.plugin, post_id = excluded.post_id, known_votes = excluded.known_votes, \
     known_star_sum = excluded.known_star_sum, last_row_id = excluded.last_row_id, \
     unknown_star_votes = excluded.unknown_star_votes, \
     unknown_star_sum = excluded.unknown_star_sum, feedback_last = excluded.feedback_last, \
     imported_at = excluded.imported_at";
