//! Rows as the database returns them, before they become the store's values.

use crate::domain::Stars;
use crate::store::{RatingCounts, StoreError, VersionedRating};

/// An article's aggregates, in the columns of `sql::rating_columns!` (and of
/// `tally_columns!`, which computes them from the votes).
#[derive(Debug, sqlx::FromRow)]
pub struct RatingRow {
    vote_count: i64,
    star_sum: i64,
    stars_1: i64,
    stars_2: i64,
    stars_3: i64,
    stars_4: i64,
    stars_5: i64,
    /// Absent from recounts and reports (`tally_columns!`), which are not kept figures.
    #[sqlx(default)]
    version: i64,
}

impl RatingRow {
    pub fn versioned(self) -> VersionedRating {
        let version = self.version;
        VersionedRating {
            counts: self.into(),
            version,
        }
    }
}

impl From<RatingRow> for RatingCounts {
    fn from(row: RatingRow) -> Self {
        RatingCounts {
            count: row.vote_count,
            star_sum: row.star_sum,
            distribution: [
                row.stars_1,
                row.stars_2,
                row.stars_3,
                row.stars_4,
                row.stars_5,
            ],
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ArticleRatingRow {
    pub article_id: String,
    #[sqlx(flatten)]
    pub counts: RatingRow,
}

pub fn stars_from_db(value: i16) -> Result<Stars, StoreError> {
    Stars::new(i64::from(value))
        .ok_or_else(|| StoreError::internal(format!("stored stars out of range: {value}")))
}
