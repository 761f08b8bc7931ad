//! How the store is set up: pools, the rating cache and the group-commit writers.

use std::time::Duration;

/// Everything `Store::open` needs besides the URL.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub pool: PoolSettings,
    /// How long ratings are served from memory (see `cache/`); zero: not at all.
    pub rating_cache_ttl: Duration,
    /// Votes go through group-commit writers (see `group_commit/`); `None`: each vote is a
    /// transaction of its own, as for the command line, which records none.
    pub group_commit: Option<BatchSettings>,
}

impl StoreSettings {
    /// Pools only: no cache, no writers. For the command line's one-off tasks.
    pub fn plain(pool: PoolSettings) -> Self {
        Self {
            pool,
            rating_cache_ttl: Duration::ZERO,
            group_commit: None,
        }
    }
}

/// How the pools are sized and how long a request may wait for a connection.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// Past this a request gets 503 rather than hanging while the database is away.
    pub acquire_timeout: Duration,
    /// Longest an editor's report query may run (see `database/reports.rs`).
    pub report_timeout: Duration,
}

#[derive(Debug, Clone, Copy)]
pub struct BatchSettings {
    /// Most votes in one transaction.
    pub max_votes: usize,
    /// Writers committing batches side by side (PostgreSQL only: SQLite has one writer
    /// connection). Their row locks are taken in one order, so they cannot deadlock.
    pub writers: usize,
    /// How long the writer waits for more votes after the first; zero takes only what is
    /// already queued, so an idle service adds no latency and a busy one batches anyway.
    pub window: Duration,
    /// How long a busy writer (its last batch held more than one vote, so votes arrive faster
    /// than it commits) waits for more after the first: fewer, fuller commits where they cost
    /// readers most, and nothing added to an idle service's votes. `None`: the database's
    /// default (`for_database`).
    pub busy_window: Option<Duration>,
    /// How long a vote may wait for its commit before the reader gets 503: while the database
    /// is away, votes queue behind a batch that is itself waiting, and must not wait in turn.
    pub answer_within: Duration,
}

/// A busy writer's window where none is set, on PostgreSQL: there a viral article's commits
/// are quick and each costs messages between processes, and batches of 7 votes instead of 3
/// took a quarter off each vote's CPU (issue 14's fourth round in BENCHMARKS.md).
const SEVERAL_WRITERS_BUSY_WINDOW: Duration = Duration::from_millis(2);

impl BatchSettings {
    /// The settings for a database with one writer connection (SQLite) or several
    /// (PostgreSQL). SQLite's one writer gets no busy window unless one is set: it is the
    /// bottleneck under load, and every moment it lingers no vote is written (at 64
    /// connections it did 11 to 12 % fewer votes with the 2 ms window).
    pub fn for_database(mut self, single_writer: bool) -> Self {
        if single_writer {
            self.writers = 1;
        }
        self.busy_window.get_or_insert(match single_writer {
            true => Duration::ZERO,
            false => SEVERAL_WRITERS_BUSY_WINDOW,
        });
        self
    }
}

/// What a starting instance loads into the rating cache before it is ready (see
/// `cache/warm_start.rs`).
#[derive(Debug, Clone, Copy)]
pub struct WarmStart {
    /// Most articles loaded; 0: none.
    pub articles: usize,
    /// Only articles with votes within this long before the start.
    pub window: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(busy_window: Option<Duration>) -> BatchSettings {
        BatchSettings {
            max_votes: 256,
            writers: 4,
            window: Duration::ZERO,
            busy_window,
            answer_within: Duration::from_secs(5),
        }
    }

    #[test]
    fn only_postgresql_writers_linger_by_default() {
        let sqlite = batch(None).for_database(true);
        assert_eq!(
            (sqlite.writers, sqlite.busy_window),
            (1, Some(Duration::ZERO))
        );
        let postgres = batch(None).for_database(false);
        assert_eq!(
            (postgres.writers, postgres.busy_window),
            (4, Some(Duration::from_millis(2)))
        );
        let set = Some(Duration::from_millis(5));
        assert_eq!(batch(set).for_database(true).busy_window, set);
        assert_eq!(batch(set).for_database(false).busy_window, set);
    }
}
