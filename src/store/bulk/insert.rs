//! SQLite: a seed batch as multi-row INSERTs of a fixed number of rows, so that every full
//! statement has the same text and its prepared form is reused from the connection's cache.

use super::SeedBatch;
use crate::store::StoreError;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// 14 columns a row for articles: 14,000 parameters, below SQLite's limit of 32,766.
const ROWS_PER_INSERT: usize = 1000;

/// Runs inside the caller's transaction, so a batch is stored whole or not at all.
pub async fn write_batch(conn: &mut SqliteConnection, batch: &SeedBatch) -> Result<(), StoreError> {
    let aggregates = batch.aggregates()?;
    let articles: Vec<_> = batch.articles.iter().zip(aggregates).collect();
    for rows in articles.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO articles (article_id, vote_count, star_sum, \
             stars_1, stars_2, stars_3, stars_4, stars_5, created_at, \
             title, url, section, authors, published_at) ",
        );
        insert.push_values(rows, |mut row, (article, counts)| {
            row.push_bind(article.id.as_str())
                .push_bind(counts.count)
                .push_bind(counts.star_sum);
            for n in counts.distribution {
                row.push_bind(n);
            }
            row.push_bind(article.created_at)
                .push_bind(article.title.as_str())
                .push_bind(article.url.as_str())
                .push_bind(article.section.as_str())
                .push_bind(article.authors.as_str())
                .push_bind(article.published_at.as_str());
        });
        insert.build().execute(&mut *conn).await?;
    }

    let votes = batch
        .votes
        .iter()
        .map(|vote| Ok((batch.article_id(vote)?, vote)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    for rows in votes.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO votes \
             (article_id, voter_hash, stars, revision, created_at, updated_at) ",
        );
        insert.push_values(rows, |mut row, (article, vote)| {
            row.push_bind(*article)
                .push_bind(vote.voter_hash.as_slice())
                .push_bind(i64::from(vote.stars.get()))
                .push_bind(vote.revision.as_deref())
                .push_bind(vote.created_at)
                .push_bind(vote.updated_at);
        });
        insert.build().execute(&mut *conn).await?;
    }

    let days = batch.days()?;
    for rows in days.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO article_days \
             (article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5) ",
        );
        insert.push_values(rows, |mut row, (article, day, counts)| {
            row.push_bind(*article).push_bind(*day);
            for n in counts {
                row.push_bind(*n);
            }
        });
        insert.build().execute(&mut *conn).await?;
    }

    let feedback = batch
        .feedback
        .iter()
        .map(|entry| Ok((batch.feedback_vote(entry)?, entry)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    for rows in feedback.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO feedback \
             (article_id, voter_hash, stars, revision, text, created_at) ",
        );
        insert.push_values(rows, |mut row, ((vote, article), entry)| {
            row.push_bind(*article)
                .push_bind(vote.voter_hash.as_slice())
                .push_bind(i64::from(vote.stars.get()))
                .push_bind(vote.revision.as_deref())
                .push_bind(entry.text.as_str())
                .push_bind(entry.created_at);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}
