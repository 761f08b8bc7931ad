//! Recording, retracting and reading votes.

use super::cache::RatingCache;
use super::database::Backend;
use super::group_commit::CommitVotes;
use super::{
    NetworkCap, PendingVote, RatingCounts, Store, StoreError, StoredVote, VoteOutcome, now_millis,
};
use crate::domain::{ArticleId, Revision, Stars, VoterHash};
use std::collections::HashSet;
use std::sync::Arc;

/// Applies votes to the database and clears their articles' cached ratings: what the
/// group-commit writers do with each batch, and a store without writers with each vote.
#[derive(Clone, Debug)]
pub(super) struct Committer {
    pub backend: Arc<dyn Backend>,
    pub cache: Option<RatingCache>,
}

impl CommitVotes for Committer {
    async fn commit(&self, votes: &[PendingVote]) -> Result<Vec<VoteOutcome>, StoreError> {
        let outcomes = self.backend.apply_vote_batch(votes).await?;
        // Forgetting rather than storing the new figures: writers commit side by side, and
        // a later commit's figures could otherwise be overwritten by an earlier one's. Once
        // per article: a hot article's batch is many votes on one.
        if let Some(cache) = &self.cache {
            let articles: HashSet<&ArticleId> = votes.iter().map(|vote| &vote.article).collect();
            for article in articles {
                cache.forget(article.as_str());
            }
        }
        Ok(outcomes)
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
        let rating = self.backend().retract_vote(article, voter).await?;
        self.forget_rating(article);
        Ok(rating)
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
