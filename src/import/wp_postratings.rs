//! WP-PostRatings (plugin slug `wp-postratings`), totals only, as its sources store them:
//! post meta `ratings_users` (votes), `ratings_score` (the sum of the values of the stars
//! chosen) and `ratings_average` (score / users rounded to 2 places, not read). The site
//! rates out of the option `postratings_max` (5 by default, any number in its settings), each
//! star worth its number unless `postratings_customrating` is on, when the values of
//! `postratings_ratingsvalue` (e.g. -1 and +1 for thumbs) make a score that is no star sum:
//! such a site is refused whole. Plaudit takes the score scaled to 5: `score * 5 / max`.
//! Its log table `{prefix}ratings` holds the votes' values too, but only while logging is on
//! and with no way to tell which totals an admin edited, so the totals alone are taken and
//! every vote's star is unknown.

use super::plugin::{PluginRating, PostRatings, Totals, meta_count, post_meta};
use super::wordpress::WordPress;
use std::collections::BTreeMap;

pub async fn read(site: &WordPress) -> Result<PostRatings, sqlx::Error> {
    let max = site
        .option("postratings_max")
        .await?
        .and_then(|max| max.trim().parse::<i64>().ok())
        .unwrap_or(5);
    let custom = site
        .option("postratings_customrating")
        .await?
        .is_some_and(|on| on.trim() == "1");
    let mut meta: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    for (post, key, value) in post_meta(site, &["ratings_users", "ratings_score"]).await? {
        meta.entry(post).or_default().insert(key, value);
    }
    Ok(meta
        .into_iter()
        .map(|(post, meta)| (post, rating(post, &meta, max, custom)))
        .collect())
}

fn rating(
    post: i64,
    meta: &BTreeMap<String, String>,
    max: i64,
    custom: bool,
) -> Result<PluginRating, String> {
    if custom {
        return Err(
            "the site uses custom rating values (postratings_customrating): \
                    its scores are no star sums"
                .into(),
        );
    }
    if max < 1 {
        return Err(format!("postratings_max is {max}"));
    }
    let count = |key: &str| {
        meta.get(key)
            .map(|value| meta_count(key, value))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let votes = count("ratings_users")?;
    let score = count("ratings_score")?;
    Ok(PluginRating {
        post_id: post,
        totals: Totals {
            votes,
            stars: score as f64 * 5.0 / max as f64,
        },
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(users: &str, score: &str) -> BTreeMap<String, String> {
        [("ratings_users", users), ("ratings_score", score)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn scores_out_of_ten_scale_to_five() {
        let rating = rating(1, &meta("4", "34"), 10, false).unwrap();
        assert_eq!(
            rating.totals,
            Totals {
                votes: 4,
                stars: 17.0
            }
        );
    }

    #[test]
    fn custom_values_and_bad_numbers_are_refused() {
        assert!(rating(1, &meta("4", "34"), 5, true).is_err());
        assert!(rating(1, &meta("four", "34"), 5, false).is_err());
    }
}
