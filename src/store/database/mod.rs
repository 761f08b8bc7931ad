//! The store's SQL, run the same way on both databases: one struct, `Database<DB>`, generic
//! over the `Dialect` (`dialect.rs`), and one trait per area (`votes.rs`, `ratings.rs`,
//! `editorial.rs`, `reports.rs`, `seeding.rs`, and `Housekeeping` here) that it implements.
//!
//! `Store` holds the database as `Arc<dyn Backend>`, chosen once at start from the URL. Each
//! call is a virtual call and a boxed future, nothing next to the database round trip it
//! waits for; the vote path makes one per batch, and cached ratings none.

mod aggregates;
mod audit;
mod dashboard;
mod day_rollups;
mod editorial;
mod importing;
mod known_articles;
mod network_cap;
mod rating_alerts;
mod ratings;
pub mod replica;
mod report_reads;
mod reports;
mod rows;
mod seeding;
mod vote_batch;
mod votes;
mod webhook_attempts;
mod webhook_sql;
mod webhooks;

pub use dashboard::Dashboard;
pub use editorial::Editorial;
pub use importing::Importing;
pub use ratings::RatingReads;
pub use reports::Reports;
pub use seeding::Seeding;
pub use votes::{AppliedBatch, VoteWrites};
pub use webhooks::Webhooks;

use super::dialect::Dialect;
use super::{PoolSettings, PoolStats, StoreError, sql};
use futures_util::future::BoxFuture;
use sqlx::{Encode, Executor, Pool, Postgres, Sqlite, Type};
use std::sync::Arc;

/// What every backend operation returns.
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// Everything the store asks of a database.
pub trait Backend:
    Housekeeping
    + VoteWrites
    + RatingReads
    + Editorial
    + Dashboard
    + Reports
    + Seeding
    + Importing
    + Webhooks
    + Send
    + Sync
    + std::fmt::Debug
{
}

impl<T> Backend for T where
    T: Housekeeping
        + VoteWrites
        + RatingReads
        + Editorial
        + Dashboard
        + Reports
        + Seeding
        + Importing
        + Webhooks
        + Send
        + Sync
        + std::fmt::Debug
{
}

/// `postgres://` or `postgresql://` URLs select PostgreSQL; anything else is a SQLite file
/// path or `sqlite:` URL.
pub async fn connect(url: &str, pool: &PoolSettings) -> Result<Arc<dyn Backend>, StoreError> {
    let backend: Arc<dyn Backend> =
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Arc::new(Database::<Postgres>::connect(url, pool).await?)
        } else {
            Arc::new(Database::<Sqlite>::connect(url, pool).await?)
        };
    Ok(backend)
}

/// One database's pools: writes go through `writer`, reads through `reader`.
#[derive(Debug)]
pub struct Database<DB: sqlx::Database> {
    writer: Pool<DB>,
    reader: Pool<DB>,
    /// Longest a report query may run (see `reports.rs`).
    report_timeout: std::time::Duration,
    /// The rating-alert subscriptions each vote batch checks (see `rating_alerts.rs`).
    alerts: crate::store::webhooks::AlertRules,
    /// Articles whose rows exist, which vote batches need not create (see `known_articles.rs`).
    known: known_articles::KnownArticles,
}

impl<DB: Dialect> Database<DB> {
    async fn connect(url: &str, pool: &PoolSettings) -> Result<Self, sqlx::Error> {
        let (writer, reader) = DB::connect(url, pool).await?;
        Ok(Self {
            writer,
            reader,
            report_timeout: pool.report_timeout,
            alerts: Default::default(),
            known: Default::default(),
        })
    }
}

/// Whether a connection handed back to its pool may serve again. One whose commit failed (a
/// full disk, a lost server) can be left inside its transaction, where every later `BEGIN`
/// would fail: it is closed, and the pool opens a fresh one.
pub fn reusable(conn: &mut impl sqlx::Connection) -> bool {
    !conn.is_in_transaction()
}

/// Set-up, secrets and the state of the connections.
pub trait Housekeeping {
    /// "sqlite" or "postgres".
    fn backend_name(&self) -> &'static str;
    /// Whether writes go through one connection, so that more than one vote writer would
    /// only wait for it.
    fn single_writer(&self) -> bool;
    fn migrate(&self) -> StoreFuture<'_, ()>;
    /// Stores `fresh` under `name` unless a value is there already; returns the kept one.
    fn keep_secret<'a>(&'a self, name: &'a str, fresh: &'a [u8]) -> StoreFuture<'a, Vec<u8>>;
    /// The key for `day` (`fresh` unless another instance stored one first); keys and
    /// network tags of earlier days are deleted on the way.
    fn network_key<'a>(&'a self, day: i64, fresh: &'a [u8]) -> StoreFuture<'a, Vec<u8>>;
    fn ping(&self) -> StoreFuture<'_, ()>;
    /// Per pool ("writer", "reader"; one "pool" where reads share the writer's).
    fn pool_stats(&self) -> Vec<(&'static str, PoolStats)>;
    fn close(&self) -> BoxFuture<'_, ()>;
}

impl<DB: Dialect> Housekeeping for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> (Vec<u8>,): sqlx::FromRow<'r, DB::Row>,
{
    fn backend_name(&self) -> &'static str {
        DB::BACKEND
    }

    fn single_writer(&self) -> bool {
        DB::SINGLE_WRITER
    }

    fn migrate(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move { Ok(DB::migrator().run(&self.writer).await?) })
    }

    fn keep_secret<'a>(&'a self, name: &'a str, fresh: &'a [u8]) -> StoreFuture<'a, Vec<u8>> {
        Box::pin(async move {
            sqlx::query::<DB>(sql::KEEP_SECRET)
                .bind(name)
                .bind(fresh)
                .execute(&self.writer)
                .await?;
            Ok(sqlx::query_scalar::<DB, Vec<u8>>(sql::SELECT_SECRET)
                .bind(name)
                .fetch_one(&self.writer)
                .await?)
        })
    }

    fn network_key<'a>(&'a self, day: i64, fresh: &'a [u8]) -> StoreFuture<'a, Vec<u8>> {
        Box::pin(async move {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            for forget in [sql::FORGET_NETWORK_KEYS, sql::FORGET_NETWORK_VOTERS] {
                sqlx::query::<DB>(forget)
                    .bind(day)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query::<DB>(sql::KEEP_NETWORK_KEY)
                .bind(day)
                .bind(fresh)
                .execute(&mut *tx)
                .await?;
            let key = sqlx::query_scalar::<DB, Vec<u8>>(sql::SELECT_NETWORK_KEY)
                .bind(day)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(key)
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            sqlx::query::<DB>(sql::PING).execute(&self.reader).await?;
            Ok(())
        })
    }

    fn pool_stats(&self) -> Vec<(&'static str, PoolStats)> {
        let stats = |pool: &Pool<DB>| {
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            PoolStats {
                in_use: pool.size().saturating_sub(idle),
                idle,
            }
        };
        if DB::SEPARATE_READER {
            vec![
                ("writer", stats(&self.writer)),
                ("reader", stats(&self.reader)),
            ]
        } else {
            vec![("pool", stats(&self.writer))]
        }
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.writer.close().await;
            self.reader.close().await;
        })
    }
}
