//! The writers' turns, driven directly with a stand-in committer.

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
        busy_window: Some(Duration::from_millis(200)),
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
