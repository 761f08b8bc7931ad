//! The aggregations behind editors' reports, computed from the votes themselves so that any
//! time window can be asked for.

use super::{RatingCounts, Store, StoreError};
use crate::domain::ArticleId;

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

impl Store {
    /// Every article with votes in the window, with its figures.
    pub async fn article_figures(
        &self,
        window: &ReportWindow,
    ) -> Result<Vec<ArticleFigures>, StoreError> {
        self.reports_backend().article_figures(window).await
    }

    /// One article's figures over the window (zero if it has no votes in it).
    pub async fn one_article_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<RatingCounts, StoreError> {
        self.reports_backend()
            .one_article_figures(article, window)
            .await
    }

    /// Count and star sum of every vote in the window.
    pub async fn window_totals(&self, window: &ReportWindow) -> Result<(i64, i64), StoreError> {
        self.reports_backend().window_totals(window).await
    }

    pub async fn daily_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<Vec<DayFigures>, StoreError> {
        self.reports_backend().daily_figures(article, window).await
    }

    pub async fn revision_figures(
        &self,
        article: &ArticleId,
        window: &ReportWindow,
    ) -> Result<Vec<RevisionFigures>, StoreError> {
        self.reports_backend()
            .revision_figures(article, window)
            .await
    }
}
