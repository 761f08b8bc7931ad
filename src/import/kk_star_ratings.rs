//! kk Star Ratings (plugin slug `kk-star-ratings`), totals only, as its sources store them:
//! - 5.x: post meta `_kksr_count_default` (votes) and `_kksr_ratings_default` (the sum of
//!   the votes, each normalised to 5 stars as `rating / stars * 5` where `stars` is the
//!   plugin's setting, so a float where the site rates out of another number than 5). The site
//!   shows `ratings / count * stars / 5` out of `stars`: the same share as `ratings / count`
//!   out of 5, which is what Plaudit shows.
//! - before 5: `_kksr_casts` and `_kksr_ratings` (the same normalised sum), and `_kksr_avg`,
//!   the average already scaled to `stars` (not read: it is derived, and needs the setting).
//!
//! The 5.x keys win where a post has both (5.x writes only those).
//! No per-vote values are kept (only voters' IP hashes), so every vote's star is unknown.

use super::plugin::{PluginRating, PostRatings, Totals, meta_count, meta_number, post_meta};
use super::wordpress::WordPress;
use std::collections::BTreeMap;

const CURRENT: (&str, &str) = ("_kksr_count_default", "_kksr_ratings_default");
const LEGACY: (&str, &str) = ("_kksr_casts", "_kksr_ratings");

pub async fn read(site: &WordPress) -> Result<PostRatings, sqlx::Error> {
    let mut meta: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    for (post, key, value) in post_meta(site, &[CURRENT.0, CURRENT.1, LEGACY.0, LEGACY.1]).await? {
        meta.entry(post).or_default().insert(key, value);
    }
    Ok(meta
        .into_iter()
        .map(|(post, meta)| (post, rating(post, &meta)))
        .collect())
}

fn rating(post: i64, meta: &BTreeMap<String, String>) -> Result<PluginRating, String> {
    let (count_key, sum_key) = if meta.contains_key(CURRENT.0) || meta.contains_key(CURRENT.1) {
        CURRENT
    } else {
        LEGACY
    };
    let votes = meta
        .get(count_key)
        .map(|value| meta_count(count_key, value))
        .transpose()?
        .unwrap_or(0);
    let stars = meta
        .get(sum_key)
        .map(|value| meta_number(sum_key, value))
        .transpose()?
        .unwrap_or(0.0);
    Ok(PluginRating {
        post_id: post,
        totals: Totals { votes, stars },
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn current_keys_win_over_legacy_ones() {
        let both = meta(&[
            ("_kksr_count_default", "3"),
            ("_kksr_ratings_default", "13"),
            ("_kksr_casts", "9"),
            ("_kksr_ratings", "40"),
        ]);
        let rating = rating(7, &both).unwrap();
        assert_eq!(
            rating.totals,
            Totals {
                votes: 3,
                stars: 13.0
            }
        );
        let legacy = rating_of(&[("_kksr_casts", "2"), ("_kksr_ratings", "8.5")]);
        assert_eq!(
            legacy.totals,
            Totals {
                votes: 2,
                stars: 8.5
            }
        );
    }

    fn rating_of(pairs: &[(&str, &str)]) -> PluginRating {
        rating(1, &meta(pairs)).unwrap()
    }

    #[test]
    fn unreadable_numbers_are_refused() {
        assert!(rating(1, &meta(&[("_kksr_count_default", "three")])).is_err());
    }
}
