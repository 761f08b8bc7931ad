//! What the API's answers hold: an article's rating as readers see it, and the figures editors
//! rank articles by. Shared by the public and the editors' routes.

use crate::domain::ArticleId;
use crate::stats;
use crate::store::{DayFigures, RatingCounts};
use serde::Serialize;

/// An article's rating as the API shows it.
#[derive(Debug, Serialize)]
pub struct Rating {
    pub article_id: String,
    pub average: f64,
    pub count: i64,
    pub distribution: Distribution,
    /// Imported votes whose star is unknown (see README, "Moving from WordPress"): in
    /// `count` and `average`, not in `distribution`. 0 for votes cast in Plaudit.
    pub unknown_stars: i64,
}

#[derive(Debug, Serialize)]
pub struct Distribution {
    #[serde(rename = "1")]
    one: i64,
    #[serde(rename = "2")]
    two: i64,
    #[serde(rename = "3")]
    three: i64,
    #[serde(rename = "4")]
    four: i64,
    #[serde(rename = "5")]
    five: i64,
}

impl Distribution {
    pub fn new([one, two, three, four, five]: [i64; 5]) -> Self {
        Self {
            one,
            two,
            three,
            four,
            five,
        }
    }
}

impl Rating {
    pub fn new(article: &ArticleId, counts: RatingCounts) -> Self {
        Self::of(article.as_str(), counts)
    }

    /// For an id read back from the database, which may predate today's rules for ids.
    pub fn of(article_id: &str, counts: RatingCounts) -> Self {
        Self {
            article_id: article_id.to_owned(),
            average: counts.average(),
            count: counts.count,
            distribution: Distribution::new(counts.distribution),
            unknown_stars: counts.unknown_stars(),
        }
    }
}

/// The site-wide mean that Bayesian averages lean toward, and how hard.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Prior {
    pub mean: f64,
    pub weight: f64,
}

impl Prior {
    /// The mean of every vote in the report's window (`star_sum` over `count`): what an
    /// article with no votes of its own is assumed to be.
    pub fn of(star_sum: i64, count: i64, weight: f64) -> Self {
        Self {
            mean: stats::mean(star_sum, count),
            weight,
        }
    }

    /// Mean and weight as the database sorts by them: a weight below 0 (or NaN) counts as 0,
    /// as `stats::bayesian_average` reads it.
    pub fn for_sorting(self) -> (f64, f64) {
        (self.mean, self.weight.max(0.0))
    }
}

/// An article's figures as reports show them.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub count: i64,
    pub average: f64,
    pub bayesian_average: f64,
    /// 95% Wilson lower bound of the share of 4-5 star votes ("found it useful").
    pub wilson_lower_bound: f64,
    pub useful_share: f64,
    /// Share of 1-2 star votes.
    pub low_share: f64,
    pub distribution: Distribution,
    /// Votes in `count` whose star is unknown (imported); the shares and the Wilson bound are
    /// of the others.
    pub unknown_stars: i64,
}

impl Figures {
    pub fn of(counts: &RatingCounts, prior: Prior) -> Self {
        let [one, two, _, four, five] = counts.distribution;
        let total = counts.distribution.iter().sum::<i64>().max(0) as u64;
        let useful = (four + five).max(0) as u64;
        Self {
            count: counts.count,
            average: stats::mean(counts.star_sum, counts.count),
            bayesian_average: stats::bayesian_average(
                counts.star_sum,
                counts.count,
                prior.mean,
                prior.weight,
            ),
            wilson_lower_bound: stats::wilson_lower_bound(useful, total, stats::Z_95),
            useful_share: stats::share(useful, total),
            low_share: stats::share((one + two).max(0) as u64, total),
            distribution: Distribution::new(counts.distribution),
            unknown_stars: counts.unknown_stars(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ArticleRow {
    pub article_id: String,
    pub title: Option<String>,
    pub section: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One day of a daily series, as the site's and an article's reports show it.
#[derive(Debug, Serialize)]
pub struct Day {
    pub date: String,
    pub votes: i64,
    pub average: f64,
}

impl Day {
    pub fn of(figures: &DayFigures) -> Self {
        Day {
            date: crate::time::format_day(figures.day),
            votes: figures.vote_count,
            average: stats::mean(figures.star_sum, figures.vote_count),
        }
    }
}
