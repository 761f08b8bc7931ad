//! The aggregations behind editors' reports, computed from the votes themselves so that any
//! time window can be asked for.

use super::backend::RatingRow;
use super::{RatingCounts, Store};
use crate::domain::ArticleId;

/// Count, star sum and distribution of the votes in scope; also used by `sql::RECOUNT`'s twin.
macro_rules! tally_columns {
    () => {
        "COUNT(*) AS vote_count, COALESCE(SUM(stars), 0) AS star_sum, \
         COALESCE(SUM(CASE WHEN stars = 1 THEN 1 ELSE 0 END), 0) AS stars_1, \
         COALESCE(SUM(CASE WHEN stars = 2 THEN 1 ELSE 0 END), 0) AS stars_2, \
         COALESCE(SUM(CASE WHEN stars = 3 THEN 1 ELSE 0 END), 0) AS stars_3, \
         COALESCE(SUM(CASE WHEN stars = 4 THEN 1 ELSE 0 END), 0) AS stars_4, \
         COALESCE(SUM(CASE WHEN stars = 5 THEN 1 ELSE 0 END), 0) AS stars_5"
    };
}

/// A vote counts in a window by the time it was last cast or changed.
pub const ARTICLE_FIGURES: &str = concat!(
    "SELECT v.article_id, a.title, a.section, ",
    tally_columns!(),
    " FROM votes v JOIN articles a ON a.article_id = v.article_id \
     WHERE v.updated_at >= $1 AND v.updated_at < $2 \
     AND ($3 IS NULL OR a.section = $3) AND ($4 IS NULL OR v.article_id = $4) \
     GROUP BY v.article_id, a.title, a.section"
);

pub const DAILY_FIGURES: &str = "SELECT updated_at / 86400000 AS day, COUNT(*) AS vote_count, \
     COALESCE(SUM(stars), 0) AS star_sum FROM votes \
     WHERE article_id = $1 AND updated_at >= $2 AND updated_at < $3 \
     GROUP BY updated_at / 86400000 ORDER BY day";

pub const REVISION_FIGURES: &str = concat!(
    "SELECT revision, MIN(updated_at) AS first_vote_at, ",
    tally_columns!(),
    " FROM votes WHERE article_id = $1 AND updated_at >= $2 AND updated_at < $3 \
     GROUP BY revision ORDER BY first_vote_at"
);

/// Which votes a report covers.
#[derive(Debug, Clone)]
pub struct ReportWindow {
    /// Unix milliseconds, inclusive.
    pub from: i64,
    /// Unix milliseconds, exclusive.
    pub to: i64,
    pub section: Option<String>,
}

impl Default for ReportWindow {
    fn default() -> Self {
        Self {
            from: 0,
            to: i64::MAX,
            section: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ArticleFigures {
    pub article_id: String,
    pub title: Option<String>,
    pub section: Option<String>,
    pub counts: RatingCounts,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct ArticleFiguresRow {
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

/// Votes last cast on one UTC day.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct DayFigures {
    /// Days since 1970-01-01.
    pub day: i64,
    pub vote_count: i64,
    pub star_sum: i64,
}

#[derive(Debug, Clone)]
pub struct RevisionFigures {
    pub revision: Option<String>,
    pub counts: RatingCounts,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct RevisionFiguresRow {
    revision: Option<String>,
    #[sqlx(flatten)]
    counts: RatingRow,
}

macro_rules! reports_store_impl {
    ($store:ty, $db:ty) => {
        use super::reports::{
            self as rep, ArticleFiguresRow, DayFigures, ReportWindow, RevisionFiguresRow,
        };

        impl $store {
            pub(super) async fn article_figures(
                &self,
                window: &ReportWindow,
                article: Option<&str>,
            ) -> Result<Vec<ArticleFiguresRow>, sqlx::Error> {
                sqlx::query_as::<$db, ArticleFiguresRow>(rep::ARTICLE_FIGURES)
                    .bind(window.from)
                    .bind(window.to)
                    .bind(window.section.as_deref())
                    .bind(article)
                    .fetch_all(&self.reader)
                    .await
            }

            pub(super) async fn daily_figures(
                &self,
                article: &str,
                window: &ReportWindow,
            ) -> Result<Vec<DayFigures>, sqlx::Error> {
                sqlx::query_as::<$db, DayFigures>(rep::DAILY_FIGURES)
                    .bind(article)
                    .bind(window.from)
                    .bind(window.to)
                    .fetch_all(&self.reader)
                    .await
            }

            pub(super) async fn revision_figures(
                &self,
                article: &str,
                window: &ReportWindow,
            ) -> Result<Vec<RevisionFiguresRow>, sqlx::Error> {
                sqlx::query_as::<$db, RevisionFiguresRow>(rep::REVISION_FIGURES)
                    .bind(article)
                    .bind(window.from)
                    .bind(window.to)
                    .fetch_all(&self.reader)
                    .await
            }
        }
    };
}

macro_rules! dispatch_reports {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Store::Sqlite($store) => $call,
            Store::Postgres($store) => $call,
        }
    };
}

impl Store {
    /// Every article with votes in the window (or just `article`), with its figures.
    pub async fn article_figures(
        &self,
        window: &ReportWindow,
        article: Option<&ArticleId>,
    ) -> Result<Vec<ArticleFigures>, sqlx::Error> {
        let article = article.map(ArticleId::as_str);
        let rows = dispatch_reports!(self, s => s.article_figures(window, article).await)?;
        Ok(rows.into_iter().map(ArticleFigures::from).collect())
    }

    pub async fn daily_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<Vec<DayFigures>, sqlx::Error> {
        dispatch_reports!(self, s => s.daily_figures(article.as_str(), window).await)
    }

    pub async fn revision_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<Vec<RevisionFigures>, sqlx::Error> {
        let rows =
            dispatch_reports!(self, s => s.revision_figures(article.as_str(), window).await)?;
        Ok(rows
            .into_iter()
            .map(|row| RevisionFigures {
                revision: row.revision,
                counts: row.counts.into(),
            })
            .collect())
    }
}
