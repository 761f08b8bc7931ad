//! The store code both backends share, written once and stamped out for each sqlx database
//! type: sqlx's traits make a function generic over databases harder to read than this.
//!
//! A backend module provides `writer` and `reader` pools on its store, a `MIGRATOR`, and
//! the dialect string `BEGIN_WRITE`. The vote write path is in `vote_writes.rs`.

use super::RatingCounts;
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

/// A value bound as one JSON text parameter: how a batch reaches SQL in one statement
/// (`json_each` on SQLite, `json_array_elements_text` on PostgreSQL).
pub(super) fn json_param(value: &impl serde::Serialize) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|error| sqlx::Error::Encode(error.into()))
}

pub(super) fn stars_from_db(value: i16) -> Result<Stars, sqlx::Error> {
    Stars::new(i64::from(value))
        .ok_or_else(|| sqlx::Error::Decode(format!("stored stars out of range: {value}").into()))
}

macro_rules! shared_store_impl {
    ($store:ty, $db:ty) => {
        use super::backend::{ArticleRatingRow, RatingRow, stars_from_db};
        use super::{RatingCounts, StoredVote, sql};
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
