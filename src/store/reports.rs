//! The aggregations behind editors' reports, computed from the votes themselves so that any
//! time window can be asked for.

use super::backend::RatingRow;
use super::{Backend, RatingCounts, Store, StoreError};
use crate::domain::ArticleId;

/// Count, star sum and distribution of the votes in scope: reports and recounts share it.
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

/// A vote counts in a window by the time it was last cast or changed. Grouping by the
/// article's primary key lets both databases take title and section along.
macro_rules! article_figures_sql {
    ($filter:literal) => {
        concat!(
            "SELECT a.article_id, a.title, a.section, ",
            tally_columns!(),
            " FROM votes v JOIN articles a ON a.article_id = v.article_id WHERE ",
            $filter,
            " GROUP BY a.article_id"
        )
    };
}

/// A time filter with open bounds makes SQLite walk the `updated_at` index and sort; without
/// it, it streams the votes in primary-key order, four times faster over 100,000 votes.
pub const ARTICLE_FIGURES_ALL_TIME: &str = article_figures_sql!("($1 IS NULL OR a.section = $1)");
pub const ARTICLE_FIGURES_IN_WINDOW: &str = article_figures_sql!(
    "v.updated_at >= $2 AND v.updated_at < $3 AND ($1 IS NULL OR a.section = $1)"
);
pub const ONE_ARTICLE_FIGURES: &str =
    article_figures_sql!("v.article_id = $1 AND v.updated_at >= $2 AND v.updated_at < $3");

/// What the Bayesian prior is computed from: every vote in the window.
pub const WINDOW_TOTALS: &str = "SELECT COUNT(*), COALESCE(SUM(stars), 0) FROM votes \
     WHERE updated_at >= $1 AND updated_at < $2";

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

impl ReportWindow {
    pub(super) fn is_all_time(&self) -> bool {
        self.from == 0 && self.to == i64::MAX
    }
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
            ) -> Result<Vec<ArticleFiguresRow>, sqlx::Error> {
                let section = window.section.as_deref();
                if window.is_all_time() {
                    sqlx::query_as::<$db, ArticleFiguresRow>(rep::ARTICLE_FIGURES_ALL_TIME)
                        .bind(section)
                        .fetch_all(&self.reader)
                        .await
                } else {
                    sqlx::query_as::<$db, ArticleFiguresRow>(rep::ARTICLE_FIGURES_IN_WINDOW)
                        .bind(section)
                        .bind(window.from)
                        .bind(window.to)
                        .fetch_all(&self.reader)
                        .await
                }
            }

            pub(super) async fn one_article_figures(
                &self,
                article: &str,
                window: &ReportWindow,
            ) -> Result<Option<ArticleFiguresRow>, sqlx::Error> {
                sqlx::query_as::<$db, ArticleFiguresRow>(rep::ONE_ARTICLE_FIGURES)
                    .bind(article)
                    .bind(window.from)
                    .bind(window.to)
                    .fetch_optional(&self.reader)
                    .await
            }

            pub(super) async fn window_totals(
                &self,
                window: &ReportWindow,
            ) -> Result<(i64, i64), sqlx::Error> {
                sqlx::query_as::<$db, (i64, i64)>(rep::WINDOW_TOTALS)
                    .bind(window.from)
                    .bind(window.to)
                    .fetch_one(&self.reader)
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

impl Store {
    /// Every article with votes in the window, with its figures.
    pub async fn article_figures(
        &self,
        window: &ReportWindow,
    ) -> Result<Vec<ArticleFigures>, StoreError> {
        let rows = dispatch!(self, s => s.article_figures(window).await)?;
        Ok(rows.into_iter().map(ArticleFigures::from).collect())
    }

    /// One article's figures over the window (zero if it has no votes in it).
    pub async fn one_article_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<RatingCounts, StoreError> {
        let row = dispatch!(self, s => s.one_article_figures(article.as_str(), window).await)?;
        Ok(row.map(|row| row.counts.into()).unwrap_or_default())
    }

    /// Count and star sum of every vote in the window.
    pub async fn window_totals(&self, window: &ReportWindow) -> Result<(i64, i64), StoreError> {
        Ok(dispatch!(self, s => s.window_totals(window).await)?)
    }

    pub async fn daily_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<Vec<DayFigures>, StoreError> {
        Ok(dispatch!(self, s => s.daily_figures(article.as_str(), window).await)?)
    }

    pub async fn revision_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<Vec<RevisionFigures>, StoreError> {
        let rows = dispatch!(self, s => s.revision_figures(article.as_str(), window).await)?;
        Ok(rows
            .into_iter()
            .map(|row| RevisionFigures {
                revision: row.revision,
                counts: row.counts.into(),
            })
            .collect())
    }
}
