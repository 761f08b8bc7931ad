//! The daily roll-ups' share of a write: what a batch (or a retraction) moved between days,
//! added to `article_days` in the same transaction (see `DayDeltas`).

use super::Database;
use crate::store::delta::DayDeltas;
use crate::store::dialect::Dialect;
use crate::store::{StoreError, sql};
use sqlx::{Encode, Executor, Transaction, Type};

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    /// One statement whatever the batch: a plain upsert for the usual single day (a vote, or
    /// a batch on one article today), which costs a database less than reading JSON; the
    /// dialect's JSON form for more (see `Dialect::APPLY_DAY_DELTAS`).
    pub(super) async fn apply_day_deltas(
        tx: &mut Transaction<'static, DB>,
        days: &DayDeltas,
    ) -> Result<(), StoreError> {
        if let Some((article, day, counts)) = days.single() {
            let mut upsert = sqlx::query::<DB>(sql::APPLY_DAY_DELTA)
                .bind(article)
                .bind(day);
            for n in counts {
                upsert = upsert.bind(n);
            }
            upsert.execute(&mut **tx).await?;
        } else if let Some(rows) = days.to_json() {
            sqlx::query::<DB>(DB::APPLY_DAY_DELTAS)
                .bind(rows)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}
