//! The change a vote makes to an article's aggregates, added up per article in a batch.

use super::{RatingCounts, VoteChange};
use crate::domain::Stars;

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
    fn deltas_of_one_article_add_up() {
        let total = RatingDelta::of(VoteChange::New, stars(3))
            .plus(RatingDelta::of(VoteChange::New, stars(5)))
            .plus(RatingDelta::default().remove(stars(3)));
        assert_eq!(total.values(), [1, 5, 0, 0, 0, 0, 1]);
    }
}
