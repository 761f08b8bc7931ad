//! The vote write path: a batch of votes in one transaction (its steps are in
//! `vote_batch.rs`), a retraction, and reading a voter's vote.

use super::rows::{ArticleRatingRow, RatingRow, stars_from_db};
use super::{Database, StoreFuture};
use crate::domain::{ArticleId, VoterHash};
use crate::store::delta::{DayDeltas, RatingDelta};
use crate::store::dialect::Dialect;
use crate::store::{PendingVote, StoredVote, VersionedRating, VoteOutcome, sql};
use sqlx::{Encode, Executor, FromRow, Type};
use std::collections::HashMap;

/// A committed batch: each vote's outcome, in the order of the votes, and the new figures of
/// each article it changed, which the writer puts in the cache.
pub struct AppliedBatch {
    pub outcomes: Vec<VoteOutcome>,
    pub ratings: HashMap<String, VersionedRating>,
}

pub trait VoteWrites {
    /// Applies votes in one transaction, one aggregate update per article.
    fn apply_vote_batch<'a>(&'a self, votes: &'a [PendingVote]) -> StoreFuture<'a, AppliedBatch>;
    /// The article's new rating, or `None` if the voter had no vote on it.
    fn retract_vote<'a>(
        &'a self,
        article: &'a ArticleId,
        voter: &'a VoterHash,
    ) -> StoreFuture<'a, Option<VersionedRating>>;
    fn find_vote<'a>(
        &'a self,
        article: &'a ArticleId,
        voter: &'a VoterHash,
    ) -> StoreFuture<'a, Option<StoredVote>>;
}

impl<DB: Dialect> VoteWrites for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'r> (i16,): FromRow<'r, DB::Row>,
    for<'r> (i64, Vec<u8>, String, Vec<u8>): FromRow<'r, DB::Row>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> (i16, Option<String>, i64): FromRow<'r, DB::Row>,
    for<'r> (i16, i64): FromRow<'r, DB::Row>,
    for<'r> (i16, i64, i64, Option<String>): FromRow<'r, DB::Row>,
    for<'r> (String, Vec<u8>): FromRow<'r, DB::Row>,
    for<'r> RatingRow: FromRow<'r, DB::Row>,
    for<'r> ArticleRatingRow: FromRow<'r, DB::Row>,
{
    fn apply_vote_batch<'a>(&'a self, votes: &'a [PendingVote]) -> StoreFuture<'a, AppliedBatch> {
        Box::pin(self.apply_batch(votes))
    }

    fn retract_vote<'a>(
        &'a self,
        article: &'a ArticleId,
        voter: &'a VoterHash,
    ) -> StoreFuture<'a, Option<VersionedRating>> {
        Box::pin(async move {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            let removed = sqlx::query_as::<DB, (i16, i64)>(sql::DELETE_VOTE)
                .bind(article.as_str())
                .bind(voter.as_bytes())
                .fetch_optional(&mut *tx)
                .await?;
            let Some((removed, last_cast)) = removed else {
                return Ok(None);
            };
            let removed = stars_from_db(removed)?;
            let delta = RatingDelta::default().remove(removed);
            let rating = Self::apply_delta(&mut tx, article.as_str(), delta).await?;
            let mut days = DayDeltas::default();
            days.remove(article.as_str(), last_cast, removed);
            Self::apply_day_deltas(&mut tx, &days).await?;
            self.raise_rating_alert(&mut tx, article.as_str(), delta, &rating)
                .await?;
            tx.commit().await?;
            Ok(Some(rating))
        })
    }

    fn find_vote<'a>(
        &'a self,
        article: &'a ArticleId,
        voter: &'a VoterHash,
    ) -> StoreFuture<'a, Option<StoredVote>> {
        Box::pin(async move {
            let row = sqlx::query_as::<DB, (i16, i64, i64, Option<String>)>(sql::SELECT_VOTE)
                .bind(article.as_str())
                .bind(voter.as_bytes())
                .fetch_optional(&self.reader)
                .await?;
            row.map(|(stars, created_at, updated_at, revision)| {
                Ok(StoredVote {
                    stars: stars_from_db(stars)?,
                    revision,
                    created_at,
                    updated_at,
                })
            })
            .transpose()
        })
    }
}
