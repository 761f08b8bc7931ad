//! The aggregations behind editors' reports, run in the database (see `report_sql.rs` for
//! the statements). Each report reads in one transaction, so its parts agree with each other,
//! bounded by the report timeout: PostgreSQL cancels a statement that runs past it, and
//! either way the caller gets `Unavailable` (503) rather than a connection held for minutes.

use super::rows::RatingRow;
use super::{Database, StoreFuture};
use crate::domain::ArticleId;
use crate::store::delta::DAY_MS;
use crate::store::dialect::Dialect;
use crate::store::report_sql::{self, Only, Scope, Words};
use crate::store::reports::{
    ArticleFigures, DayFigures, RankedArticle, RankingQuery, ReportWindow, RevisionFigures,
    SectionFigures, SortKey,
};
use crate::store::{RatingCounts, StoreError, sql};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sqlx::database::HasStatementCache;
use sqlx::{Encode, Executor, FromRow, Transaction, Type};
use std::future::Future;

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

type SectionRow = (Option<String>, i64, i64, i64, i64, i64, i64);

/// The values of every report statement's parameters, in their order (see `report_sql.rs`).
#[derive(Debug, Clone)]
struct Binds {
    section: Option<String>,
    article: Option<String>,
    days: (i64, i64),
    edges: [(i64, i64); 2],
    min_votes: i64,
    prior: (f64, f64),
    after: Option<(f64, String)>,
    limit: i64,
}

impl Binds {
    /// For `Scope::AllBut`, what lies before the window; otherwise the window itself.
    fn scoped(self, window: &ReportWindow, scope: Scope) -> Self {
        if scope != Scope::AllBut {
            return self;
        }
        let (days, part) = window.before();
        Self {
            days,
            edges: [part, (0, 0)],
            ..self
        }
    }

    fn of(window: &ReportWindow) -> Self {
        let (days, edges) = window.split();
        Self {
            section: window.section.clone(),
            article: None,
            days,
            edges,
            min_votes: 0,
            prior: (0.0, 0.0),
            after: None,
            limit: i64::MAX,
        }
    }

    fn ranking(query: &RankingQuery) -> Self {
        Self {
            min_votes: query.min_votes,
            prior: query.prior,
            after: query.after.clone(),
            limit: query.limit,
            ..Self::of(&query.window)
        }
    }

    fn only(&self) -> Only {
        match (&self.article, &self.section) {
            (Some(_), _) => Only::Article,
            (None, Some(_)) => Only::Section,
            (None, None) => Only::Everything,
        }
    }
}

/// Binds every parameter of a report statement, and asks for an unnamed statement: planned
/// with the window's own values (a week and a year want different plans), not a generic plan.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let b = &$binds;
        $query
            .bind(b.section.as_deref())
            .bind(b.article.as_deref())
            .bind(b.days.0)
            .bind(b.days.1)
            .bind(b.edges[0].0)
            .bind(b.edges[0].1)
            .bind(b.edges[1].0)
            .bind(b.edges[1].1)
            .bind(b.min_votes)
            .bind(b.prior.0)
            .bind(b.prior.1)
            .bind(crate::stats::Z_95)
            .bind(b.after.as_ref().map(|(value, _)| *value))
            .bind(b.after.as_ref().map(|(_, id)| id.as_str()))
            .bind(b.limit)
            .persistent(false)
    }};
}

impl<DB: Dialect> Database<DB> {
    fn words() -> Words {
        Words {
            float: DB::FLOAT,
            byte_order: DB::BYTE_ORDER,
        }
    }

    /// A read transaction whose statements the database cancels past the report timeout.
    async fn report_transaction(&self) -> Result<Transaction<'static, DB>, StoreError>
    where
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'q> String: Encode<'q, DB> + Type<DB>,
    {
        let mut tx = self.reader.begin().await?;
        if let Some(statement) = DB::LIMIT_STATEMENT_TIME {
            sqlx::query::<DB>(statement)
                .bind(self.report_timeout.as_millis().to_string())
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Where a report over `window` reads: the kept rows for all time; for a window open at
    /// its end that holds more days of the archive than lie before it, the kept rows less
    /// what came before (a year of a year and a week is a week's work, not a year's);
    /// otherwise the window's days.
    async fn scope(
        tx: &mut Transaction<'static, DB>,
        window: &ReportWindow,
    ) -> Result<Scope, StoreError>
    where
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> (Option<i64>,): FromRow<'r, DB::Row>,
    {
        if window.is_all_time() {
            return Ok(Scope::AllTime);
        }
        if window.to != i64::MAX || window.from <= 0 {
            return Ok(Scope::Window);
        }
        let (oldest,) = sqlx::query_as::<DB, (Option<i64>,)>(sql::OLDEST_DAY)
            .fetch_one(&mut **tx)
            .await?;
        let first = window.from.div_euclid(DAY_MS);
        let today = crate::store::now_millis().div_euclid(DAY_MS);
        Ok(match oldest {
            Some(oldest) if first - oldest < today + 1 - first => Scope::AllBut,
            _ => Scope::Window,
        })
    }

    /// The answer of `report`, or `Unavailable` once the timeout has passed (where the
    /// database cannot cancel, the query runs on, but nobody waits for it).
    async fn bounded<T>(
        &self,
        report: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let limit = self.report_timeout;
        tokio::time::timeout(limit, report)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::unavailable(format!(
                    "a report ran past {} s (PLAUDIT_REPORT_TIMEOUT)",
                    limit.as_secs()
                )))
            })
    }
}

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
                .map(|(section, articles, s1, s2, s3, s4, s5)| SectionFigures {
                    section,
                    articles,
                    counts: RatingCounts::of_distribution([s1, s2, s3, s4, s5]),
                })
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
