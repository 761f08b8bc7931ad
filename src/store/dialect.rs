//! What differs between the two databases, as one trait implemented for `sqlx::Sqlite`
//! (`sqlite.rs`) and `sqlx::Postgres` (`postgres.rs`): connection set-up, migrations, the
//! few statements written differently, and how a list of ids is bound. Everything else is
//! shared, in `database/`, generic over this trait.

use super::bulk::SeedBatch;
use super::{PoolSettings, StoreError};
use crate::domain::ArticleId;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::query::QueryAs;
use sqlx::{IntoArguments, Pool};
use std::future::Future;

/// A database the store runs on. (The bounds on `Arguments` and `Connection` are needed by
/// every generic query and by migrations; written here, they hold wherever `Dialect` does.)
pub trait Dialect: sqlx::Database<Arguments: IntoArguments<Self>, Connection: Migrate> {
    /// As `/readyz` and the logs name it.
    const BACKEND: &'static str;
    /// Whether all writes go through one connection.
    const SINGLE_WRITER: bool;
    /// Whether reads have a pool of their own beside the writer's.
    const SEPARATE_READER: bool;
    /// How a transaction that will write begins.
    const BEGIN_WRITE: &'static str;
    /// The voter's vote on the article (`$1`, `$2`): stars, revision and when it was last
    /// cast, locked if needed.
    const SELECT_VOTE_FOR_UPDATE: &'static str;
    /// A reset takes the article's votes (`LOCK_ARTICLE_VOTES`), then the article itself
    /// (`LOCK_ARTICLE`, which returns its aggregates).
    const LOCK_ARTICLE_VOTES: &'static str;
    const LOCK_ARTICLE: &'static str;
    /// Adds `$1`, a JSON array of `[article, day, n1, ..., n5]` (see `DayDeltas`), to the
    /// daily roll-ups, making the rows that are missing.
    const APPLY_DAY_DELTAS: &'static str;
    /// How reports write a real number (`CAST(x AS ...)`) and compare article ids byte by
    /// byte, as Rust's `str` does (so that keyset pages follow the order the service sorts in).
    const FLOAT: &'static str;
    const BYTE_ORDER: &'static str;
    /// Bounds the statements of the current (report) transaction to `$1` milliseconds (as
    /// text), where the database can cancel a statement, and sizes its memory for reports.
    const LIMIT_STATEMENT_TIME: Option<&'static str>;
    /// A batch's articles (`$1`, a JSON array of ids), each made unless it exists, with
    /// `created_at` `$2`.
    const ENSURE_ARTICLES: &'static str;
    /// A batch's aggregate deltas in one statement, where the dialect has one; `None`: one
    /// `sql::APPLY_DELTA` per article.
    const APPLY_DELTAS: Option<&'static str>;
    /// One article's delta (`sql::APPLY_DELTA`'s `$1` to `$8`, returning the same) and its one
    /// day's roll-up (`$9` the day, `$10` to `$14` the stars, as `sql::APPLY_DAY_DELTA`) in one
    /// statement, where the dialect has one; `None`: the two statements. A viral article's
    /// batches are all of this shape, and over a network each statement is a round trip.
    const APPLY_DELTA_WITH_DAY: Option<&'static str>;
    /// A batch's new votes in one statement, where the dialect has one; `None`: one
    /// `sql::INSERT_VOTE` per vote.
    const INSERT_VOTES: Option<&'static str>;
    /// Every voter the network cap counts in the (day, network, article) groups of `$1`, a
    /// JSON array of `[day, network tag in hex, article]`: rows of day, network, article,
    /// voter.
    const NETWORK_VOTERS_OF: &'static str;
    /// Adds `$1`, a JSON array of `[day, network tag in hex, article, voter hash in hex]`, to
    /// the voters the network cap counts.
    const ADD_NETWORK_VOTERS: &'static str;
    /// Article id and aggregates of the articles bound by `bind_ids`.
    const SELECT_RATINGS: &'static str;
    /// Run after a seed, outside any transaction, where the database needs it to plan and
    /// read a bulk-loaded table as it would one grown over time.
    const AFTER_SEED: Option<&'static str>;

    fn migrator() -> &'static Migrator;

    /// The writer's pool and the readers' (the same pool where `SEPARATE_READER` is false).
    fn connect(
        url: &str,
        pool: &PoolSettings,
    ) -> impl Future<Output = Result<(Pool<Self>, Pool<Self>), sqlx::Error>> + Send;

    /// Rows a statement changed (each driver has its own result type, without a shared trait).
    fn rows_affected(result: &Self::QueryResult) -> u64;

    /// Writes a seed batch's rows inside the caller's transaction, the fastest way the
    /// database has (see `bulk/`).
    fn write_seed_batch(
        conn: &mut Self::Connection,
        batch: &SeedBatch,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Binds a list of article ids as the next parameter.
    fn bind_ids<'q, O>(
        query: QueryAs<'q, Self, O, Self::Arguments>,
        ids: &'q [ArticleId],
    ) -> Result<QueryAs<'q, Self, O, Self::Arguments>, StoreError>;
}
