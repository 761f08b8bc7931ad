//! The ranking's pages: the opaque cursor that carries an editor from one page to the next
//! (the database sorts and cuts, see `store/report_sql.rs`).

use crate::error::ApiError;
use crate::store::{Order, RankedArticle, SortKey};
use serde::{Deserialize, Serialize};

/// Where the previous page ended: the sort value and article id of its last row, so the next
/// page starts right after it even if rows were added meanwhile.
///
/// The value travels as its bits: the next page compares it for equality with the value the
/// database computes again, and serde_json's default float parsing may come back one unit in
/// the last place off (a Wilson bound did), which repeated or skipped a row at a page's edge.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: SortKey,
    order: Order,
    value_bits: u64,
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

/// Where the page asked for starts: after the row the cursor names, which must come from a
/// ranking in the same sort and order.
pub fn after(
    cursor: Option<&str>,
    sort: SortKey,
    order: Order,
) -> Result<Option<(f64, String)>, ApiError> {
    let Some(raw) = cursor else {
        return Ok(None);
    };
    let cursor = Cursor::decode(raw)?;
    if cursor.sort != sort || cursor.order != order {
        return Err(ApiError::InvalidInput(
            "the cursor belongs to another sort or order".into(),
        ));
    }
    let value = f64::from_bits(cursor.value_bits);
    if !value.is_finite() {
        return Err(ApiError::InvalidInput(
            "cursor is not one this service gave out".into(),
        ));
    }
    Ok(Some((value, cursor.article_id)))
}

/// Cuts `rows` (fetched with one extra) to `limit`, and gives the cursor of the next page if
/// that extra row was there.
pub fn cut(
    rows: &mut Vec<RankedArticle>,
    limit: usize,
    sort: SortKey,
    order: Order,
) -> Option<String> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let last = rows.last().filter(|_| more)?;
    Some(
        Cursor {
            sort,
            order,
            value_bits: last.sort_value.to_bits(),
            article_id: last.figures.article_id.clone(),
        }
        .encode(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ArticleFigures, RatingCounts};

    fn ranked(id: &str, sort_value: f64) -> RankedArticle {
        RankedArticle {
            figures: ArticleFigures {
                article_id: id.into(),
                title: None,
                section: None,
                counts: RatingCounts::default(),
            },
            sort_value,
        }
    }

    #[test]
    fn a_cut_page_names_its_last_row_for_the_next() {
        let mut rows = vec![ranked("a", 4.5), ranked("b", 4.25), ranked("c", 1.0)];
        let next = cut(&mut rows, 2, SortKey::Average, Order::Desc);
        assert_eq!(rows.len(), 2);
        let after = after(next.as_deref(), SortKey::Average, Order::Desc).unwrap();
        assert_eq!(after, Some((4.25, "b".to_owned())));
        let mut last = vec![ranked("c", 1.0)];
        assert_eq!(cut(&mut last, 2, SortKey::Average, Order::Desc), None);
    }

    #[test]
    fn a_cursor_gives_back_the_very_value_it_was_cut_at() {
        // Sort values as the reports make them (shares, Wilson bounds, averages): many digits.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut inexact_as_json = 0;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = (state >> 11) as f64 / (1u64 << 53) as f64 * 5.0;
            let json: f64 = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
            inexact_as_json += usize::from(json != value);
            let mut rows = vec![ranked("a", value), ranked("b", 0.0)];
            let next = cut(&mut rows, 1, SortKey::WilsonLowerBound, Order::Asc);
            let after = after(next.as_deref(), SortKey::WilsonLowerBound, Order::Asc).unwrap();
            assert_eq!(after.map(|(v, _)| v.to_bits()), Some(value.to_bits()));
        }
        // Why the cursor carries bits: a plain JSON number would not have come back whole.
        assert!(inexact_as_json > 0);
    }

    #[test]
    fn foreign_cursors_are_refused() {
        assert!(after(Some("zz"), SortKey::Count, Order::Desc).is_err());
        let mut rows = vec![ranked("a", 2.0), ranked("b", 1.0)];
        let next = cut(&mut rows, 1, SortKey::Count, Order::Desc);
        assert!(after(next.as_deref(), SortKey::Average, Order::Desc).is_err());
        assert!(after(next.as_deref(), SortKey::Count, Order::Asc).is_err());
    }
}
