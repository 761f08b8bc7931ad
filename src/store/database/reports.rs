//! The aggregations behind editors' reports, computed from the votes themselves so that any
//! time window can be asked for.

use super::rows::RatingRow;
use super::{Database, StoreFuture};
use crate::domain::ArticleId;
use crate::store::dialect::Dialect;
use crate::store::reports::{ArticleFigures, DayFigures, ReportWindow, RevisionFigures};
use crate::store::{RatingCounts, sql};
use sqlx::{Encode, Executor, FromRow, Type};

pub trait Reports {
    /// Every article with votes in the window, with its figures.
    fn article_figures<'a>(
        &'a self,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<ArticleFigures>>;
    /// One article's figures over the window (zero if it has no votes in it).
    fn one_article_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, RatingCounts>;
    /// Count and star sum of every vote in the window.
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
pub struct ArticleFiguresRow {
    article_id: String,
    title: Option<String>,
    section: Option<String>,
    #[sqlx(flatten)]
    counts: RatingRow,
}

impl From<ArticleFiguresRow> for ArticleFigures {
    fn from(row: ArticleFiguresRow) -> Self {
        Self {
            article_id: row.article_id,
            title: row.title,
            section: row.section,
            counts: row.counts.into(),
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

impl<DB: Dialect> Reports for Database<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> ArticleFiguresRow: FromRow<'r, DB::Row>,
    for<'r> RevisionFiguresRow: FromRow<'r, DB::Row>,
    for<'r> DayFigures: FromRow<'r, DB::Row>,
{
    fn article_figures<'a>(
        &'a self,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<ArticleFigures>> {
        Box::pin(async move {
            let section = window.section.as_deref();
            let rows = if window.is_all_time() {
                sqlx::query_as::<DB, ArticleFiguresRow>(sql::ARTICLE_FIGURES_ALL_TIME)
                    .bind(section)
                    .fetch_all(&self.reader)
                    .await?
            } else {
                sqlx::query_as::<DB, ArticleFiguresRow>(sql::ARTICLE_FIGURES_IN_WINDOW)
                    .bind(section)
                    .bind(window.from)
                    .bind(window.to)
                    .fetch_all(&self.reader)
                    .await?
            };
            Ok(rows.into_iter().map(ArticleFigures::from).collect())
        })
    }

    fn one_article_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, RatingCounts> {
        Box::pin(async move {
            let row = sqlx::query_as::<DB, ArticleFiguresRow>(sql::ONE_ARTICLE_FIGURES)
                .bind(article.as_str())
                .bind(window.from)
                .bind(window.to)
                .fetch_optional(&self.reader)
                .await?;
            Ok(row.map(|row| row.counts.into()).unwrap_or_default())
        })
    }

    fn window_totals<'a>(&'a self, window: &'a ReportWindow) -> StoreFuture<'a, (i64, i64)> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, (i64, i64)>(sql::WINDOW_TOTALS)
                .bind(window.from)
                .bind(window.to)
                .fetch_one(&self.reader)
                .await?)
        })
    }

    fn daily_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<DayFigures>> {
        Box::pin(async move {
            Ok(sqlx::query_as::<DB, DayFigures>(sql::DAILY_FIGURES)
                .bind(article.as_str())
                .bind(window.from)
                .bind(window.to)
                .fetch_all(&self.reader)
                .await?)
        })
    }

    fn revision_figures<'a>(
        &'a self,
        article: &'a ArticleId,
        window: &'a ReportWindow,
    ) -> StoreFuture<'a, Vec<RevisionFigures>> {
        Box::pin(async move {
            let rows = sqlx::query_as::<DB, RevisionFiguresRow>(sql::REVISION_FIGURES)
                .bind(article.as_str())
                .bind(window.from)
                .bind(window.to)
                .fetch_all(&self.reader)
                .await?;
            Ok(rows.into_iter().map(RevisionFigures::from).collect())
        })
    }
}
