//! The values the store hands to its callers and takes from them.

use crate::domain::{ArticleId, Stars, VoterHash};

/// An article's exact aggregates (serialised as the audit log keeps a reset's `before`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RatingCounts {
    pub count: i64,
    pub star_sum: i64,
    /// Votes with 1, 2, 3, 4 and 5 stars.
    pub distribution: [i64; 5],
}

/// Sums of figures (a section's, a site's).
impl std::ops::AddAssign<&RatingCounts> for RatingCounts {
    fn add_assign(&mut self, more: &RatingCounts) {
        self.count += more.count;
        self.star_sum += more.star_sum;
        for (bucket, n) in self.distribution.iter_mut().zip(more.distribution) {
            *bucket += n;
        }
    }
}

impl RatingCounts {
    /// The counts of votes at 1 to 5 stars, with their count and star sum.
    pub fn of_distribution(distribution: [i64; 5]) -> Self {
        Self {
            count: distribution.iter().sum(),
            star_sum: (1..).zip(distribution).map(|(stars, n)| stars * n).sum(),
            distribution,
        }
    }

    /// Imported votes whose star is unknown: counted in `count` and `star_sum`, not in the
    /// distribution (migration 0008).
    pub fn unknown_stars(&self) -> i64 {
        (self.count - self.distribution.iter().sum::<i64>()).max(0)
    }

    /// The mean stars, or 0 for an article without votes (the widget's "0 / 5").
    pub fn average(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.star_sum as f64 / self.count as f64
        }
    }
}

/// An article's aggregates as of one change: `version` counts the changes to them in the
/// database, so of two readings of one article the higher version is the newer (see
/// `cache/`). Zero for an article nobody voted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VersionedRating {
    pub counts: RatingCounts,
    pub version: i64,
}

/// What a vote did to the voter's previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteChange {
    New,
    Changed { previous: Stars },
    Repeated,
}

/// What became of a vote.
#[derive(Debug, Clone, Copy)]
pub enum VoteOutcome {
    Recorded(RecordedVote),
    /// A new voter from a network that has already added its quota of voters to this article
    /// today; nothing was stored.
    NetworkCapped,
}

/// The ballot-stuffing cap to apply to a new voter: at most `max_voters` distinct voters per
/// network per article per day.
#[derive(Debug, Clone)]
pub struct NetworkCap {
    pub day: i64,
    /// The network's tag for that day, never its address.
    pub network: Vec<u8>,
    pub max_voters: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct RecordedVote {
    pub change: VoteChange,
    pub rating: RatingCounts,
}

#[derive(Debug, Clone)]
pub struct StoredVote {
    pub stars: Stars,
    pub revision: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

/// A vote on its way to the database.
#[derive(Debug, Clone)]
pub struct PendingVote {
    pub article: ArticleId,
    pub voter: VoterHash,
    pub stars: Stars,
    pub revision: Option<String>,
    pub cap: Option<NetworkCap>,
    /// Unix milliseconds.
    pub now: i64,
}

/// Connections of one pool, for the metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub in_use: u32,
    pub idle: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_of_nothing_is_zero() {
        assert_eq!(RatingCounts::default().average(), 0.0);
        let counts = RatingCounts {
            count: 3,
            star_sum: 13,
            distribution: [0, 0, 0, 2, 1],
        };
        assert!((counts.average() - 13.0 / 3.0).abs() < 1e-12);
    }
}
