//! The change a vote makes to an article's aggregates, added up per article in a batch.

use super::{RatingCounts, VoteChange};
use crate::domain::Stars;
use std::collections::BTreeMap;

/// A UTC day in milliseconds: `article_days` counts votes by `updated_at / DAY_MS`.
pub const DAY_MS: i64 = 86_400_000;

/// The UTC day (since 1970-01-01) a time in Unix milliseconds falls on, divided as SQL
/// divides (migration 0005 built the first roll-ups with `updated_at / 86400000`).
pub fn day_of(unix_millis: i64) -> i64 {
    unix_millis / DAY_MS
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct RatingDelta(RatingCounts);

impl RatingDelta {
    pub fn plus(mut self, other: Self) -> Self {
        self.0.count += other.0.count;
        self.0.star_sum += other.0.star_sum;
        for (bucket, n) in self.0.distribution.iter_mut().zip(other.0.distribution) {
            *bucket += n;
        }
        self
    }

    pub fn add(mut self, stars: Stars) -> Self {
        self.0.count += 1;
        self.0.star_sum += i64::from(stars.get());
        self.0.distribution[usize::from(stars.get() - 1)] += 1;
        self
    }

    pub fn remove(mut self, stars: Stars) -> Self {
        self.0.count -= 1;
        self.0.star_sum -= i64::from(stars.get());
        self.0.distribution[usize::from(stars.get() - 1)] -= 1;
        self
    }

    pub fn of(change: VoteChange, stars: Stars) -> Self {
        match change {
            VoteChange::New => Self::default().add(stars),
            VoteChange::Changed { previous } => Self::default().remove(previous).add(stars),
            VoteChange::Repeated => Self::default(),
        }
    }

    /// The values in the order `sql::APPLY_DELTA` binds them after the article id, and
    /// `APPLY_DELTAS` reads them after it.
    pub fn values(self) -> [i64; 7] {
        let [s1, s2, s3, s4, s5] = self.0.distribution;
        [self.0.count, self.0.star_sum, s1, s2, s3, s4, s5]
    }
}

/// What a write does to the daily roll-ups (`article_days`): per article and UTC day, the votes
/// it gained or lost at each star. A new vote adds to its day; a changed or re-sent vote that
/// the store rewrites moves from the day it was last cast on to today.
#[derive(Debug, Default)]
pub(super) struct DayDeltas(BTreeMap<(String, i64), [i64; 5]>);

impl DayDeltas {
    pub fn add(&mut self, article: &str, at: i64, stars: Stars) {
        self.change(article, at, stars, 1);
    }

    pub fn remove(&mut self, article: &str, at: i64, stars: Stars) {
        self.change(article, at, stars, -1);
    }

    fn change(&mut self, article: &str, at: i64, stars: Stars, by: i64) {
        let day = self.0.entry((article.to_owned(), day_of(at))).or_default();
        day[usize::from(stars.get() - 1)] += by;
    }

    /// The one day that changes, if exactly one does.
    pub fn single(&self) -> Option<(&str, i64, [i64; 5])> {
        let mut changed = self
            .0
            .iter()
            .filter(|(_, counts)| counts.iter().any(|n| *n != 0));
        match (changed.next(), changed.next()) {
            (Some(((article, day), counts)), None) => Some((article.as_str(), *day, *counts)),
            _ => None,
        }
    }

    /// `[[article, day, n1, ..., n5], ...]` as `Dialect::APPLY_DAY_DELTAS` reads it, in
    /// (article, day) order, which is the order rows are locked in; `None` when nothing
    /// changes (a vote moved within its day, or sent again unchanged).
    pub fn to_json(&self) -> Option<String> {
        let rows: Vec<serde_json::Value> = self
            .0
            .iter()
            .filter(|(_, counts)| counts.iter().any(|n| *n != 0))
            .map(|((article, day), counts)| {
                let mut row = vec![serde_json::Value::from(article.as_str()), (*day).into()];
                row.extend(counts.iter().map(|n| serde_json::Value::from(*n)));
                serde_json::Value::Array(row)
            })
            .collect();
        (!rows.is_empty()).then(|| serde_json::Value::Array(rows).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stars(n: i64) -> Stars {
        Stars::new(n).unwrap()
    }

    #[test]
    fn a_change_moves_one_vote_between_buckets() {
        let delta = RatingDelta::of(VoteChange::Changed { previous: stars(2) }, stars(5));
        assert_eq!(delta.values(), [0, 3, 0, -1, 0, 0, 1]);
    }

    #[test]
    fn a_new_vote_adds_one_and_a_repeat_nothing() {
        let new = RatingDelta::of(VoteChange::New, stars(4));
        assert_eq!(new.values(), [1, 4, 0, 0, 0, 1, 0]);
        assert_eq!(
            RatingDelta::of(VoteChange::Repeated, stars(4)),
            RatingDelta::default()
        );
    }

    #[test]
    fn a_vote_changed_on_a_later_day_moves_between_days() {
        let mut days = DayDeltas::default();
        days.add("a1", 1_000, stars(2));
        days.remove("a1", 2_000, stars(2));
        assert_eq!(days.to_json(), None, "a move within one day changes no day");
        days.remove("a1", DAY_MS - 1, stars(3));
        days.add("a1", DAY_MS, stars(5));
        assert_eq!(
            days.to_json().unwrap(),
            r#"[["a1",0,0,0,-1,0,0],["a1",1,0,0,0,0,1]]"#
        );
    }

    #[test]
    fn deltas_of_one_article_add_up() {
        let total = RatingDelta::of(VoteChange::New, stars(3))
            .plus(RatingDelta::of(VoteChange::New, stars(5)))
            .plus(RatingDelta::default().remove(stars(3)));
        assert_eq!(total.values(), [1, 5, 0, 0, 0, 0, 1]);
    }
}
