//! The store's side of `plaudit import wordpress`: the records of earlier imports, and a batch
//! of whole articles in one transaction. Votes go in as multi-row INSERTs (the bulk of an
//! import), the rest a few statements per article.

use super::{Database, StoreFuture};
use crate::store::delta::DayDeltas;
use crate::store::dialect::Dialect;
use crate::store::import::{ImportRecord, ImportedArticle, ImportedVote};
use crate::store::{StoreError, sql};
use sqlx::{Encode, Executor, FromRow, QueryBuilder, Transaction, Type};

/// 5 parameters a vote: 5,000 a statement, below SQLite's limit of 32,766 and PostgreSQL's
/// of 65,535.
const VOTES_PER_INSERT: usize = 1000;
/// 10 parameters a record.
const RECORDS_PER_INSERT: usize = 500;

pub trait Importing {
    fn import_records<'a>(&'a self, plugin: &'a str) -> StoreFuture<'a, Vec<ImportRecord>>;
    fn import_articles<'a>(
        &'a self,
        articles: &'a [ImportedArticle],
        now: i64,
    ) -> StoreFuture<'a, ()>;
}

impl<DB: Dialect> Importing for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'r> ImportRecord: FromRow<'r, DB::Row>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
{
    fn import_records<'a>(&'a self, plugin: &'a str) -> StoreFuture<'a, Vec<ImportRecord>> {
        Box::pin(async move {
            Ok(
                sqlx::query_as::<DB, ImportRecord>(sql::SELECT_IMPORT_RECORDS)
                    .bind(plugin)
                    .fetch_all(&self.writer)
                    .await?,
            )
        })
    }

    fn import_articles<'a>(
        &'a self,
        articles: &'a [ImportedArticle],
        now: i64,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            // Article rows are locked in id order, as the vote batches lock theirs, so that an
            // import running beside a live service on PostgreSQL cannot deadlock with a batch.
            let mut in_lock_order: Vec<&ImportedArticle> = articles.iter().collect();
            in_lock_order.sort_by(|a, b| a.record.article_id.cmp(&b.record.article_id));
            let mut tx = self.writer.begin_with(DB::BEGIN_WRITE).await?;
            let mut days = DayDeltas::default();
            for article in in_lock_order {
                Self::import_article(&mut tx, article, now).await?;
                for vote in &article.new_votes {
                    days.add(&article.record.article_id, vote.at, vote.stars);
                }
            }
            Self::upsert_import_records(&mut tx, articles, now).await?;
            Self::insert_imported_votes(&mut tx, articles).await?;
            Self::apply_day_deltas(&mut tx, &days).await?;
            tx.commit().await?;
            Ok(())
        })
    }
}

impl<DB: Dialect> Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
{
    /// The article row (made if missing, its metadata filled where empty, which also locks
    /// it), its aggregates and its feedback.
    async fn import_article(
        tx: &mut Transaction<'static, DB>,
        article: &ImportedArticle,
        now: i64,
    ) -> Result<(), StoreError> {
        let id = article.record.article_id.as_str();
        let (unknown_votes, unknown_sum) =
            sqlx::query_as::<DB, (i64, i64)>(sql::ENSURE_IMPORTED_ARTICLE)
                .bind(id)
                .bind(now)
                .bind(article.title.as_deref())
                .bind(article.url.as_deref())
                .bind(article.published_at.as_deref())
                .fetch_one(&mut **tx)
                .await?;
        let (votes_change, sum_change) = clamped_unknown_change(
            (unknown_votes, unknown_sum),
            (article.unknown_votes_change, article.unknown_sum_change),
        );
        let mut distribution = [0i64; 5];
        for vote in &article.new_votes {
            distribution[usize::from(vote.stars.get() - 1)] += 1;
        }
        let known_count: i64 = distribution.iter().sum();
        let known_sum: i64 = (1..).zip(distribution).map(|(stars, n)| stars * n).sum();
        let mut update = sqlx::query::<DB>(sql::APPLY_IMPORT)
            .bind(id)
            .bind(known_count + votes_change)
            .bind(known_sum + sum_change);
        for n in distribution {
            update = update.bind(n);
        }
        update
            .bind(votes_change)
            .bind(sum_change)
            .execute(&mut **tx)
            .await?;
        for entry in &article.feedback {
            sqlx::query::<DB>(sql::INSERT_IMPORTED_FEEDBACK)
                .bind(id)
                .bind(entry.voter_hash.as_slice())
                .bind(i16::from(entry.stars.get()))
                .bind(entry.text.as_str())
                .bind(entry.at)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// The batch's import records, many to a statement (a batch names an article once).
    async fn upsert_import_records(
        tx: &mut Transaction<'static, DB>,
        articles: &[ImportedArticle],
        now: i64,
    ) -> Result<(), StoreError> {
        for rows in articles.chunks(RECORDS_PER_INSERT) {
            let mut upsert = QueryBuilder::<DB>::new(sql::UPSERT_IMPORT_RECORDS);
            upsert.push_values(rows, |mut row, article| {
                let record = &article.record;
                row.push_bind(record.article_id.as_str())
                    .push_bind(record.plugin.as_str())
                    .push_bind(record.post_id)
                    .push_bind(record.known_votes)
                    .push_bind(record.known_star_sum)
                    .push_bind(record.last_row_id)
                    .push_bind(record.unknown_star_votes)
                    .push_bind(record.unknown_star_sum)
                    .push_bind(record.feedback_last.as_str())
                    .push_bind(now);
            });
            upsert.push(sql::UPSERT_IMPORT_RECORDS_END);
            upsert.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Every new vote of the batch. No `ON CONFLICT`: a vote's hash names its plugin row, and
    /// rows past the record's last are new by construction, so a clash is a bug to stop at.
    async fn insert_imported_votes(
        tx: &mut Transaction<'static, DB>,
        articles: &[ImportedArticle],
    ) -> Result<(), StoreError> {
        let votes: Vec<(&str, &ImportedVote)> = articles
            .iter()
            .flat_map(|article| {
                let id = article.record.article_id.as_str();
                article.new_votes.iter().map(move |vote| (id, vote))
            })
            .collect();
        for rows in votes.chunks(VOTES_PER_INSERT) {
            let mut insert = QueryBuilder::<DB>::new(
                "INSERT INTO votes (article_id, voter_hash, stars, created_at, updated_at) ",
            );
            insert.push_values(rows, |mut row, (article, vote)| {
                row.push_bind(*article)
                    .push_bind(vote.voter_hash.as_slice())
                    .push_bind(i16::from(vote.stars.get()))
                    .push_bind(vote.at)
                    .push_bind(vote.at);
            });
            insert.build().execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// The change to an article's unknown-star votes, kept from taking them below zero or their
/// average outside 1..=5. It only bites after an admin reset (which zeroed them while the
/// import record kept its figures) when the plugin's totals then went down: the reset votes
/// stay gone, and nothing is taken from the votes readers cast since.
fn clamped_unknown_change(now: (i64, i64), change: (i64, i64)) -> (i64, i64) {
    let votes = (now.0 + change.0).max(0);
    let sum = if votes == 0 {
        0
    } else {
        (now.1 + change.1).clamp(votes, 5 * votes)
    };
    (votes - now.0, sum - now.1)
}

#[cfg(test)]
mod tests {
    use super::clamped_unknown_change;

    #[test]
    fn a_change_applies_as_given_within_bounds() {
        assert_eq!(clamped_unknown_change((3, 12), (2, 7)), (2, 7));
        assert_eq!(clamped_unknown_change((3, 12), (-1, -4)), (-1, -4));
    }

    #[test]
    fn after_a_reset_the_votes_do_not_go_below_zero() {
        assert_eq!(clamped_unknown_change((0, 0), (-2, -8)), (0, 0));
        assert_eq!(clamped_unknown_change((1, 5), (-1, -2)), (-1, -5));
        assert_eq!(clamped_unknown_change((2, 2), (0, 5)), (0, 5));
        assert_eq!(clamped_unknown_change((2, 10), (0, -9)), (0, -8));
    }
}
