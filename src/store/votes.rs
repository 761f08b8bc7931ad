//! Recording, retracting and reading votes.

use super::cache::RatingCache;
use super::database::Backend;
use super::group_commit::CommitVotes;
use super::{
    NetworkCap, PendingVote, RatingCounts, Store, StoreError, StoredVote, VoteOutcome, now_millis,
};
use crate::domain::{ArticleId, Revision, Stars, VoterHash};
use std::sync::Arc;
use std::time::Instant;

/// Applies votes to the database and puts their articles' new figures in the cache: what
/// the group-commit writers do with each batch, and a store without writers with each vote.
#[derive(Clone, Debug)]
pub(super) struct Committer {
    pub backend: Arc<dyn Backend>,
    pub cache: Option<RatingCache>,
}

impl CommitVotes for Committer {
    async fn commit(&self, votes: &[PendingVote]) -> Result<Vec<VoteOutcome>, StoreError> {
        // Before the transaction: the figures are current from then on at the earliest, and
        // the TTL counts from there (see `RatingCache::write_through`).
        let began = Instant::now();
        let batch = self.backend.apply_vote_batch(votes).await?;
        // Once per article, however many of the batch's votes were on it. Writers commit side
        // by side on PostgreSQL and may get here in another order than they committed: the
        // figures' versions, not the order of arrival, decide which are kept.
        if let Some(cache) = &self.cache {
            for (article, rating) in &batch.ratings {
                cache.write_through(article, *rating, began);
            }
        }
        Ok(batch.outcomes)
    }
}

impl Store {
    /// Records a first vote, or changes the voter's vote. `cap`, if given, applies to a first
    /// vote only: changing a vote is never capped.
    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn record_vote(
        &self,
        article: &ArticleId,
        voter: &VoterHash,
        stars: Stars,
        revision: Option<&Revision>,
        cap: Option<&NetworkCap>,
    ) -> Result<VoteOutcome, StoreError> {
        let vote = PendingVote {
            article: article.clone(),
            voter: voter.clone(),
            stars,
            revision: revision.map(|r| r.as_str().to_owned()),
            cap: cap.cloned(),
            now: now_millis(),
        };
        if let Some(queue) = &self.queue {
            return queue.submit(vote).await;
        }
        let outcomes = self.committer.commit(std::slice::from_ref(&vote)).await?;
        outcomes
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::internal("a committed vote came back without outcome"))
    }

    /// The article's new rating, or `None` if the voter had no vote on it.
    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn retract_vote(
        &self,
        article: &ArticleId,
        voter: &VoterHash,
    ) -> Result<Option<RatingCounts>, StoreError> {
        let began = Instant::now();
        let rating = self.backend().retract_vote(article, voter).await?;
        Ok(rating.map(|rating| {
            self.write_through(article, rating, began);
            rating.counts
        }))
    }

    #[tracing::instrument(skip_all, fields(article_id = %article))]
    pub async fn find_vote(
        &self,
        article: &ArticleId,
        voter: &VoterHash,
    ) -> Result<Option<StoredVote>, StoreError> {
        self.backend().find_vote(article, voter).await
    }
}
