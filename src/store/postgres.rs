//! PostgreSQL: the production database, shared by any number of stateless instances.
//!
//! One pool serves reads and writes. Row locks keep concurrent writers (and instances)
//! correct, and every writer takes them in one order, so that they cannot deadlock.

use super::bulk::{SeedBatch, copy_batch};
use super::database::reusable;
use super::dialect::Dialect;
use super::sql::{add_delta_to_article, add_to_existing_day, rating_columns};
use super::{PoolSettings, StoreError};
use crate::domain::ArticleId;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::query::QueryAs;
use sqlx::{PgConnection, Pool, Postgres};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

impl Dialect for Postgres {
    const BACKEND: &'static str = "postgres";
    const SINGLE_WRITER: bool = false;
    const SEPARATE_READER: bool = false;
    const BEGIN_WRITE: &'static str = "BEGIN";
    /// The row lock makes a concurrent change or retraction by the same voter wait for this
    /// one, so the aggregate deltas are computed from the vote as it really was.
    const SELECT_VOTE_FOR_UPDATE: &'static str = "SELECT stars, revision, updated_at FROM votes \
         WHERE article_id = $1 AND voter_hash = $2 FOR UPDATE";
    const LOCK_ARTICLE_VOTES: &'static str = "SELECT 1 FROM votes WHERE article_id = $1 FOR UPDATE";
    const LOCK_ARTICLE: &'static str = concat!(
        "SELECT ",
        rating_columns!(),
        " FROM articles WHERE article_id = $1 FOR UPDATE"
    );
    /// In the array's (sorted) order. Only a writer holding an article's row lock (taken by
    /// its delta first) changes that article's days, so day rows add no lock order of their own.
    const APPLY_DAY_DELTAS: &'static str = concat!(
        "INSERT INTO article_days \
         (article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5) \
         SELECT e->>0, CAST(e->>1 AS BIGINT), CAST(e->>2 AS BIGINT), CAST(e->>3 AS BIGINT), \
         CAST(e->>4 AS BIGINT), CAST(e->>5 AS BIGINT), CAST(e->>6 AS BIGINT) \
         FROM json_array_elements(CAST($1 AS json)) AS e ",
        add_to_existing_day!()
    );
    const FLOAT: &'static str = "DOUBLE PRECISION";
    const BYTE_ORDER: &'static str = " COLLATE \"C\"";
    /// With more memory for sorts and hashes than a vote needs (4 MB by default): a month's
    /// roll-ups summed per article spilled to disk with less.
    const LIMIT_STATEMENT_TIME: Option<&'static str> = Some(
        "SELECT set_config('statement_timeout', $1, true), set_config('work_mem', '32MB', true)",
    );
    /// Rows are inserted in the array's order, which the caller sorts (the lock order).
    const ENSURE_ARTICLES: &'static str = "INSERT INTO articles (article_id, created_at) \
         SELECT value, CAST($2 AS BIGINT) FROM json_array_elements_text(CAST($1 AS json)) \
         ON CONFLICT (article_id) DO NOTHING";
    /// No one-statement form: the deltas go one article at a time in sorted order, which is
    /// the order concurrent writers (and instances) lock aggregate rows in.
    const APPLY_DELTAS: Option<&'static str> = None;
    /// The article's row is locked first, as in the two statements (the day's insert reads
    /// the update's row, so it cannot run before it).
    const APPLY_DELTA_WITH_DAY: Option<&'static str> = Some(concat!(
        "WITH updated AS (",
        add_delta_to_article!(),
        " RETURNING *), day AS (INSERT INTO article_days \
         (article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5) \
         SELECT article_id, $9, $10, $11, $12, $13, $14 FROM updated ",
        add_to_existing_day!(),
        ") SELECT ",
        rating_columns!(),
        " FROM updated"
    ));
    /// As SQLite's (`[article, voter hash in hex, stars, time, revision]`), but each row's
    /// insert takes its row lock, so the rows go in the lock order: by article and voter as
    /// bytes (Rust's order of the batch), then the batch's order, so that of one voter's two
    /// votes in a batch the first is the one inserted, as on SQLite.
    const INSERT_VOTES: Option<&'static str> = Some(
        "INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at, revision) \
         SELECT e->>0, decode(e->>1, 'hex'), CAST(e->>2 AS SMALLINT), CAST(e->>3 AS BIGINT), \
         CAST(e->>3 AS BIGINT), e->>4 \
         FROM json_array_elements(CAST($1 AS json)) WITH ORDINALITY AS v (e, n) \
         ORDER BY (e->>0) COLLATE \"C\", decode(e->>1, 'hex'), n \
         ON CONFLICT (article_id, voter_hash) DO NOTHING \
         RETURNING article_id, voter_hash",
    );
    /// One index look-up per group: written as `IN (SELECT ...)`, the planner hashed the
    /// groups and scanned the whole table (4.6 ms a batch with 20,000 voters counted), since
    /// it takes a JSON array for 100 rows. `OFFSET 0` keeps the subquery a nested loop.
    const NETWORK_VOTERS_OF: &'static str = "SELECT nv.day, nv.network, nv.article_id, \
         nv.voter_hash FROM json_array_elements(CAST($1 AS json)) AS e CROSS JOIN LATERAL \
         (SELECT day, network, article_id, voter_hash FROM network_voters \
         WHERE day = CAST(e->>0 AS BIGINT) AND network = decode(e->>1, 'hex') \
         AND article_id = e->>2 OFFSET 0) AS nv";
    const ADD_NETWORK_VOTERS: &'static str = "INSERT INTO network_voters (day, network, article_id, voter_hash) \
         SELECT CAST(e->>0 AS BIGINT), decode(e->>1, 'hex'), e->>2, decode(e->>3, 'hex') \
         FROM json_array_elements(CAST($1 AS json)) AS e \
         ON CONFLICT (day, network, article_id, voter_hash) DO NOTHING";
    const SELECT_RATINGS: &'static str = concat!(
        "SELECT article_id, ",
        rating_columns!(),
        " FROM articles WHERE article_id = ANY($1)"
    );
    /// A bulk load leaves the tables without statistics (bad plans) and without a visibility
    /// map (no index-only scans) until autovacuum comes by, which a running service's tables
    /// have long had.
    const AFTER_SEED: Option<&'static str> =
        Some("VACUUM (ANALYZE) articles, votes, article_days, feedback");

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }

    /// The same pool twice: PostgreSQL needs no separate reader.
    async fn connect(
        url: &str,
        pool: &PoolSettings,
    ) -> Result<(Pool<Self>, Pool<Self>), sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(pool.max_connections)
            .after_release(|conn, _| Box::pin(async move { Ok(reusable(conn)) }))
            .acquire_timeout(pool.acquire_timeout)
            .connect(url)
            .await?;
        Ok((pool.clone(), pool))
    }

    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }

    async fn write_seed_batch(
        conn: &mut PgConnection,
        batch: &SeedBatch,
    ) -> Result<(), StoreError> {
        copy_batch(conn, batch).await
    }

    /// As a text array, for `= ANY($1)`.
    fn bind_ids<'q, O>(
        query: QueryAs<'q, Self, O, Self::Arguments>,
        ids: &'q [ArticleId],
    ) -> Result<QueryAs<'q, Self, O, Self::Arguments>, StoreError> {
        let ids: Vec<&str> = ids.iter().map(ArticleId::as_str).collect();
        Ok(query.bind(ids))
    }
}
