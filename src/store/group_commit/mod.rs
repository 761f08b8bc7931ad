//! Group commit. Votes queue up for a writer, which takes every vote waiting (up to a batch
//! size, optionally lingering a short window for more), applies them in one transaction with
//! one aggregate update per article, and answers each vote only after the commit. A commit
//! costs one fsync whatever its size, so under load many votes share it, and the hot row of a
//! viral article is updated once per batch instead of once per vote.
//!
//! Each writer has its own queue, and an article's votes always go to the same one. Votes on
//! one article take turns at its row lock anyway; had several writers shared them, each would
//! commit a batch of one or two and wait on the others' locks, which on a viral article cost
//! 45 % more CPU per vote than one writer (issue 14's fourth round in BENCHMARKS.md). Votes
//! on many articles still spread over all the writers, and one voter's votes on an article
//! keep their order.
//!
//! A writer whose last batch held more than one vote is busy: votes come faster than it
//! commits, as on a viral article, and it lingers a moment (`busy_window`, 2 ms by default on
//! PostgreSQL) for more, which fills its batches (7 votes instead of 3 at 1,200 votes/s) and
//! takes a quarter off each vote's CPU. An idle writer commits a lone vote at once. SQLite's
//! one writer does not linger by default (`BatchSettings::for_database`).
//!
//! A writer is a loop around `try_commit_next`, which the tests drive directly.

use super::{BatchSettings, PendingVote, StoreError, VoteOutcome};
use crate::domain::ArticleId;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// What commits a batch: the store's `Committer`, or a stand-in in tests.
pub trait CommitVotes: Clone + Send + Sync + 'static {
    /// The outcomes in the order of `votes`, all committed, or none of them.
    fn commit(
        &self,
        votes: &[PendingVote],
    ) -> impl Future<Output = Result<Vec<VoteOutcome>, StoreError>> + Send;
}

type Reply = oneshot::Sender<Result<VoteOutcome, StoreError>>;
/// One writer's queue.
type Inbox = mpsc::Receiver<(PendingVote, Reply)>;

/// The writers' queues; cheap to clone. The writers stop once every clone is gone.
#[derive(Debug, Clone)]
pub struct VoteQueue {
    inboxes: Arc<[mpsc::Sender<(PendingVote, Reply)>]>,
    answer_within: Duration,
}

impl VoteQueue {
    /// Starts `settings.writers` writers on this Tokio runtime.
    pub fn start(committer: impl CommitVotes, settings: BatchSettings) -> Self {
        let (queue, inboxes) = Self::new(settings);
        for mut inbox in inboxes {
            let committer = committer.clone();
            tokio::spawn(async move {
                let mut busy = false;
                while let Some(turn) =
                    try_commit_next(&mut inbox, &committer, &settings, busy).await
                {
                    busy = turn.votes() > 1;
                }
            });
        }
        queue
    }

    fn new(settings: BatchSettings) -> (Self, Vec<Inbox>) {
        // Room for a few batches: past that, submitters wait, which is the back-pressure.
        let (senders, inboxes) = (0..settings.writers.max(1))
            .map(|_| mpsc::channel(settings.max_votes.max(1) * 4))
            .unzip::<_, _, Vec<_>, Vec<_>>();
        let queue = Self {
            inboxes: senders.into(),
            answer_within: settings.answer_within,
        };
        (queue, inboxes)
    }

    /// The queue of the writer that commits the article's votes.
    fn inbox_of(&self, article: &ArticleId) -> &mpsc::Sender<(PendingVote, Reply)> {
        // SipHash with fixed keys: the same writer for an article for the process's life.
        let mut hasher = std::hash::DefaultHasher::new();
        article.as_str().hash(&mut hasher);
        &self.inboxes[(hasher.finish() % self.inboxes.len() as u64) as usize]
    }

    /// The vote's outcome once committed; a timeout is "unavailable", and the reader may
    /// resend: a vote that was committed after all counts once, as every vote of one voter
    /// does.
    pub async fn submit(&self, vote: PendingVote) -> Result<VoteOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let writer_gone = || StoreError::unavailable("the vote writers have stopped");
        let queued_and_answered = async {
            self.inbox_of(&vote.article)
                .send((vote, reply))
                .await
                .map_err(|_| writer_gone())?;
            answer.await.map_err(|_| writer_gone())?
        };
        tokio::time::timeout(self.answer_within, queued_and_answered)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::unavailable(format!(
                    "the vote was not committed within {:?}",
                    self.answer_within
                )))
            })
    }
}

/// What one turn of a writer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Committed { votes: usize },
    Failed { votes: usize },
}

impl Turn {
    fn votes(self) -> usize {
        match self {
            Turn::Committed { votes } | Turn::Failed { votes } => votes,
        }
    }
}

/// Waits for the next batch, commits it and answers its votes; `None` once every sender is
/// gone and the inbox is empty. A `busy` writer lingers `settings.busy_window` for more votes
/// (if longer than `settings.window`).
///
/// A database that stops answering without refusing (a network partition, a hung host)
/// would hold the writer for as long as TCP keeps retrying, minutes, so the batch gets a
/// deadline: past it the transaction is dropped (sqlx closes a connection dropped
/// mid-statement) and the writer moves on to the next votes, which then fail fast or succeed
/// once the database is back, instead of queueing behind it.
pub async fn try_commit_next(
    inbox: &mut Inbox,
    committer: &impl CommitVotes,
    settings: &BatchSettings,
    busy: bool,
) -> Option<Turn> {
    let window = match busy {
        // `Store::open` always sets the busy window (`BatchSettings::for_database`).
        true => settings
            .window
            .max(settings.busy_window.unwrap_or_default()),
        false => settings.window,
    };
    let batch = gather(inbox, settings.max_votes.max(1), window).await?;
    let (votes, replies): (Vec<PendingVote>, Vec<Reply>) = batch.into_iter().unzip();
    metrics::histogram!("plaudit_vote_batch_size").record(votes.len() as f64);
    let started = Instant::now();
    let deadline = settings.answer_within;
    let result = tokio::time::timeout(deadline, committer.commit(&votes))
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::unavailable(format!(
                "the batch was not committed within {deadline:?}"
            )))
        });
    metrics::histogram!("plaudit_vote_commit_seconds").record(started.elapsed().as_secs_f64());
    match result {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
            Some(Turn::Committed { votes: votes.len() })
        }
        Err(error) => {
            tracing::warn!(%error, votes = votes.len(), "vote batch failed; none of it was stored");
            for reply in replies {
                let _ = reply.send(Err(error.clone()));
            }
            Some(Turn::Failed { votes: votes.len() })
        }
    }
}

/// The next batch: the first vote to arrive, then whatever else is waiting (or arrives within
/// `window`), up to `max_votes`. `None` once every sender is gone.
async fn gather(
    rx: &mut Inbox,
    max_votes: usize,
    window: Duration,
) -> Option<Vec<(PendingVote, Reply)>> {
    let mut batch = vec![rx.recv().await?];
    let deadline = tokio::time::Instant::now() + window;
    while batch.len() < max_votes {
        match rx.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) if window.is_zero() => break,
            Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(next)) => batch.push(next),
                _ => break,
            },
        }
    }
    Some(batch)
}

#[cfg(test)]
mod tests;
