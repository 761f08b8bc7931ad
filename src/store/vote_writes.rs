//! The vote write path both backends share, stamped out per sqlx database type like
//! `backend.rs`: a batch of votes in one transaction (see `batch.rs`), and a retraction.
//!
//! The backend module provides the dialect strings `BEGIN_WRITE`, `SELECT_VOTE_FOR_UPDATE`
//! and `ENSURE_ARTICLES`, and the one-statement batch paths `INSERT_VOTES` and
//! `APPLY_DELTAS` where it has them (`None` where it goes one by one).

use super::RatingDelta;

/// The delta's values in the order `sql::APPLY_DELTA` binds them, after the article id.
pub(super) fn delta_values(delta: RatingDelta) -> [i64; 7] {
    let [s1, s2, s3, s4, s5] = delta.distribution;
    [delta.count, delta.star_sum, s1, s2, s3, s4, s5]
}

/// A first vote that loses an insert race to the same voter's concurrent first vote reads
/// the winner's vote and changes it instead; more than a few rounds means something is wrong.
pub(super) const MAX_VOTE_ROUNDS: usize = 3;

macro_rules! vote_writes_impl {
    ($store:ty, $db:ty) => {
        /// A module of its own, so its imports do not meet `shared_store_impl!`'s.
        mod writes {
            use super::*;
            use crate::domain::{ArticleId, VoterHash};
            use crate::store::backend::{ArticleRatingRow, RatingRow, json_param, stars_from_db};
            use crate::store::vote_writes::{MAX_VOTE_ROUNDS, delta_values};
            use crate::store::{
                NetworkCap, RatingCounts, RatingDelta, RecordedVote, VoteChange, VoteOutcome, sql,
            };

            impl $store {
                /// See `batch.rs`. Rows are locked in one fixed order (articles, then votes by
                /// article and voter, then aggregates by article) so that batches of several
                /// instances on one PostgreSQL never deadlock; a voter's votes keep their order.
                pub(in crate::store) async fn apply_vote_batch(
                    &self,
                    votes: &[crate::store::batch::PendingVote],
                ) -> Result<Vec<VoteOutcome>, sqlx::Error> {
                    let mut order: Vec<usize> = (0..votes.len()).collect();
                    order.sort_by_key(|&i| (votes[i].article.as_str(), votes[i].voter.as_bytes()));
                    let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
                    // Every article at once, in sorted order, which is the order of their locks.
                    let articles: std::collections::BTreeSet<&str> =
                        votes.iter().map(|v| v.article.as_str()).collect();
                    let now = votes.iter().map(|v| v.now).max().unwrap_or_default();
                    let articles = json_param(&articles)?;
                    sqlx::query::<$db>(ENSURE_ARTICLES)
                        .bind(articles)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let mut inserted = Self::insert_new_votes(&mut tx, votes).await?;
                    let mut changes: Vec<Option<VoteChange>> = vec![None; votes.len()];
                    let mut deltas: std::collections::BTreeMap<&str, RatingDelta> =
                        Default::default();
                    for i in order {
                        let vote = &votes[i];
                        // The first vote of a voter that the batch insert stored is new; any other
                        // (a change, or the same voter twice in one batch) goes one by one.
                        // (No key to build where the backend inserts one by one.)
                        let first = !inserted.is_empty()
                            && inserted.remove(&(
                                vote.article.as_str().to_owned(),
                                vote.voter.as_bytes().to_vec(),
                            ));
                        changes[i] = if first {
                            Self::admit_new_vote(&mut tx, vote).await?
                        } else {
                            Self::apply_vote(&mut tx, vote).await?
                        };
                        if let Some(change) = changes[i] {
                            let delta = deltas.entry(vote.article.as_str()).or_default();
                            *delta = delta.plus(RatingDelta::of(change, vote.stars));
                        }
                    }
                    let ratings = Self::apply_deltas(&mut tx, deltas).await?;
                    tx.commit().await?;
                    votes
                        .iter()
                        .zip(changes)
                        .map(|(vote, change)| match change {
                            Some(change) => match ratings.get(vote.article.as_str()) {
                                Some(&rating) => {
                                    Ok(VoteOutcome::Recorded(RecordedVote { change, rating }))
                                }
                                None => Err(sqlx::Error::RowNotFound),
                            },
                            None => Ok(VoteOutcome::NetworkCapped),
                        })
                        .collect()
                }

                /// One vote within a batch's transaction: what it changed, or `None` if the
                /// network cap refused a new voter.
                async fn apply_vote(
                    tx: &mut sqlx::Transaction<'static, $db>,
                    vote: &crate::store::batch::PendingVote,
                ) -> Result<Option<VoteChange>, sqlx::Error> {
                    let (article, voter, stars) =
                        (vote.article.as_str(), vote.voter.as_bytes(), vote.stars);
                    let revision = vote.revision.as_deref();
                    for _ in 0..MAX_VOTE_ROUNDS {
                        // Most votes are a voter's first on the article, so the insert comes first:
                        // one statement for them instead of a look-up and an insert.
                        let inserted = sqlx::query::<$db>(sql::INSERT_VOTE)
                            .bind(article)
                            .bind(voter)
                            .bind(i16::from(stars.get()))
                            .bind(vote.now)
                            .bind(revision)
                            .execute(&mut **tx)
                            .await?
                            .rows_affected();
                        if inserted == 1 {
                            return Self::admit_new_vote(tx, vote).await;
                        }
                        let previous =
                            sqlx::query_as::<$db, (i16, Option<String>)>(SELECT_VOTE_FOR_UPDATE)
                                .bind(article)
                                .bind(voter)
                                .fetch_optional(&mut **tx)
                                .await?;
                        // Retracted between the two statements (by another instance): insert again.
                        let Some((previous, previous_revision)) = previous else {
                            continue;
                        };
                        let previous = stars_from_db(previous)?;
                        // A vote sent again moves to the revision it was sent with.
                        if previous != stars || previous_revision.as_deref() != revision {
                            sqlx::query::<$db>(sql::UPDATE_VOTE)
                                .bind(article)
                                .bind(voter)
                                .bind(i16::from(stars.get()))
                                .bind(vote.now)
                                .bind(revision)
                                .execute(&mut **tx)
                                .await?;
                        }
                        return Ok(Some(if previous == stars {
                            VoteChange::Repeated
                        } else {
                            VoteChange::Changed { previous }
                        }));
                    }
                    Err(sqlx::Error::Protocol(
                        "a vote kept losing insert races to the same voter".into(),
                    ))
                }

                /// The votes of a batch that are their voter's first, inserted in one statement
                /// where the backend has one (see `INSERT_VOTES`): the (article, voter) pairs it
                /// stored. Elsewhere none, and each vote makes its own insert.
                async fn insert_new_votes(
                    tx: &mut sqlx::Transaction<'static, $db>,
                    votes: &[crate::store::batch::PendingVote],
                ) -> Result<std::collections::HashSet<(String, Vec<u8>)>, sqlx::Error> {
                    let Some(statement) = INSERT_VOTES else {
                        return Ok(Default::default());
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
                    let rows = json_param(&rows)?;
                    sqlx::query_as::<$db, (String, Vec<u8>)>(statement)
                        .bind(rows)
                        .fetch_all(&mut **tx)
                        .await
                        .map(|stored| stored.into_iter().collect())
                }

                /// A vote just inserted as its voter's first: new, unless the network cap refuses
                /// the voter, in which case the insert is undone before the commit, so that
                /// nobody ever sees it.
                async fn admit_new_vote(
                    tx: &mut sqlx::Transaction<'static, $db>,
                    vote: &crate::store::batch::PendingVote,
                ) -> Result<Option<VoteChange>, sqlx::Error> {
                    let (article, voter) = (vote.article.as_str(), vote.voter.as_bytes());
                    if let Some(cap) = &vote.cap {
                        if !Self::admit_network_voter(tx, cap, article, voter).await? {
                            sqlx::query::<$db>(sql::DELETE_VOTE)
                                .bind(article)
                                .bind(voter)
                                .execute(&mut **tx)
                                .await?;
                            return Ok(None);
                        }
                    }
                    Ok(Some(VoteChange::New))
                }

                /// Admits a new voter among the network's voters on the article today, unless that
                /// would pass the cap. Counting first means a refused voter leaves nothing behind.
                async fn admit_network_voter(
                    tx: &mut sqlx::Transaction<'static, $db>,
                    cap: &NetworkCap,
                    article: &str,
                    voter: &[u8],
                ) -> Result<bool, sqlx::Error> {
                    let (voters, this_one) =
                        sqlx::query_as::<$db, (i64, i64)>(sql::COUNT_NETWORK_VOTERS)
                            .bind(cap.day)
                            .bind(cap.network.as_slice())
                            .bind(article)
                            .bind(voter)
                            .fetch_one(&mut **tx)
                            .await?;
                    if this_one > 0 {
                        return Ok(true);
                    }
                    if voters >= i64::from(cap.max_voters) {
                        return Ok(false);
                    }
                    sqlx::query::<$db>(sql::ADD_NETWORK_VOTER)
                        .bind(cap.day)
                        .bind(cap.network.as_slice())
                        .bind(article)
                        .bind(voter)
                        .execute(&mut **tx)
                        .await?;
                    Ok(true)
                }

                pub(in crate::store) async fn retract_vote(
                    &self,
                    article: &ArticleId,
                    voter: &VoterHash,
                ) -> Result<Option<RatingCounts>, sqlx::Error> {
                    let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
                    let removed = sqlx::query_scalar::<$db, i16>(sql::DELETE_VOTE)
                        .bind(article.as_str())
                        .bind(voter.as_bytes())
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(removed) = removed else {
                        return Ok(None);
                    };
                    let delta = RatingDelta::default().remove(stars_from_db(removed)?);
                    let rating = Self::apply_delta(&mut tx, article.as_str(), delta).await?;
                    tx.commit().await?;
                    Ok(Some(rating))
                }

                /// Every article's delta, in the backend's way (see `APPLY_DELTAS`); the new
                /// ratings by article.
                async fn apply_deltas(
                    tx: &mut sqlx::Transaction<'static, $db>,
                    deltas: std::collections::BTreeMap<&str, RatingDelta>,
                ) -> Result<std::collections::HashMap<String, RatingCounts>, sqlx::Error> {
                    let mut ratings = std::collections::HashMap::with_capacity(deltas.len());
                    if let Some(statement) = APPLY_DELTAS {
                        let rows: Vec<serde_json::Value> = deltas
                            .iter()
                            .map(|(article, delta)| {
                                let mut row = vec![serde_json::Value::from(*article)];
                                row.extend(delta_values(*delta).map(serde_json::Value::from));
                                serde_json::Value::Array(row)
                            })
                            .collect();
                        let rows = json_param(&rows)?;
                        for row in sqlx::query_as::<$db, ArticleRatingRow>(statement)
                            .bind(rows)
                            .fetch_all(&mut **tx)
                            .await?
                        {
                            ratings.insert(row.article_id, row.counts.into());
                        }
                    } else {
                        for (article, delta) in deltas {
                            ratings.insert(
                                article.to_owned(),
                                Self::apply_delta(tx, article, delta).await?,
                            );
                        }
                    }
                    Ok(ratings)
                }

                async fn apply_delta(
                    tx: &mut sqlx::Transaction<'static, $db>,
                    article: &str,
                    delta: RatingDelta,
                ) -> Result<RatingCounts, sqlx::Error> {
                    let mut query =
                        sqlx::query_as::<$db, RatingRow>(sql::APPLY_DELTA).bind(article);
                    for value in delta_values(delta) {
                        query = query.bind(value);
                    }
                    Ok(query.fetch_one(&mut **tx).await?.into())
                }
            }
        }
    };
}
