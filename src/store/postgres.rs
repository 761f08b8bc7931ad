//! PostgreSQL: the production database, shared by any number of stateless instances.

use super::PoolSettings;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const SEPARATE_READER: bool = false;
const BEGIN_WRITE: &str = "BEGIN";
/// The row lock makes a concurrent change or retraction by the same voter wait for this one,
/// so the aggregate deltas are computed from the vote as it really was.
const SELECT_VOTE_FOR_UPDATE: &str =
    "SELECT stars, revision FROM votes WHERE article_id = $1 AND voter_hash = $2 FOR UPDATE";
/// A reset takes the article's votes, then the article itself.
const LOCK_ARTICLE_VOTES: &str = "SELECT 1 FROM votes WHERE article_id = $1 FOR UPDATE";
const LOCK_ARTICLE: &str = "SELECT vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5 FROM articles WHERE article_id = $1 FOR UPDATE";
/// A batch's articles, given as a JSON array, each made unless it exists, in one statement;
/// rows are inserted in the array's order, which the caller sorts (the lock order).
const ENSURE_ARTICLES: &str = "INSERT INTO articles (article_id, created_at) \
     SELECT value, CAST($2 AS BIGINT) FROM json_array_elements_text(CAST($1 AS json)) \
     ON CONFLICT (article_id) DO NOTHING";
/// No one-statement form: the deltas go one article at a time in sorted order, which is the
/// order concurrent writers (and instances) lock aggregate rows in, so they cannot deadlock.
const APPLY_DELTAS: Option<&str> = None;
/// No one-statement insert of a batch's votes: each vote's insert takes its row lock in the
/// batch's sorted order, as the lock order requires.
const INSERT_VOTES: Option<&str> = None;
const SELECT_RATINGS: &str = "SELECT article_id, vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5 \
     FROM articles WHERE article_id = ANY($1)";

#[derive(Clone, Debug)]
pub struct PostgresStore {
    writer: PgPool,
    /// The same pool as `writer`: PostgreSQL needs no separate reader.
    reader: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str, pool: &PoolSettings) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(pool.max_connections)
            .after_release(|conn, _| Box::pin(async move { Ok(super::reusable(conn)) }))
            .acquire_timeout(pool.acquire_timeout)
            .connect(url)
            .await?;
        Ok(Self {
            writer: pool.clone(),
            reader: pool,
        })
    }

    async fn select_ratings(
        reader: &PgPool,
        articles: &[crate::domain::ArticleId],
    ) -> Result<Vec<super::backend::ArticleRatingRow>, sqlx::Error> {
        let ids: Vec<&str> = articles.iter().map(|a| a.as_str()).collect();
        sqlx::query_as::<Postgres, super::backend::ArticleRatingRow>(SELECT_RATINGS)
            .bind(ids)
            .fetch_all(reader)
            .await
    }
}

editorial_store_impl!(PostgresStore, Postgres);
reports_store_impl!(PostgresStore, Postgres);
shared_store_impl!(PostgresStore, Postgres);
vote_writes_impl!(PostgresStore, Postgres);
