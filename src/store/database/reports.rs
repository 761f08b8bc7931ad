//! The aggregations behind editors' reports, run in the database (see `report_sql.rs` for
//! the statements, `report_reads.rs` for how each reads). Each report reads in one
//! transaction, so its parts agree with each other, bounded by the report timeout:
//! PostgreSQL cancels a statement that runs past it, and either way the caller gets
//! `Unavailable` (503) rather than a connection held for minutes.

use super::report_reads::{Binds, bind_all};
use super::rows::RatingRow;
use super::{Database, StoreFuture};
use crate::domain::ArticleId;
use crate::store::dialect::Dialect;
use crate::store::report_sql::{self, Only, Scope};
use crate::store::reports::{
    ArticleFigures, DayFigures, RankedArticle, RankingQuery, ReportWindow, RevisionFigures,
    SectionFigures, SortKey,
};
use crate::store::{RatingCounts, StoreError, sql};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sqlx::database::HasStatementCache;
use sqlx::{Encode, Executor, FromRow, Type};

pub trait Reports {
    fn ranking<'a>(&'a self, query: &'a RankingQuery) -> StoreFuture<'a, Vec<RankedArticle>>;
    fn ranking_stream(
        &self,
        query: RankingQuery,
    ) -> BoxStream<'static, Result<RankedArticle, StoreError>>;
    fn section_figures<'a>(
        &'a self,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<SectionFigures>>;
    /// One article's figures over the window (zero if it has no votes in it).
    fn one_article_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, RatingCounts>;
    /// Count and star sum of every vote in the window (and its section).
    fn window_totals<'a>(&'a self, window: &'a ReportWindow) -> StoreFuture<'a, (i64, i64)>;
    fn daily_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<DayFigures>>;
    fn revision_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<RevisionFigures>>;
}

#[derive(Debug, sqlx::FromRow)]
pub struct RankedRow {
    article_id: String,
    title: Option<String>,
    section: Option<String>,
    #[sqlx(flatten)]
    counts: RatingRow,
    sort_value: f64,
}

impl From<RankedRow> for RankedArticle {
    fn from(row: RankedRow) -> Self {
        Self {
            figures: ArticleFigures {
                article_id: row.article_id,
                title: row.title,
                section: row.section,
                counts: row.counts.into(),
            },
            sort_value: row.sort_value,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct RevisionFiguresRow {
    revision: Option<String>,
    #[sqlx(flatten)]
    counts: RatingRow,
}

impl From<RevisionFiguresRow> for RevisionFigures {
    fn from(row: RevisionFiguresRow) -> Self {
        Self {
            revision: row.revision,
            counts: row.counts.into(),
        }
    }
}

/// Section, articles, votes per star, and the imported votes whose star is unknown with their
/// star sum (all time only).
type SectionRow = (Option<String>, i64, i64, i64, i64, i64, i64, i64, i64);

impl<DB: Dialect + HasStatementCache> Reports for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> f64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<f64>: Encode<'q, DB> + Type<DB>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> (Option<i64>,): FromRow<'r, DB::Row>,
    for<'r> SectionRow: FromRow<'r, DB::Row>,
    for<'r> RankedRow: FromRow<'r, DB::Row>,
    for<'r> RevisionFiguresRow: FromRow<'r, DB::Row>,
    for<'r> DayFigures: FromRow<'r, DB::Row>,
{
    fn ranking<'a>(&'a self, query: &'a RankingQuery) -> StoreFuture<'a, Vec<RankedArticle>> {
        Box::pin(self.bounded(async move {
            let mut tx = self.report_transaction().await?;
            let scope = Self::scope(&mut tx, &query.window).await?;
            let binds = Binds::ranking(query).scoped(&query.window, scope);
            let statement =
                report_sql::ranking(Self::words(), scope, binds.only(), query.sort, query.order);
            let rows = bind_all!(sqlx::query_as::<DB, RankedRow>(statement), binds)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(rows.into_iter().map(RankedArticle::from).collect())
        }))
    }

    fn ranking_stream(
        &self,
        query: RankingQuery,
    ) -> BoxStream<'static, Result<RankedArticle, StoreError>> {
        // Enough rows in flight to keep the database busy while the client reads, few enough
        // that memory stays flat whatever the ranking's length.
        let (send, receive) = tokio::sync::mpsc::channel(256);
        let pool = self.reader.clone();
        tokio::spawn(async move {
            let scope = match pool.begin().await {
                Ok(mut tx) => Self::scope(&mut tx, &query.window).await,
                Err(error) => Err(error.into()),
            };
            let scope = match scope {
                Ok(scope) => scope,
                Err(error) => {
                    let _ = send.send(Err(error)).await;
                    return;
                }
            };
            let binds = Binds::ranking(&query).scoped(&query.window, scope);
            let statement =
                report_sql::ranking(Self::words(), scope, binds.only(), query.sort, query.order);
            let mut rows =
                bind_all!(sqlx::query_as::<DB, RankedRow>(statement), binds).fetch(&pool);
            while let Some(row) = rows.next().await {
                let row = row.map(RankedArticle::from).map_err(StoreError::from);
                let failed = row.is_err();
                // A closed channel: the client went away; dropping `rows` ends the query.
                if send.send(row).await.is_err() || failed {
                    break;
                }
            }
        });
        futures_util::stream::unfold(receive, |mut receive| async move {
            receive.recv().await.map(|row| (row, receive))
        })
        .boxed()
    }

    fn section_figures<'a>(
        &'a self,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<SectionFigures>> {
        Box::pin(self.bounded(async move {
            let mut tx = self.report_transaction().await?;
            let scope = Self::scope(&mut tx, window).await?;
            let binds = Binds::of(window).scoped(window, scope);
            let statement = report_sql::sections(Self::words(), scope);
            let rows = bind_all!(sqlx::query_as::<DB, SectionRow>(statement), binds)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(rows
                .into_iter()
                .map(
                    |(section, articles, s1, s2, s3, s4, s5, unknown, unknown_sum)| {
                        let mut counts = RatingCounts::of_distribution([s1, s2, s3, s4, s5]);
                        counts.count += unknown;
                        counts.star_sum += unknown_sum;
                        SectionFigures {
                            section,
                            articles,
                            counts,
                        }
                    },
                )
                .collect())
        }))
    }

    fn one_article_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, RatingCounts> {
        Box::pin(self.bounded(async move {
            // The ranking of one article: its row, if it has votes in the window.
            let binds = Binds {
                article: Some(article.to_string()),
                ..Binds::of(window)
            };
            // One article's votes are few: its days, never the archive less them.
            let scope = if window.is_all_time() {
                Scope::AllTime
            } else {
                Scope::Window
            };
            let statement = report_sql::ranking(
                Self::words(),
                scope,
                Only::Article,
                SortKey::Count,
                crate::store::reports::Order::Desc,
            );
            let mut tx = self.report_transaction().await?;
            let row = bind_all!(sqlx::query_as::<DB, RankedRow>(statement), binds)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(row.map(|row| row.counts.into()).unwrap_or_default())
        }))
    }

    fn window_totals<'a>(&'a self, window: &'a ReportWindow) -> StoreFuture<'a, (i64, i64)> {
        Box::pin(self.bounded(async move {
            let mut tx = self.report_transaction().await?;
            let scope = Self::scope(&mut tx, window).await?;
            let binds = Binds::of(window).scoped(window, scope);
            let statement = report_sql::totals(Self::words(), scope, binds.only());
            let totals = bind_all!(sqlx::query_as::<DB, (i64, i64)>(statement), binds)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(totals)
        }))
    }

    fn daily_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<DayFigures>> {
        Box::pin(self.bounded(async move {
            let binds = Binds {
                article: Some(article.to_string()),
                ..Binds::of(window)
            };
            let mut tx = self.report_transaction().await?;
            let days = bind_all!(sqlx::query_as::<DB, DayFigures>(sql::DAILY_FIGURES), binds)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(days)
        }))
    }

    fn revision_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<RevisionFigures>> {
        Box::pin(self.bounded(async move {
            let mut tx = self.report_transaction().await?;
            let rows = sqlx::query_as::<DB, RevisionFiguresRow>(sql::REVISION_FIGURES)
                .bind(article.as_str())
                .bind(window.from)
                .bind(window.to)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(rows.into_iter().map(RevisionFigures::from).collect())
        }))
    }
}
