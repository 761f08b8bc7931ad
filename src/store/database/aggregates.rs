//! A vote batch's share of the kept figures: each article's aggregates (`articles`) and,
//! through `day_rollups.rs`, the daily roll-ups, in the batch's transaction. A viral
//! article's batch (one article, one day) writes both in one statement where the dialect has
//! one.

use super::Database;
use super::rows::{ArticleRatingRow, RatingRow};
use crate::store::delta::{DayDeltas, RatingDelta};
use crate::store::dialect::Dialect;
use crate::store::{StoreError, VersionedRating, sql};
use sqlx::{Encode, Executor, FromRow, Transaction, Type};
use std::collections::{BTreeMap, HashMap};

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> RatingRow: FromRow<'r, DB::Row>,
    for<'r> ArticleRatingRow: FromRow<'r, DB::Row>,
{
    /// A batch's deltas and the days its votes moved; the new ratings by article.
    pub(super) async fn apply_aggregates(
        tx: &mut Transaction<'static, DB>,
        deltas: BTreeMap<&str, RatingDelta>,
        days: &DayDeltas,
    ) -> Result<HashMap<String, VersionedRating>, StoreError> {
        if let (Some(statement), Some((article, delta, day, counts))) = (
            DB::APPLY_DELTA_WITH_DAY,
            Self::one_article_one_day(&deltas, days),
        ) {
            let mut query = sqlx::query_as::<DB, RatingRow>(statement).bind(article);
            for value in delta.values().into_iter().chain([day]).chain(counts) {
                query = query.bind(value);
            }
            let rating = query.fetch_one(&mut **tx).await?.versioned();
            return Ok(HashMap::from([(article.to_owned(), rating)]));
        }
        let ratings = Self::apply_deltas(tx, deltas).await?;
        Self::apply_day_deltas(tx, days).await?;
        Ok(ratings)
    }

    /// The batch's one article and the one day its votes moved, with their deltas, when the
    /// batch is that (as a viral article's batches are).
    fn one_article_one_day<'a>(
        deltas: &BTreeMap<&'a str, RatingDelta>,
        days: &DayDeltas,
    ) -> Option<(&'a str, RatingDelta, i64, [i64; 5])> {
        let (&article, &delta) = deltas.iter().next().filter(|_| deltas.len() == 1)?;
        let (day_article, day, counts) = days.single()?;
        (day_article == article).then_some((article, delta, day, counts))
    }

    /// Every article's delta, in the dialect's way (see `Dialect::APPLY_DELTAS`); the new
    /// ratings by article.
    async fn apply_deltas(
        tx: &mut Transaction<'static, DB>,
        deltas: BTreeMap<&str, RatingDelta>,
    ) -> Result<HashMap<String, VersionedRating>, StoreError> {
        let mut ratings = HashMap::with_capacity(deltas.len());
        let Some(statement) = DB::APPLY_DELTAS else {
            for (article, delta) in deltas {
                let rating = Self::apply_delta(tx, article, delta).await?;
                ratings.insert(article.to_owned(), rating);
            }
            return Ok(ratings);
        };
        let rows: Vec<serde_json::Value> = deltas
            .iter()
            .map(|(article, delta)| {
                let mut row = vec![serde_json::Value::from(*article)];
                row.extend(delta.values().map(serde_json::Value::from));
                serde_json::Value::Array(row)
            })
            .collect();
        let updated = sqlx::query_as::<DB, ArticleRatingRow>(statement)
            .bind(serde_json::to_string(&rows)?)
            .fetch_all(&mut **tx)
            .await?;
        for row in updated {
            ratings.insert(row.article_id, row.counts.versioned());
        }
        Ok(ratings)
    }

    pub(super) async fn apply_delta(
        tx: &mut Transaction<'static, DB>,
        article: &str,
        delta: RatingDelta,
    ) -> Result<VersionedRating, StoreError> {
        let mut query = sqlx::query_as::<DB, RatingRow>(sql::APPLY_DELTA).bind(article);
        for value in delta.values() {
            query = query.bind(value);
        }
        Ok(query.fetch_one(&mut **tx).await?.versioned())
    }
}
