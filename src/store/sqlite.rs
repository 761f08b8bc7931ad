//! SQLite: the embedded default, one file with no set-up.
//!
//! Writes go through a pool of one connection, so they queue in the service instead of
//! failing with "database is locked"; `BEGIN IMMEDIATE` and a busy timeout cover another
//! process on the same file (`plaudit migrate`). Reads use their own pool, which WAL allows
//! to run beside the writer.

use super::bulk::{SeedBatch, insert_batch};
use super::database::reusable;
use super::dialect::Dialect;
use super::sql::{add_to_existing_day, rating_columns};
use super::{PoolSettings, StoreError};
use crate::domain::ArticleId;
use sqlx::migrate::Migrator;
use sqlx::query::QueryAs;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite, SqliteConnection};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

impl Dialect for Sqlite {
    const BACKEND: &'static str = "sqlite";
    /// The writer pool (`connect`) has one connection.
    const SINGLE_WRITER: bool = true;
    const SEPARATE_READER: bool = true;
    /// A deferred transaction that later writes fails at once with SQLITE_BUSY, ignoring the
    /// busy timeout; an immediate one waits for the lock.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    /// The single writer connection already serialises writes, so a plain read suffices.
    const SELECT_VOTE_FOR_UPDATE: &'static str =
        "SELECT stars, revision, updated_at FROM votes WHERE article_id = $1 AND voter_hash = $2";
    const LOCK_ARTICLE_VOTES: &'static str = "SELECT 1 FROM votes WHERE article_id = $1";
    const LOCK_ARTICLE: &'static str = concat!(
        "SELECT ",
        rating_columns!(),
        " FROM articles WHERE article_id = $1"
    );
    const APPLY_DAY_DELTAS: &'static str = concat!(
        "INSERT INTO article_days \
         (article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5) \
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), \
         json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), \
         json_extract(value, '$[5]'), json_extract(value, '$[6]') FROM json_each($1) WHERE true ",
        add_to_existing_day!()
    );
    const FLOAT: &'static str = "REAL";
    /// SQLite compares text with memcmp unless told otherwise.
    const BYTE_ORDER: &'static str = "";
    /// None: a statement cannot be cancelled from outside here; the caller's timeout answers.
    const LIMIT_STATEMENT_TIME: Option<&'static str> = None;
    /// (`WHERE true` tells SQLite's parser that `ON CONFLICT` belongs to the insert.)
    const ENSURE_ARTICLES: &'static str = "INSERT INTO articles (article_id, created_at) \
         SELECT value, CAST($2 AS INTEGER) FROM json_each($1) WHERE true \
         ON CONFLICT (article_id) DO NOTHING";
    /// The deltas as a JSON array of `[article, count, star_sum, n1, ..., n5]`, in one
    /// statement: with its one writer connection SQLite has no lock order to keep, and each
    /// statement costs a round trip to the connection's thread.
    const APPLY_DELTAS: Option<&'static str> = Some(concat!(
        "UPDATE articles SET \
         vote_count = vote_count + d.c, star_sum = star_sum + d.s, \
         stars_1 = stars_1 + d.s1, stars_2 = stars_2 + d.s2, stars_3 = stars_3 + d.s3, \
         stars_4 = stars_4 + d.s4, stars_5 = stars_5 + d.s5, version = version + 1 \
         FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS c, \
         json_extract(value, '$[2]') AS s, json_extract(value, '$[3]') AS s1, \
         json_extract(value, '$[4]') AS s2, json_extract(value, '$[5]') AS s3, \
         json_extract(value, '$[6]') AS s4, json_extract(value, '$[7]') AS s5 \
         FROM json_each($1)) AS d \
         WHERE articles.article_id = d.id \
         RETURNING article_id, ",
        rating_columns!()
    ));
    /// In process, a statement costs no round trip: the two statements stay.
    const APPLY_DELTA_WITH_DAY: Option<&'static str> = None;
    /// The votes as a JSON array of `[article, voter hash in hex, stars, time, revision]`,
    /// each inserted unless its voter has voted on the article before; returns those stored.
    const INSERT_VOTES: Option<&'static str> = Some(
        "INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at, revision) \
         SELECT json_extract(value, '$[0]'), unhex(json_extract(value, '$[1]')), \
         json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[3]'), \
         json_extract(value, '$[4]') \
         FROM json_each($1) WHERE true \
         ON CONFLICT (article_id, voter_hash) DO NOTHING \
         RETURNING article_id, voter_hash",
    );
    /// `CROSS JOIN` fixes the order, the groups outside: one primary-key look-up each (as
    /// `IN (SELECT ...)`, SQLite searched by day alone and filtered the day's every voter).
    const NETWORK_VOTERS_OF: &'static str = "SELECT nv.day, nv.network, nv.article_id, \
         nv.voter_hash FROM json_each($1) AS g CROSS JOIN network_voters AS nv \
         ON nv.day = json_extract(g.value, '$[0]') \
         AND nv.network = unhex(json_extract(g.value, '$[1]')) \
         AND nv.article_id = json_extract(g.value, '$[2]')";
    /// `WHERE true` tells SQLite's parser that `ON CONFLICT` is the upsert, not a join's.
    const ADD_NETWORK_VOTERS: &'static str = "INSERT INTO network_voters (day, network, article_id, voter_hash) \
         SELECT json_extract(value, '$[0]'), unhex(json_extract(value, '$[1]')), \
         json_extract(value, '$[2]'), unhex(json_extract(value, '$[3]')) \
         FROM json_each($1) WHERE true \
         ON CONFLICT (day, network, article_id, voter_hash) DO NOTHING";
    const SELECT_RATINGS: &'static str = concat!(
        "SELECT article_id, ",
        rating_columns!(),
        " FROM articles WHERE article_id IN (SELECT value FROM json_each($1))"
    );
    /// Nothing: the service never runs ANALYZE on SQLite, so a seeded file is planned as a
    /// real one is.
    const AFTER_SEED: Option<&'static str> = None;

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }

    async fn connect(
        url: &str,
        pool: &PoolSettings,
    ) -> Result<(Pool<Self>, Pool<Self>), sqlx::Error> {
        let options = connect_options(url)?;
        // The writer goes first: it creates the file and switches it to WAL.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .after_release(|conn, _| Box::pin(async move { Ok(reusable(conn)) }))
            .acquire_timeout(pool.acquire_timeout)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(pool.max_connections)
            .acquire_timeout(pool.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok((writer, reader))
    }

    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }

    async fn write_seed_batch(
        conn: &mut SqliteConnection,
        batch: &SeedBatch,
    ) -> Result<(), StoreError> {
        insert_batch(conn, batch).await
    }

    /// As one JSON text parameter, read by `json_each`.
    fn bind_ids<'q, O>(
        query: QueryAs<'q, Self, O, Self::Arguments>,
        ids: &'q [ArticleId],
    ) -> Result<QueryAs<'q, Self, O, Self::Arguments>, StoreError> {
        let ids: Vec<&str> = ids.iter().map(ArticleId::as_str).collect();
        Ok(query.bind(serde_json::to_string(&ids)?))
    }
}

/// Accepts `sqlite:` URLs as well as plain file paths such as `plaudit.db`.
fn connect_options(url: &str) -> Result<SqliteConnectOptions, sqlx::Error> {
    let options = if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url)?
    } else {
        SqliteConnectOptions::new().filename(url)
    };
    Ok(options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL syncs the WAL at every commit: an acknowledged vote survives power loss too.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true))
}
