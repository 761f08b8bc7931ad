//! A batch of votes in one transaction, step by step: what `VoteWrites::apply_vote_batch`
//! runs for the group-commit writers (see `group_commit/`).

use super::network_cap::AwaitingAdmission;
use super::rows::{ArticleRatingRow, RatingRow, stars_from_db};
use super::{AppliedBatch, Database};
use crate::store::delta::{DayDeltas, RatingDelta};
use crate::store::dialect::Dialect;
use crate::store::{PendingVote, RecordedVote, StoreError, VoteChange, VoteOutcome, sql};
use sqlx::{Encode, Executor, FromRow, Transaction, Type};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A first vote that loses an insert race to the same voter's concurrent first vote reads
/// the winner's vote and changes it instead; more than a few rounds means something is wrong.
const MAX_VOTE_ROUNDS: usize = 3;

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> (i16, Option<String>, i64): FromRow<'r, DB::Row>,
    for<'r> (String, Vec<u8>): FromRow<'r, DB::Row>,
    for<'r> (i64, Vec<u8>, String, Vec<u8>): FromRow<'r, DB::Row>,
    for<'r> RatingRow: FromRow<'r, DB::Row>,
    for<'r> ArticleRatingRow: FromRow<'r, DB::Row>,
{
    /// Rows are locked in one fixed order (articles, then votes by article and voter, then
    /// aggregates by article) so that batches of several instances on one PostgreSQL never
    /// deadlock; a voter's votes keep their order.
    pub(super) async fn apply_batch(
        &self,
        votes: &[PendingVote],
    ) -> Result<AppliedBatch, StoreError> {
        // Every article, sorted: the order their rows are locked in.
        let articles: BTreeSet<&str> = votes.iter().map(|v| v.article.as_str()).collect();
        let missing = self.known.unknown(articles.iter().copied());
        let trusted_memory = missing.len() < articles.len();
        match self.apply_batch_once(votes, missing).await {
            // Perhaps an article row this instance knew of is gone (see `known_articles.rs`):
            // once more, creating every row that is missing. An outage is not retried here.
            Err(error) if !error.is_unavailable() && trusted_memory => {
                tracing::warn!(%error, "vote batch failed; again without the known articles");
                self.known.forget_all();
                self.apply_batch_once(votes, articles.into_iter().collect())
                    .await
            }
            Err(error) => {
                self.known.forget_all();
                Err(error)
            }
            applied => applied,
        }
    }

    /// The batch in one transaction, first making the rows of `missing` articles (sorted)
    /// where they do not exist yet.
    async fn apply_batch_once(
        &self,
        votes: &[PendingVote],
        missing: Vec<&str>,
    ) -> Result<AppliedBatch, StoreError> {
        let mut order: Vec<usize> = (0..votes.len()).collect();
        order.sort_by_key(|&i| (votes[i].article.as_str(), votes[i].voter.as_bytes()));
        let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
        if !missing.is_empty() {
            let now = votes.iter().map(|v| v.now).max().unwrap_or_default();
            sqlx::query::<DB>(DB::ENSURE_ARTICLES)
                .bind(serde_json::to_string(&missing)?)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let mut inserted = Self::insert_new_votes(&mut tx, votes).await?;
        let mut changes: Vec<Option<VoteChange>> = vec![None; votes.len()];
        let mut days = DayDeltas::default();
        let mut awaiting = AwaitingAdmission::default();
        for i in order {
            let vote = &votes[i];
            if awaiting.holds_voter_of(votes, vote) {
                Self::settle_network_caps(&mut tx, votes, &mut awaiting, &mut changes, &mut days)
                    .await?;
            }
            // The first vote of a voter that the batch insert stored is new; any other (a
            // change, or the same voter twice in one batch) goes one by one. (No key to build
            // where the backend inserts one by one.)
            let first = !inserted.is_empty()
                && inserted.remove(&(
                    vote.article.as_str().to_owned(),
                    vote.voter.as_bytes().to_vec(),
                ));
            changes[i] = Some(if first {
                VoteChange::New
            } else {
                Self::apply_vote(&mut tx, vote, &mut days).await?
            });
            if changes[i] == Some(VoteChange::New) {
                match vote.cap {
                    Some(_) => awaiting.push(i),
                    None => days.add(vote.article.as_str(), vote.now, vote.stars),
                }
            }
        }
        Self::settle_network_caps(&mut tx, votes, &mut awaiting, &mut changes, &mut days).await?;
        let mut deltas: BTreeMap<&str, RatingDelta> = BTreeMap::new();
        for (vote, change) in votes.iter().zip(&changes) {
            if let Some(change) = change {
                let delta = deltas.entry(vote.article.as_str()).or_default();
                *delta = delta.plus(RatingDelta::of(*change, vote.stars));
            }
        }
        let ratings = Self::apply_aggregates(&mut tx, deltas, &days).await?;
        self.raise_rating_alerts(&mut tx, votes, &changes, &ratings)
            .await?;
        tx.commit().await?;
        self.known.remember(missing);
        let outcomes: Vec<VoteOutcome> = votes
            .iter()
            .zip(changes)
            .map(|(vote, change)| match change {
                None => Ok(VoteOutcome::NetworkCapped),
                Some(change) => match ratings.get(vote.article.as_str()) {
                    Some(rating) => Ok(VoteOutcome::Recorded(RecordedVote {
                        change,
                        rating: rating.counts,
                    })),
                    None => Err(StoreError::internal(format!(
                        "no aggregates came back for article {}",
                        vote.article
                    ))),
                },
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(AppliedBatch { outcomes, ratings })
    }

    /// One vote within a batch's transaction: what it changed (`New`: inserted as its voter's
    /// first, not yet admitted by the network cap); a change's move between days goes into
    /// `days`.
    async fn apply_vote(
        tx: &mut Transaction<'static, DB>,
        vote: &PendingVote,
        days: &mut DayDeltas,
    ) -> Result<VoteChange, StoreError> {
        let (article, voter, stars) = (vote.article.as_str(), vote.voter.as_bytes(), vote.stars);
        let revision = vote.revision.as_deref();
        for _ in 0..MAX_VOTE_ROUNDS {
            // Most votes are a voter's first on the article, so the insert comes first: one
            // statement for them instead of a look-up and an insert.
            let inserted = sqlx::query::<DB>(sql::INSERT_VOTE)
                .bind(article)
                .bind(voter)
                .bind(i16::from(stars.get()))
                .bind(vote.now)
                .bind(revision)
                .execute(&mut **tx)
                .await?;
            if DB::rows_affected(&inserted) == 1 {
                return Ok(VoteChange::New);
            }
            let previous =
                sqlx::query_as::<DB, (i16, Option<String>, i64)>(DB::SELECT_VOTE_FOR_UPDATE)
                    .bind(article)
                    .bind(voter)
                    .fetch_optional(&mut **tx)
                    .await?;
            // Retracted between the two statements (by another instance): insert again.
            let Some((previous, previous_revision, last_cast)) = previous else {
                continue;
            };
            let previous = stars_from_db(previous)?;
            // A vote sent again moves to the revision it was sent with.
            if previous != stars || previous_revision.as_deref() != revision {
                sqlx::query::<DB>(sql::UPDATE_VOTE)
                    .bind(article)
                    .bind(voter)
                    .bind(i16::from(stars.get()))
                    .bind(vote.now)
                    .bind(revision)
                    .execute(&mut **tx)
                    .await?;
                // Rewritten, so last cast now: it counts on today, no longer on its old day.
                days.remove(article, last_cast, previous);
                days.add(article, vote.now, stars);
            }
            return Ok(if previous == stars {
                VoteChange::Repeated
            } else {
                VoteChange::Changed { previous }
            });
        }
        Err(StoreError::internal(
            "a vote kept losing insert races to the same voter",
        ))
    }

    /// The votes of a batch that are their voter's first, inserted in one statement where
    /// the dialect has one (see `Dialect::INSERT_VOTES`): the (article, voter) pairs it
    /// stored. Elsewhere none, and each vote makes its own insert.
    async fn insert_new_votes(
        tx: &mut Transaction<'static, DB>,
        votes: &[PendingVote],
    ) -> Result<HashSet<(String, Vec<u8>)>, StoreError> {
        let Some(statement) = DB::INSERT_VOTES else {
            return Ok(HashSet::new());
        };
        let rows: Vec<serde_json::Value> = votes
            .iter()
            .map(|vote| {
                serde_json::json!([
                    vote.article.as_str(),
                    crate::hex::encode(vote.voter.as_bytes()),
                    vote.stars.get(),
                    vote.now,
                    vote.revision,
                ])
            })
            .collect();
        let stored = sqlx::query_as::<DB, (String, Vec<u8>)>(statement)
            .bind(serde_json::to_string(&rows)?)
            .fetch_all(&mut **tx)
            .await?;
        Ok(stored.into_iter().collect())
    }
}
