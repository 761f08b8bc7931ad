//! The store code both backends share, written once and stamped out for each sqlx database
//! type: sqlx's traits make a function generic over databases harder to read than this.
//!
//! A backend module provides `writer` and `reader` pools on its store, a `MIGRATOR`, and
//! the dialect strings `BEGIN_WRITE` and `SELECT_VOTE_FOR_UPDATE`.

use super::{RatingCounts, RatingDelta};
use crate::domain::Stars;

/// An article's aggregates as stored.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct RatingRow {
    vote_count: i64,
    star_sum: i64,
    stars_1: i64,
    stars_2: i64,
    stars_3: i64,
    stars_4: i64,
    stars_5: i64,
}

impl From<RatingRow> for RatingCounts {
    fn from(row: RatingRow) -> Self {
        RatingCounts {
            count: row.vote_count,
            star_sum: row.star_sum,
            distribution: [
                row.stars_1,
                row.stars_2,
                row.stars_3,
                row.stars_4,
                row.stars_5,
            ],
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct ArticleRatingRow {
    pub article_id: String,
    #[sqlx(flatten)]
    pub counts: RatingRow,
}

/// The delta's values in the order `sql::APPLY_DELTA` binds them, after the article id.
pub(super) fn delta_values(delta: RatingDelta) -> [i64; 7] {
    let [s1, s2, s3, s4, s5] = delta.distribution;
    [delta.count, delta.star_sum, s1, s2, s3, s4, s5]
}

/// A value bound as one JSON text parameter: how a batch reaches SQL in one statement
/// (`json_each` on SQLite, `json_array_elements_text` on PostgreSQL).
pub(super) fn json_param(value: &impl serde::Serialize) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|error| sqlx::Error::Encode(error.into()))
}

pub(super) fn stars_from_db(value: i16) -> Result<Stars, sqlx::Error> {
    Stars::new(i64::from(value))
        .ok_or_else(|| sqlx::Error::Decode(format!("stored stars out of range: {value}").into()))
}

/// A first vote that loses an insert race to the same voter's concurrent first vote reads
/// the winner's vote and changes it instead; more than a few rounds means something is wrong.
pub(super) const MAX_VOTE_ROUNDS: usize = 3;

macro_rules! shared_store_impl {
    ($store:ty, $db:ty) => {
        use super::backend::{
            ArticleRatingRow, MAX_VOTE_ROUNDS, RatingRow, delta_values, json_param, stars_from_db,
        };
        use super::{
            NetworkCap, RatingCounts, RatingDelta, RecordedVote, StoredVote, VoteChange,
            VoteOutcome, sql,
        };
        use crate::domain::{ArticleId, VoterHash};

        impl $store {
            pub(super) async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
                MIGRATOR.run(&self.writer).await
            }

            /// Stores `fresh` under `name` unless a value is there already; returns the kept one.
            pub(super) async fn keep_secret(
                &self,
                name: &str,
                fresh: &[u8],
            ) -> Result<Vec<u8>, sqlx::Error> {
                sqlx::query::<$db>(sql::KEEP_SECRET)
                    .bind(name)
                    .bind(fresh)
                    .execute(&self.writer)
                    .await?;
                sqlx::query_scalar::<$db, Vec<u8>>(sql::SELECT_SECRET)
                    .bind(name)
                    .fetch_one(&self.writer)
                    .await
            }

            /// See `batch.rs`. Rows are locked in one fixed order (articles, then votes by
            /// article and voter, then aggregates by article) so that batches of several
            /// instances on one PostgreSQL never deadlock; a voter's votes keep their order.
            pub(super) async fn apply_vote_batch(
                &self,
                votes: &[super::batch::PendingVote],
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
                let mut deltas: std::collections::BTreeMap<&str, RatingDelta> = Default::default();
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
                vote: &super::batch::PendingVote,
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
                votes: &[super::batch::PendingVote],
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
                vote: &super::batch::PendingVote,
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

            pub(super) async fn network_key(
                &self,
                day: i64,
                fresh: &[u8],
            ) -> Result<Vec<u8>, sqlx::Error> {
                let mut tx = self.writer.begin_with(BEGIN_WRITE).await?;
                for forget in [sql::FORGET_NETWORK_KEYS, sql::FORGET_NETWORK_VOTERS] {
                    sqlx::query::<$db>(forget)
                        .bind(day)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query::<$db>(sql::KEEP_NETWORK_KEY)
                    .bind(day)
                    .bind(fresh)
                    .execute(&mut *tx)
                    .await?;
                let key = sqlx::query_scalar::<$db, Vec<u8>>(sql::SELECT_NETWORK_KEY)
                    .bind(day)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(key)
            }

            pub(super) async fn retract_vote(
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
                let mut query = sqlx::query_as::<$db, RatingRow>(sql::APPLY_DELTA).bind(article);
                for value in delta_values(delta) {
                    query = query.bind(value);
                }
                Ok(query.fetch_one(&mut **tx).await?.into())
            }

            pub(super) async fn find_vote(
                &self,
                article: &ArticleId,
                voter: &VoterHash,
            ) -> Result<Option<StoredVote>, sqlx::Error> {
                let row = sqlx::query_as::<$db, (i16, i64, i64, Option<String>)>(sql::SELECT_VOTE)
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
            }

            pub(super) async fn rating(
                &self,
                article: &ArticleId,
            ) -> Result<RatingCounts, sqlx::Error> {
                let row = sqlx::query_as::<$db, RatingRow>(sql::SELECT_RATING)
                    .bind(article.as_str())
                    .fetch_optional(&self.reader)
                    .await?;
                Ok(row.map(RatingCounts::from).unwrap_or_default())
            }

            pub(super) async fn ratings(
                &self,
                articles: &[ArticleId],
            ) -> Result<std::collections::HashMap<String, RatingCounts>, sqlx::Error> {
                let rows: Vec<ArticleRatingRow> =
                    Self::select_ratings(&self.reader, articles).await?;
                Ok(rows
                    .into_iter()
                    .map(|row| (row.article_id, row.counts.into()))
                    .collect())
            }

            pub(super) async fn recount(
                &self,
                article: &ArticleId,
            ) -> Result<RatingCounts, sqlx::Error> {
                let row = sqlx::query_as::<$db, RatingRow>(sql::RECOUNT)
                    .bind(article.as_str())
                    .fetch_one(&self.reader)
                    .await?;
                Ok(row.into())
            }

            pub(super) async fn ping(&self) -> Result<(), sqlx::Error> {
                sqlx::query::<$db>(sql::PING)
                    .execute(&self.reader)
                    .await
                    .map(drop)
            }

            pub(super) async fn verify(
                &self,
            ) -> Result<Vec<(String, RatingCounts, RatingCounts)>, sqlx::Error> {
                let kept = sqlx::query_as::<$db, ArticleRatingRow>(sql::ALL_RATINGS)
                    .fetch_all(&self.reader)
                    .await?;
                let counted = sqlx::query_as::<$db, ArticleRatingRow>(sql::ALL_RECOUNTS)
                    .fetch_all(&self.reader)
                    .await?;
                let counted: std::collections::HashMap<String, RatingCounts> = counted
                    .into_iter()
                    .map(|row| (row.article_id, row.counts.into()))
                    .collect();
                Ok(kept
                    .into_iter()
                    .filter_map(|row| {
                        let kept = RatingCounts::from(row.counts);
                        let recount = counted.get(&row.article_id).copied().unwrap_or_default();
                        (kept != recount).then_some((row.article_id, kept, recount))
                    })
                    .collect())
            }

            pub(super) fn pool_stats(&self) -> Vec<(&'static str, super::PoolStats)> {
                let stats = |pool: &sqlx::Pool<$db>| {
                    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
                    super::PoolStats {
                        in_use: pool.size().saturating_sub(idle),
                        idle,
                    }
                };
                if !SEPARATE_READER {
                    vec![("pool", stats(&self.writer))]
                } else {
                    vec![
                        ("writer", stats(&self.writer)),
                        ("reader", stats(&self.reader)),
                    ]
                }
            }

            pub(super) async fn close(&self) {
                self.writer.close().await;
                self.reader.close().await;
            }
        }
    };
}
