//! Group commit. Votes queue up for one writer, which takes every vote waiting (up to a batch
//! size, optionally lingering a short window for more), applies them in one transaction with
//! one aggregate update per article, and answers each vote only after the commit. A commit
//! costs one fsync whatever its size, so under load many votes share it, and the hot row of a
//! viral article is updated once per batch instead of once per vote.

use super::{NetworkCap, Store, StoreError, VoteOutcome};
use crate::domain::{ArticleId, Stars, VoterHash};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

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
    /// How long a vote may wait for its commit before the reader gets 503: while the database
    /// is away, votes queue behind a batch that is itself waiting, and must not wait in turn.
    pub answer_within: Duration,
}

/// A vote on its way to the database.
#[derive(Debug, Clone)]
pub struct PendingVote {
    pub article: ArticleId,
    pub voter: VoterHash,
    pub stars: Stars,
    pub revision: Option<String>,
    pub cap: Option<NetworkCap>,
    pub now: i64,
}

type Reply = oneshot::Sender<Result<VoteOutcome, StoreError>>;

/// The writer's inbox; cheap to clone.
#[derive(Debug, Clone)]
pub struct VoteQueue {
    inbox: mpsc::Sender<(PendingVote, Reply)>,
    answer_within: Duration,
}

impl VoteQueue {
    pub fn start(store: Store, settings: BatchSettings) -> Self {
        let max_votes = settings.max_votes.max(1);
        // Room for a few batches: past that, submitters wait, which is the back-pressure.
        let (inbox, rx) = mpsc::channel::<(PendingVote, Reply)>(max_votes * 4);
        // Writers take turns at the inbox: whoever is free gathers the next batch.
        let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..settings.writers.max(1) {
            let (store, rx) = (store.clone(), rx.clone());
            tokio::spawn(async move {
                loop {
                    let Some(batch) = gather(&rx, max_votes, settings.window).await else {
                        break;
                    };
                    commit(&store, batch, settings.answer_within).await;
                }
            });
        }
        Self {
            inbox,
            answer_within: settings.answer_within,
        }
    }

    /// The vote's outcome once committed; a timeout is a 503, and the reader may resend: a vote
    /// that was committed after all counts once, as every vote of one voter does.
    pub async fn submit(&self, vote: PendingVote) -> Result<VoteOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let writer_gone = || StoreError::unavailable("the vote writer has stopped");
        let queued_and_answered = async {
            self.inbox
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

/// The next batch: the first vote to arrive, then whatever else is waiting (or arrives within
/// `window`), up to `max_votes`. `None` once every sender is gone.
async fn gather(
    rx: &tokio::sync::Mutex<mpsc::Receiver<(PendingVote, Reply)>>,
    max_votes: usize,
    window: Duration,
) -> Option<Vec<(PendingVote, Reply)>> {
    let mut rx = rx.lock().await;
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

/// Commits one batch and answers its votes. A database that stops answering without refusing
/// (a network partition, a hung host) would hold the writer for as long as TCP keeps retrying,
/// minutes, so the batch gets a deadline: past it the transaction is dropped (sqlx closes a
/// connection dropped mid-statement) and the writer moves on to the next votes, which then
/// fail fast or succeed once the database is back, instead of queueing behind it.
async fn commit(store: &Store, batch: Vec<(PendingVote, Reply)>, deadline: Duration) {
    let (votes, replies): (Vec<PendingVote>, Vec<Reply>) = batch.into_iter().unzip();
    metrics::histogram!("plaudit_vote_batch_size").record(votes.len() as f64);
    let started = Instant::now();
    let result = tokio::time::timeout(deadline, store.apply_vote_batch(&votes))
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
        }
        Err(error) => {
            tracing::warn!(error = %error, votes = votes.len(), "vote batch failed; none of it was stored");
            for reply in replies {
                let _ = reply.send(Err(error.clone()));
            }
        }
    }
}
