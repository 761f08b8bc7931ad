//! When an article "falls below" a subscription's thresholds, and the subscriptions that
//! watch for it, kept in memory so that a vote batch asks nothing of the database unless an
//! article actually crosses a threshold.
//!
//! No state table is needed: the batch knows each touched article's figures after it and the
//! change it made, hence the figures before. An alert is raised when the article was not
//! below before the batch and is below after it; it stays quiet while the article stays
//! below, and only after it recovered can it fall, and alert, again.

use crate::stats;
use crate::store::RatingCounts;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

/// A subscription's thresholds for `article.rating_alert`. An article is below them once it
/// has at least `min_votes` votes and its average, or its Wilson lower bound on the share of
/// 4 and 5 star votes, is under the bound given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertThresholds {
    #[serde(deserialize_with = "whole_number")]
    pub min_votes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_average: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_wilson: Option<f64>,
}

/// An integer, also when written as a float with no fraction (`10.0`), as JSON Schema's
/// `integer` allows.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(n) = number.as_i64() {
        return Ok(n);
    }
    match number.as_f64() {
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(v as i64),
        _ => Err(serde::de::Error::custom(format!(
            "expected a whole number, got {number}"
        ))),
    }
}

/// Which threshold an article fell under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    Average,
    Wilson,
}

impl Breach {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Average => "below_average",
            Self::Wilson => "below_wilson",
        }
    }
}

impl AlertThresholds {
    /// The threshold the figures are under, if any (the average first).
    pub fn breach(&self, counts: &RatingCounts) -> Option<Breach> {
        if counts.count < self.min_votes.max(1) {
            return None;
        }
        if self
            .below_average
            .is_some_and(|bound| average(counts) < bound)
        {
            return Some(Breach::Average);
        }
        if self
            .below_wilson
            .is_some_and(|bound| wilson(counts) < bound)
        {
            return Some(Breach::Wilson);
        }
        None
    }

    /// The threshold crossed between `before` and `after`, if the article fell under one.
    pub fn crossed(&self, before: &RatingCounts, after: &RatingCounts) -> Option<Breach> {
        match self.breach(before) {
            Some(_) => None,
            None => self.breach(after),
        }
    }
}

pub fn average(counts: &RatingCounts) -> f64 {
    stats::mean(counts.star_sum, counts.count)
}

/// As the reports compute it: 4 and 5 stars count as useful.
pub fn wilson(counts: &RatingCounts) -> f64 {
    let useful = (counts.distribution[3] + counts.distribution[4]).max(0) as u64;
    stats::wilson_lower_bound(useful, counts.count.max(0) as u64, stats::Z_95)
}

/// An active subscription to `article.rating_alert`.
#[derive(Debug, Clone)]
pub struct AlertRule {
    pub subscription_id: String,
    pub thresholds: AlertThresholds,
}

/// The alert rules in force, shared by the vote writers and replaced whole when subscriptions
/// change (here at once, on other instances at their next reload).
#[derive(Debug, Clone, Default)]
pub struct AlertRules(Arc<RwLock<Arc<Vec<AlertRule>>>>);

impl AlertRules {
    pub fn current(&self) -> Arc<Vec<AlertRule>> {
        match self.0.read() {
            Ok(rules) => rules.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace(&self, rules: Vec<AlertRule>) {
        let rules = Arc::new(rules);
        match self.0.write() {
            Ok(mut current) => *current = rules,
            Err(poisoned) => *poisoned.into_inner() = rules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(distribution: [i64; 5]) -> RatingCounts {
        let count = distribution.iter().sum();
        let star_sum = distribution
            .iter()
            .zip(1..)
            .map(|(n, stars)| n * stars)
            .sum();
        RatingCounts {
            count,
            star_sum,
            distribution,
        }
    }

    const AVERAGE_3: AlertThresholds = AlertThresholds {
        min_votes: 10,
        below_average: Some(3.0),
        below_wilson: None,
    };

    #[test]
    fn too_few_votes_are_never_below() {
        assert_eq!(AVERAGE_3.breach(&counts([9, 0, 0, 0, 0])), None);
        assert_eq!(
            AVERAGE_3.breach(&counts([10, 0, 0, 0, 0])),
            Some(Breach::Average)
        );
    }

    #[test]
    fn falling_alerts_once_staying_below_is_quiet_and_recovering_rearms() {
        let good = counts([0, 0, 0, 5, 5]);
        let bad = counts([6, 0, 0, 2, 2]);
        let worse = counts([7, 0, 0, 2, 2]);
        assert_eq!(AVERAGE_3.crossed(&good, &bad), Some(Breach::Average));
        assert_eq!(AVERAGE_3.crossed(&bad, &worse), None);
        assert_eq!(AVERAGE_3.crossed(&worse, &good), None);
        assert_eq!(AVERAGE_3.crossed(&good, &worse), Some(Breach::Average));
    }

    #[test]
    fn reaching_min_votes_while_below_is_a_crossing() {
        assert_eq!(
            AVERAGE_3.crossed(&counts([9, 0, 0, 0, 0]), &counts([10, 0, 0, 0, 0])),
            Some(Breach::Average)
        );
    }

    #[test]
    fn the_wilson_bound_counts_four_and_five_stars_as_useful() {
        let wilson_half = AlertThresholds {
            min_votes: 1,
            below_average: None,
            below_wilson: Some(0.5),
        };
        assert_eq!(wilson_half.breach(&counts([0, 0, 0, 50, 50])), None);
        assert_eq!(
            wilson_half.breach(&counts([0, 0, 50, 0, 0])),
            Some(Breach::Wilson)
        );
    }
}
