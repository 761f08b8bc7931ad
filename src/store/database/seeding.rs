//! The store's side of `plaudit seed`: what the database holds already, and a batch of new
//! articles with their votes, written in one transaction by the dialect's bulk path.

use super::{Database, StoreFuture};
use crate::store::bulk::{SeedBatch, SeedState};
use crate::store::dialect::Dialect;
use crate::store::{StoreError, sql};
use sqlx::{Executor, FromRow};

pub trait Seeding {
    fn seed_state(&self) -> StoreFuture<'_, SeedState>;
    fn seed_batch<'a>(&'a self, batch: &'a SeedBatch) -> StoreFuture<'a, ()>;
    fn finish_seed(&self) -> StoreFuture<'_, ()>;
}

impl<DB: Dialect> Seeding for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
{
    fn seed_state(&self) -> StoreFuture<'_, SeedState> {
        Box::pin(async move {
            let (articles, votes) = sqlx::query_as::<DB, (i64, i64)>(sql::SEED_STATE)
                .fetch_one(&self.reader)
                .await?;
            Ok(SeedState { articles, votes })
        })
    }

    fn seed_batch<'a>(&'a self, batch: &'a SeedBatch) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            DB::write_seed_batch(&mut *tx, batch).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn finish_seed(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            if let Some(statement) = DB::AFTER_SEED {
                // Outside a transaction: PostgreSQL refuses VACUUM inside one.
                sqlx::raw_sql(statement).execute(&self.writer).await?;
            }
            Ok::<(), StoreError>(())
        })
    }
}
