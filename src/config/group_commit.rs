//! How votes are committed: the group-commit writers' batches and windows.

use crate::store::BatchSettings;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct GroupCommitSettings {
    /// Most votes the writer commits in one transaction.
    #[arg(
        long,
        env = "PLAUDIT_BATCH_MAX_VOTES",
        default_value_t = 256,
        global = true
    )]
    pub batch_max_votes: usize,

    /// Writers committing vote batches side by side on PostgreSQL (SQLite always has one);
    /// each article's votes go to one of them.
    #[arg(
        long,
        env = "PLAUDIT_BATCH_WRITERS",
        default_value_t = 4,
        global = true
    )]
    pub batch_writers: usize,

    /// Milliseconds the writer waits for more votes after the first before committing; 0
    /// commits what is queued at once (batches then form only under load, adding no latency).
    #[arg(
        long,
        env = "PLAUDIT_BATCH_WINDOW_MS",
        default_value_t = 0,
        global = true
    )]
    pub batch_window_ms: u64,

    /// Milliseconds a busy writer (its previous batch held more than one vote) waits for more
    /// votes after the first: on a viral article, fuller batches and less CPU per vote; an
    /// idle service's votes never wait. Default: 2 on PostgreSQL, 0 on SQLite (whose one
    /// writer would sit idle meanwhile).
    #[arg(long, env = "PLAUDIT_BATCH_BUSY_WINDOW_MS", global = true)]
    pub batch_busy_window_ms: Option<u64>,
}

impl GroupCommitSettings {
    /// The writers' settings; a vote waits at most `answer_within` for its commit.
    pub fn batch(&self, answer_within: Duration) -> BatchSettings {
        BatchSettings {
            max_votes: self.batch_max_votes.max(1),
            writers: self.batch_writers.max(1),
            answer_within,
            window: Duration::from_millis(self.batch_window_ms),
            busy_window: self.batch_busy_window_ms.map(Duration::from_millis),
        }
    }
}
