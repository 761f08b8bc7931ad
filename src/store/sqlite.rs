//! SQLite: the embedded default, one file with no set-up.
//!
//! Writes go through a pool of one connection, so they queue in the service instead of
//! failing with "database is locked"; `BEGIN IMMEDIATE` and a busy timeout cover another
//! process on the same file (`plaudit migrate`). Reads use their own pool, which WAL allows
//! to run beside the writer.

use super::PoolSettings;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A deferred transaction that later writes fails at once with SQLITE_BUSY, ignoring the
/// busy timeout; an immediate one waits for the lock.
/// Reads have a pool of their own beside the single writer.
const SEPARATE_READER: bool = true;
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
/// The single writer connection already serialises writes, so a plain read suffices.
const SELECT_VOTE_FOR_UPDATE: &str =
    "SELECT stars, revision FROM votes WHERE article_id = $1 AND voter_hash = $2";
/// A reset takes the article's votes, then the article itself.
const LOCK_ARTICLE_VOTES: &str = "SELECT 1 FROM votes WHERE article_id = $1";
const LOCK_ARTICLE: &str = "SELECT vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5 FROM articles WHERE article_id = $1";
/// A batch's articles, given as a JSON array, each made unless it exists, in one statement.
/// (`WHERE true` tells SQLite's parser that `ON CONFLICT` belongs to the insert.)
const ENSURE_ARTICLES: &str = "INSERT INTO articles (article_id, created_at) \
     SELECT value, CAST($2 AS INTEGER) FROM json_each($1) WHERE true \
     ON CONFLICT (article_id) DO NOTHING";
/// A batch's aggregate deltas, as a JSON array of `[article, count, star_sum, n1, ..., n5]`,
/// applied in one statement: with its one writer connection SQLite has no lock order to keep,
/// and each statement costs a round trip to the connection's thread.
const APPLY_DELTAS: Option<&str> = Some(
    "UPDATE articles SET \
     vote_count = vote_count + d.c, star_sum = star_sum + d.s, \
     stars_1 = stars_1 + d.s1, stars_2 = stars_2 + d.s2, stars_3 = stars_3 + d.s3, \
     stars_4 = stars_4 + d.s4, stars_5 = stars_5 + d.s5 \
     FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS c, \
     json_extract(value, '$[2]') AS s, json_extract(value, '$[3]') AS s1, \
     json_extract(value, '$[4]') AS s2, json_extract(value, '$[5]') AS s3, \
     json_extract(value, '$[6]') AS s4, json_extract(value, '$[7]') AS s5 \
     FROM json_each($1)) AS d \
     WHERE articles.article_id = d.id \
     RETURNING article_id, vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5",
);
/// A batch's votes, as a JSON array of `[article, voter hash in hex, stars, time, revision]`,
/// each inserted unless its voter has voted on the article before; returns those it stored.
const INSERT_VOTES: Option<&str> = Some(
    "INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at, revision) \
     SELECT json_extract(value, '$[0]'), unhex(json_extract(value, '$[1]')), \
     json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[3]'), \
     json_extract(value, '$[4]') \
     FROM json_each($1) WHERE true \
     ON CONFLICT (article_id, voter_hash) DO NOTHING \
     RETURNING article_id, voter_hash",
);
const SELECT_RATINGS: &str = "SELECT article_id, vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5 \
     FROM articles WHERE article_id IN (SELECT value FROM json_each($1))";

#[derive(Clone, Debug)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str, pool: &PoolSettings) -> Result<Self, sqlx::Error> {
        let options = connect_options(url)?;
        // The writer goes first: it creates the file and switches it to WAL.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .after_release(|conn, _| Box::pin(async move { Ok(super::reusable(conn)) }))
            .acquire_timeout(pool.acquire_timeout)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(pool.max_connections)
            .acquire_timeout(pool.acquire_timeout)
            .connect_with(options)
            .await?;
        Ok(Self { writer, reader })
    }

    async fn select_ratings(
        reader: &SqlitePool,
        articles: &[crate::domain::ArticleId],
    ) -> Result<Vec<super::backend::ArticleRatingRow>, sqlx::Error> {
        let ids: Vec<&str> = articles.iter().map(|a| a.as_str()).collect();
        let ids = super::backend::json_param(&ids)?;
        sqlx::query_as::<Sqlite, super::backend::ArticleRatingRow>(SELECT_RATINGS)
            .bind(ids)
            .fetch_all(reader)
            .await
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

editorial_store_impl!(SqliteStore, Sqlite);
reports_store_impl!(SqliteStore, Sqlite);
shared_store_impl!(SqliteStore, Sqlite);
vote_writes_impl!(SqliteStore, Sqlite);
