//! The ranking's order and its pages: sorting rows by a figure, and the opaque cursor that
//! carries an editor from one page to the next.

use crate::error::ApiError;
use crate::views::{ArticleRow, Figures};
use serde::{Deserialize, Serialize};

/// What the article report can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Count,
    Average,
    BayesianAverage,
    WilsonLowerBound,
    UsefulShare,
    LowShare,
}

impl SortKey {
    fn value(self, figures: &Figures) -> f64 {
        match self {
            Self::Count => figures.count as f64,
            Self::Average => figures.average,
            Self::BayesianAverage => figures.bayesian_average,
            Self::WilsonLowerBound => figures.wilson_lower_bound,
            Self::UsefulShare => figures.useful_share,
            Self::LowShare => figures.low_share,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Asc,
    Desc,
}

/// Where the previous page ended: the sort value and article id of its last row, so the next
/// page starts right after it even if rows were added meanwhile.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: SortKey,
    order: Order,
    value: f64,
    article_id: String,
}

/// A cursor holds a sort, an order, a number and an article id of at most 128 characters,
/// about 250 bytes of JSON, so twice that in hex; anything longer was not given out here.
pub const MAX_CURSOR_LEN: usize = 1024;

impl Cursor {
    fn encode(&self) -> String {
        crate::hex::encode(&serde_json::to_vec(self).expect("a cursor serialises"))
    }

    fn decode(raw: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::InvalidInput("cursor is not one this service gave out".into());
        if raw.len() > MAX_CURSOR_LEN || !raw.len().is_multiple_of(2) || !raw.is_ascii() {
            return Err(invalid());
        }
        let bytes = (0..raw.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&raw[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }
}

/// Sorts `rows` (ties broken by article id) and returns the page after `cursor`, with the
/// cursor for the page after it, if any.
pub fn page(
    mut rows: Vec<ArticleRow>,
    sort: SortKey,
    order: Order,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<ArticleRow>, Option<String>), ApiError> {
    let position = |row: &ArticleRow| (sort.value(&row.figures), row.article_id.clone());
    let compare = |a: &(f64, String), b: &(f64, String)| {
        let by_value = a.0.total_cmp(&b.0);
        let by_value = if order == Order::Desc {
            by_value.reverse()
        } else {
            by_value
        };
        by_value.then_with(|| a.1.cmp(&b.1))
    };
    rows.sort_by(|a, b| compare(&position(a), &position(b)));
    if let Some(raw) = cursor {
        let cursor = Cursor::decode(raw)?;
        if cursor.sort != sort || cursor.order != order {
            return Err(ApiError::InvalidInput(
                "the cursor belongs to another sort or order".into(),
            ));
        }
        let after = (cursor.value, cursor.article_id);
        rows.retain(|row| compare(&position(row), &after).is_gt());
    }
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = match rows.last() {
        Some(last) if more => {
            let (value, article_id) = position(last);
            Some(
                Cursor {
                    sort,
                    order,
                    value,
                    article_id,
                }
                .encode(),
            )
        }
        _ => None,
    };
    Ok((rows, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RatingCounts;
    use crate::views::Prior;

    fn row(id: &str, count: i64, star_sum: i64) -> ArticleRow {
        let counts = RatingCounts {
            count,
            star_sum,
            distribution: [0, 0, 0, 0, count],
        };
        ArticleRow {
            article_id: id.into(),
            title: None,
            section: None,
            figures: Figures::of(
                &counts,
                Prior {
                    mean: 3.0,
                    weight: 10.0,
                },
            ),
        }
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let rows = || {
            (0..7)
                .map(|i| row(&format!("a{i}"), i % 3 + 1, 5 * (i % 3 + 1)))
                .collect::<Vec<_>>()
        };
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let (page_rows, next) =
                page(rows(), SortKey::Count, Order::Desc, cursor.as_deref(), 3).unwrap();
            seen.extend(
                page_rows
                    .into_iter()
                    .map(|r| (r.figures.count, r.article_id)),
            );
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let ids: Vec<&str> = seen.iter().map(|(_, id)| id.as_str()).collect();
        assert_eq!(ids, ["a2", "a5", "a1", "a4", "a0", "a3", "a6"]);
        assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0));
    }

    #[test]
    fn foreign_cursors_are_refused() {
        assert!(page(vec![], SortKey::Count, Order::Desc, Some("zz"), 3).is_err());
        let (_, next) = page(
            vec![row("a", 1, 5), row("b", 2, 10)],
            SortKey::Count,
            Order::Desc,
            None,
            1,
        )
        .unwrap();
        assert!(page(vec![], SortKey::Average, Order::Desc, next.as_deref(), 1).is_err());
    }
}
