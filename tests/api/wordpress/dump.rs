//! Every row an import writes, as text, to compare a database before and after a run.

use crate::helpers::{TestApp, TestDatabase};

const TABLES: &[&str] = &[
    "SELECT article_id, vote_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5, \
     unknown_star_votes, unknown_star_sum, version, title, url, published_at \
     FROM articles ORDER BY article_id",
    "SELECT article_id, stars, created_at, updated_at FROM votes \
     ORDER BY article_id, created_at, stars",
    "SELECT article_id, day, stars_1, stars_2, stars_3, stars_4, stars_5 FROM article_days \
     ORDER BY article_id, day",
    "SELECT article_id, stars, text, created_at FROM feedback ORDER BY id",
    "SELECT article_id, plugin, post_id, known_votes, known_star_sum, last_row_id, \
     unknown_star_votes, unknown_star_sum, feedback_last FROM wordpress_imports \
     ORDER BY article_id",
    "SELECT COUNT(*) FROM webhook_outbox",
];

/// One line per row, its columns as text.
pub async fn dump(app: &TestApp) -> Vec<String> {
    let mut lines = Vec::new();
    for table in TABLES {
        lines.push(format!("-- {table}"));
        lines.extend(rows(&app.database, table).await);
    }
    lines
}

async fn rows(database: &TestDatabase, statement: &'static str) -> Vec<String> {
    use sqlx::Row;
    fn text<R: Row>(row: &R) -> String
    where
        usize: sqlx::ColumnIndex<R>,
        for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> Option<i16>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        (0..row.columns().len())
            .map(|i| {
                if let Ok(value) = row.try_get::<Option<i64>, _>(i) {
                    format!("{value:?}")
                } else if let Ok(value) = row.try_get::<Option<i16>, _>(i) {
                    format!("{value:?}")
                } else {
                    format!("{:?}", row.try_get::<Option<String>, _>(i).unwrap())
                }
            })
            .collect::<Vec<_>>()
            .join("|")
    }
    match database {
        TestDatabase::Sqlite { url, .. } => {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(url);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            let rows = sqlx::query(statement).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows.iter().map(text).collect()
        }
        TestDatabase::Postgres { url, .. } => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let rows = sqlx::query(statement).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows.iter().map(text).collect()
        }
    }
}
