//! Group commit. Votes queue up for a writer, which takes every vote waiting (up to a batch
//! size, optionally lingering a short window for more), applies them in one transaction with
//! one aggregate update per article, and answers each vote only after the commit. A commit
//! costs one fsync whatever its size, so under load many votes share it, and the hot row of a
//! viral article is updated once per batch instead of once per vote.
//!
//! Each writer has its own queue, and an article's votes always go to the same one. Votes on
//! one article take turns at its row lock anyway; had several writers shared them, each would
//! commit a batch of one or two and wait on the others' locks, which on a viral article cost a
//! third more CPU per vote (issue 14's third round in BENCHMARKS.md). Votes on many articles
//! still spread over all the writers, and one voter's votes on an article keep their order.
//!
//! A writer whose last batch held more than one vote is busy: votes come faster than it
//! commits, as on a viral article, and it lingers a moment (`busy_window`, 2 ms by default)
//! for more, which fills its batches (7 votes instead of 3 at 1,200 votes/s) and takes a
//! quarter off each vote's CPU. An idle writer commits a lone vote at once.
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
        true => settings.window.max(settings.busy_window),
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
mod tests {
    use super::*;
    use crate::domain::{ArticleId, Stars, VoterId, VoterKey};
    use crate::store::{RatingCounts, RecordedVote, VoteChange};

    /// Commits by answering each vote with a rating whose count is the vote's `now`.
    #[derive(Clone)]
    enum Fake {
        Commit,
        Fail(StoreError),
        Hang,
    }

    impl CommitVotes for Fake {
        async fn commit(&self, votes: &[PendingVote]) -> Result<Vec<VoteOutcome>, StoreError> {
            match self {
                Fake::Commit => Ok(votes
                    .iter()
                    .map(|vote| {
                        let rating = RatingCounts {
                            count: vote.now,
                            ..RatingCounts::default()
                        };
                        let change = VoteChange::New;
                        VoteOutcome::Recorded(RecordedVote { change, rating })
                    })
                    .collect()),
                Fake::Fail(error) => Err(error.clone()),
                Fake::Hang => std::future::pending().await,
            }
        }
    }

    fn settings(max_votes: usize, answer_within: Duration) -> BatchSettings {
        BatchSettings {
            max_votes,
            writers: 1,
            window: Duration::ZERO,
            busy_window: Duration::from_millis(200),
            answer_within,
        }
    }

    fn vote(now: i64) -> PendingVote {
        vote_on("a", now)
    }

    fn vote_on(article: &str, now: i64) -> PendingVote {
        let voter = VoterId::parse("0b6c3f4e-8d2a-4c1e-9f3b-2a7d5e6f8a90").unwrap();
        PendingVote {
            article: ArticleId::parse(article).unwrap(),
            voter: VoterKey::new(b"key".to_vec()).hash(voter),
            stars: Stars::new(4).unwrap(),
            revision: None,
            cap: None,
            now,
        }
    }

    /// Queues a vote as `submit` does; its answer comes through the receiver.
    async fn queue_vote(
        queue: &VoteQueue,
        now: i64,
    ) -> oneshot::Receiver<Result<VoteOutcome, StoreError>> {
        let (reply, answer) = oneshot::channel();
        let vote = vote(now);
        queue
            .inbox_of(&vote.article)
            .send((vote, reply))
            .await
            .unwrap();
        answer
    }

    fn rating_count(answer: Result<VoteOutcome, StoreError>) -> i64 {
        match answer.unwrap() {
            VoteOutcome::Recorded(recorded) => recorded.rating.count,
            VoteOutcome::NetworkCapped => panic!("the fake never caps"),
        }
    }

    #[tokio::test]
    async fn waiting_votes_share_a_commit_up_to_the_batch_size() {
        let settings = settings(2, Duration::from_secs(5));
        let (queue, mut inboxes) = VoteQueue::new(settings);
        let inbox = &mut inboxes[0];
        let mut answers = Vec::new();
        for now in 1..=3 {
            answers.push(queue_vote(&queue, now).await);
        }
        let turn = try_commit_next(inbox, &Fake::Commit, &settings, false).await;
        assert_eq!(turn, Some(Turn::Committed { votes: 2 }));
        let turn = try_commit_next(inbox, &Fake::Commit, &settings, false).await;
        assert_eq!(turn, Some(Turn::Committed { votes: 1 }));
        let mut counts = Vec::new();
        for answer in answers {
            counts.push(rating_count(answer.await.unwrap()));
        }
        assert_eq!(counts, [1, 2, 3], "each vote gets its own outcome");
    }

    #[tokio::test]
    async fn an_articles_votes_go_to_one_writer_and_many_articles_to_all() {
        let settings = BatchSettings {
            writers: 4,
            ..settings(1000, Duration::from_secs(5))
        };
        let (queue, mut inboxes) = VoteQueue::new(settings);
        let mut answers = Vec::new();
        for now in 0..20 {
            let (reply, answer) = oneshot::channel();
            let vote = vote_on("viral", now);
            queue
                .inbox_of(&vote.article)
                .send((vote, reply))
                .await
                .unwrap();
            answers.push(answer);
        }
        let queued: Vec<usize> = inboxes.iter().map(|inbox| inbox.len()).collect();
        assert_eq!(queued.iter().filter(|&&n| n > 0).count(), 1, "{queued:?}");
        let writer = queued.iter().position(|&n| n == 20).unwrap();
        let turn = try_commit_next(&mut inboxes[writer], &Fake::Commit, &settings, false).await;
        assert_eq!(
            turn,
            Some(Turn::Committed { votes: 20 }),
            "one batch, not four"
        );
        for article in 0..100 {
            let (reply, _answer) = oneshot::channel();
            let vote = vote_on(&format!("article-{article}"), 1);
            queue
                .inbox_of(&vote.article)
                .send((vote, reply))
                .await
                .unwrap();
        }
        for inbox in &inboxes {
            assert!(
                inbox.len() > 10,
                "{:?}",
                inboxes.iter().map(|i| i.len()).collect::<Vec<_>>()
            );
        }
    }

    #[tokio::test]
    async fn only_a_busy_writer_lingers_for_the_next_vote() {
        let settings = settings(10, Duration::from_secs(5));
        for (busy, batch) in [(false, 1), (true, 2)] {
            let (queue, mut inboxes) = VoteQueue::new(settings);
            let first = queue_vote(&queue, 1);
            let later = async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                drop(queue_vote(&queue, 2).await);
            };
            let turn = async {
                // Starts once the first vote is queued, as a writer waiting on its inbox does.
                let first = first.await;
                let turn = try_commit_next(&mut inboxes[0], &Fake::Commit, &settings, busy).await;
                (first, turn)
            };
            let ((_, turn), _) = tokio::join!(turn, later);
            assert_eq!(turn, Some(Turn::Committed { votes: batch }), "busy: {busy}");
        }
    }

    #[tokio::test]
    async fn every_vote_of_a_failed_batch_gets_its_error() {
        let settings = settings(10, Duration::from_secs(5));
        for (error, unavailable) in [
            (StoreError::unavailable("the disk is full"), true),
            (StoreError::internal("a bug"), false),
        ] {
            let (queue, mut inboxes) = VoteQueue::new(settings);
            let inbox = &mut inboxes[0];
            let answers = [queue_vote(&queue, 1).await, queue_vote(&queue, 2).await];
            let turn = try_commit_next(inbox, &Fake::Fail(error), &settings, false).await;
            assert_eq!(turn, Some(Turn::Failed { votes: 2 }));
            for answer in answers {
                let error = answer.await.unwrap().unwrap_err();
                assert_eq!(error.is_unavailable(), unavailable);
            }
        }
    }

    #[tokio::test]
    async fn a_batch_past_its_deadline_fails_as_unavailable() {
        let settings = settings(10, Duration::from_millis(50));
        let (queue, mut inboxes) = VoteQueue::new(settings);
        let inbox = &mut inboxes[0];
        let answer = queue_vote(&queue, 1).await;
        let turn = try_commit_next(inbox, &Fake::Hang, &settings, false).await;
        assert_eq!(turn, Some(Turn::Failed { votes: 1 }));
        assert!(answer.await.unwrap().unwrap_err().is_unavailable());
    }

    #[tokio::test]
    async fn a_writer_stops_once_the_queue_is_gone_and_empty() {
        let settings = settings(10, Duration::from_secs(5));
        let (queue, mut inboxes) = VoteQueue::new(settings);
        let inbox = &mut inboxes[0];
        let answer = queue_vote(&queue, 7).await;
        drop(queue);
        // What was queued is still committed.
        let turn = try_commit_next(inbox, &Fake::Commit, &settings, false).await;
        assert_eq!(turn, Some(Turn::Committed { votes: 1 }));
        assert_eq!(rating_count(answer.await.unwrap()), 7);
        assert_eq!(
            try_commit_next(inbox, &Fake::Commit, &settings, false).await,
            None
        );
    }

    #[tokio::test]
    async fn a_vote_nobody_commits_in_time_is_unavailable() {
        let (queue, _inbox) = VoteQueue::new(settings(1, Duration::from_millis(50)));
        assert!(queue.submit(vote(1)).await.unwrap_err().is_unavailable());
    }
}
