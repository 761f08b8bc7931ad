//! Reading ratings: the kept aggregates, and recounts of the votes to check them against.

use super::rows::{ArticleRatingRow, RatingRow};
use super::{Database, StoreFuture};
use crate::domain::ArticleId;
use crate::store::dialect::Dialect;
use crate::store::{RatingCounts, StoreError, VersionedRating, sql};
use sqlx::{Encode, Executor, FromRow, Type};
use std::collections::HashMap;

/// An article's kept aggregates and a recount of its votes, where they differ.
pub type Mismatch = (String, RatingCounts, RatingCounts);

pub trait RatingReads {
    /// The article's aggregates; zero if it has none.
    fn rating<'a>(&'a self, article: &'a ArticleId) -> StoreFuture<'a, VersionedRating>;
    /// The aggregates of those of `articles` that have a row.
    fn ratings<'a>(
        &'a self,
        articles: &'a [ArticleId],
    ) -> StoreFuture<'a, HashMap<String, VersionedRating>>;
    /// The aggregates of the articles voted on most recently since `since` (Unix ms): at
    /// most `max_articles`, found among the latest `max_votes` votes (`sql::RECENT_RATINGS`).
    fn recent_ratings(
        &self,
        since: i64,
        max_articles: i64,
        max_votes: i64,
    ) -> StoreFuture<'_, HashMap<String, VersionedRating>>;
    /// The aggregates computed afresh from the votes.
    fn recount<'a>(&'a self, article: &'a ArticleId) -> StoreFuture<'a, RatingCounts>;
    /// Articles whose kept aggregates differ from a recount of their votes.
    fn verify(&self) -> StoreFuture<'_, Vec<Mismatch>>;
}

impl<DB: Dialect> RatingReads for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> RatingRow: FromRow<'r, DB::Row>,
    for<'r> ArticleRatingRow: FromRow<'r, DB::Row>,
    for<'r> DayRow: FromRow<'r, DB::Row>,
{
    fn rating<'a>(&'a self, article: &'a ArticleId) -> StoreFuture<'a, VersionedRating> {
        Box::pin(async move {
            let row = sqlx::query_as::<DB, RatingRow>(sql::SELECT_RATING)
                .bind(article.as_str())
                .fetch_optional(&self.reader)
                .await?;
            Ok(row.map(RatingRow::versioned).unwrap_or_default())
        })
    }

    fn ratings<'a>(
        &'a self,
        articles: &'a [ArticleId],
    ) -> StoreFuture<'a, HashMap<String, VersionedRating>> {
        Box::pin(async move {
            let query = sqlx::query_as::<DB, ArticleRatingRow>(DB::SELECT_RATINGS);
            let rows = DB::bind_ids(query, articles)?
                .fetch_all(&self.reader)
                .await?;
            Ok(rows
                .into_iter()
                .map(|row| (row.article_id, row.counts.versioned()))
                .collect())
        })
    }

    fn recent_ratings(
        &self,
        since: i64,
        max_articles: i64,
        max_votes: i64,
    ) -> StoreFuture<'_, HashMap<String, VersionedRating>> {
        Box::pin(async move {
            let rows = sqlx::query_as::<DB, ArticleRatingRow>(sql::RECENT_RATINGS)
                .bind(since)
                .bind(max_articles)
                .bind(max_votes)
                .fetch_all(&self.reader)
                .await?;
            Ok(rows
                .into_iter()
                .map(|row| (row.article_id, row.counts.versioned()))
                .collect())
        })
    }

    fn recount<'a>(&'a self, article: &'a ArticleId) -> StoreFuture<'a, RatingCounts> {
        Box::pin(async move {
            let row = sqlx::query_as::<DB, RatingRow>(sql::RECOUNT)
                .bind(article.as_str())
                .fetch_one(&self.reader)
                .await?;
            Ok(row.into())
        })
    }

    fn verify(&self) -> StoreFuture<'_, Vec<Mismatch>> {
        Box::pin(async move {
            let kept = sqlx::query_as::<DB, ArticleRatingRow>(sql::ALL_RATINGS)
                .fetch_all(&self.reader)
                .await?;
            let counted: HashMap<String, RatingCounts> =
                sqlx::query_as::<DB, ArticleRatingRow>(sql::ALL_RECOUNTS)
                    .fetch_all(&self.reader)
                    .await?
                    .into_iter()
                    .map(|row| (row.article_id, row.counts.into()))
                    .collect();
            let mut mismatches: Vec<Mismatch> = kept
                .into_iter()
                .filter_map(|row| {
                    let kept = RatingCounts::from(row.counts);
                    let recount = counted.get(&row.article_id).copied().unwrap_or_default();
                    (kept != recount).then_some((row.article_id, kept, recount))
                })
                .collect();
            mismatches.extend(self.day_mismatches().await?);
            Ok(mismatches)
        })
    }
}

type DayRow = (String, i64, i64, i64, i64, i64, i64);

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> DayRow: FromRow<'r, DB::Row>,
{
    /// Days whose roll-up differs from a recount of the votes last cast on them, named
    /// "article on YYYY-MM-DD".
    async fn day_mismatches(&self) -> Result<Vec<Mismatch>, StoreError> {
        let counts = |rows: Vec<DayRow>| -> HashMap<(String, i64), RatingCounts> {
            rows.into_iter()
                .map(|(article, day, s1, s2, s3, s4, s5)| {
                    (
                        (article, day),
                        RatingCounts::of_distribution([s1, s2, s3, s4, s5]),
                    )
                })
                .collect()
        };
        let kept = counts(
            sqlx::query_as::<DB, DayRow>(sql::ALL_DAYS)
                .fetch_all(&self.reader)
                .await?,
        );
        let counted = counts(
            sqlx::query_as::<DB, DayRow>(sql::ALL_DAY_RECOUNTS)
                .fetch_all(&self.reader)
                .await?,
        );
        let mut days: Vec<&(String, i64)> = kept.keys().chain(counted.keys()).collect();
        days.sort();
        days.dedup();
        Ok(days
            .into_iter()
            .filter_map(|key| {
                let kept = kept.get(key).copied().unwrap_or_default();
                let recount = counted.get(key).copied().unwrap_or_default();
                let (article, day) = key;
                (kept != recount).then(|| {
                    let name = format!("{article} on {}", crate::time::format_day(*day));
                    (name, kept, recount)
                })
            })
            .collect())
    }
}
