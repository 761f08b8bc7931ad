//! The aggregations behind editors' reports, for any time window: computed in the database
//! from the articles' kept rows (all time) or their daily roll-ups and the votes of the
//! part-days at the window's edges (see `report_sql.rs`).

use super::delta::DAY_MS;
use super::{RatingCounts, Store, StoreError};
use crate::domain::ArticleId;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};

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

    /// The whole UTC days inside the window (`[first, end)`), and the parts of days at its
    /// edges (`[from, to)` in milliseconds; empty where the window starts or ends at midnight).
    pub(super) fn split(&self) -> ((i64, i64), [(i64, i64); 2]) {
        let first = self.from.div_euclid(DAY_MS) + i64::from(self.from.rem_euclid(DAY_MS) != 0);
        let end = self.to.div_euclid(DAY_MS);
        if first < end {
            (
                (first, end),
                [(self.from, first * DAY_MS), (end * DAY_MS, self.to)],
            )
        } else {
            ((0, 0), [(self.from, self.to), (0, 0)])
        }
    }

    /// What lies before the window: whole UTC days (`[first, end)`) and the part of the
    /// window's first day before its start (for `report_sql::Scope::AllBut`).
    pub(super) fn before(&self) -> ((i64, i64), (i64, i64)) {
        let day = self.from.div_euclid(DAY_MS);
        ((i64::MIN, day), (day * DAY_MS, self.from))
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

/// What the article report can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Count,
    Average,
    BayesianAverage,
    WilsonLowerBound,
    UsefulShare,
    LowShare,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Asc,
    Desc,
}

/// A page of the ranking, as asked: articles with at least `min_votes` votes in the window,
/// sorted by `sort` (ties by article id, byte by byte), after the row `after` (its sort value
/// and article id), at most `limit`.
#[derive(Debug, Clone)]
pub struct RankingQuery {
    pub window: ReportWindow,
    pub min_votes: i64,
    pub sort: SortKey,
    pub order: Order,
    /// The Bayesian prior's mean and weight (weight at least 0).
    pub prior: (f64, f64),
    pub after: Option<(f64, String)>,
    pub limit: i64,
}

/// An article of the ranking, with the value it was sorted by (what a cursor carries).
#[derive(Debug, Clone)]
pub struct RankedArticle {
    pub figures: ArticleFigures,
    pub sort_value: f64,
}

/// A section's articles with votes in the window, and their votes together.
#[derive(Debug, Clone)]
pub struct SectionFigures {
    pub section: Option<String>,
    pub articles: i64,
    pub counts: RatingCounts,
}

#[derive(Debug, Clone)]
pub struct RevisionFigures {
    pub revision: Option<String>,
    pub counts: RatingCounts,
}

impl Store {
    /// A page of the ranking.
    pub async fn ranking(&self, query: &RankingQuery) -> Result<Vec<RankedArticle>, StoreError> {
        self.reports_backend().ranking(query).await
    }

    /// The whole ranking as the database yields it, in constant memory (for CSV): rows come
    /// through a small channel from a task that ends when the receiver is dropped.
    pub fn ranking_stream(
        &self,
        query: RankingQuery,
    ) -> BoxStream<'static, Result<RankedArticle, StoreError>> {
        self.reports_backend().ranking_stream(query)
    }

    /// Each section's figures over the window.
    pub async fn section_figures(
        &self,
        window: &ReportWindow,
    ) -> Result<Vec<SectionFigures>, StoreError> {
        self.reports_backend().section_figures(window).await
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

    /// Count and star sum of every vote in the window (and its section, if it has one).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from: i64, to: i64) -> ReportWindow {
        ReportWindow {
            from,
            to,
            section: None,
        }
    }

    #[test]
    fn a_window_is_whole_days_and_the_parts_at_its_edges() {
        let day = DAY_MS;
        assert_eq!(
            window(day + 5, 4 * day - 7).split(),
            ((2, 3), [(day + 5, 2 * day), (3 * day, 4 * day - 7)])
        );
        assert_eq!(
            window(day, 3 * day).split(),
            ((1, 3), [(day, day), (3 * day, 3 * day)])
        );
        assert_eq!(
            window(day + 5, 2 * day + 1).split(),
            ((0, 0), [(day + 5, 2 * day + 1), (0, 0)]),
            "no whole day: votes only"
        );
        let all = ReportWindow::default().split();
        assert_eq!(all.0, (0, i64::MAX / day));
        assert_eq!(all.1[1], ((i64::MAX / day) * day, i64::MAX));
    }
}
