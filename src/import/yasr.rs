//! Yet Another Stars Rating (plugin slug `yet-another-stars-rating`), as its sources store
//! the visitors' ratings: `{prefix}yasr_log`, one row per vote: `id` (AUTO_INCREMENT),
//! `post_id`, `user_id`, `vote` (DECIMAL(2,1): whole stars from the widget, halves possible
//! from imports and the API), `date` (DATETIME, site-local), `ip`. YASR keeps no totals in post
//! meta for visitors' votes: it counts and averages the log each time, so the log's totals are
//! what the site showed. A vote with a half star has no Plaudit star: it counts among the
//! unknown-star votes, its half kept in their sum as far as whole stars can. The author's own
//! review (`yasr_overall_rating` meta) and multi-set ratings (`yasr_log_multi_set`) are not
//! visitors' votes and are not read.

use super::plugin::{PluginRating, PostRatings, Totals, table_exists, vote_rows};
use super::wordpress::WordPress;

pub async fn read(site: &WordPress) -> Result<PostRatings, sqlx::Error> {
    if !table_exists(site, "yasr_log").await? {
        return Ok(PostRatings::new());
    }
    let sql = format!(
        "SELECT CAST(id AS SIGNED), CAST(post_id AS SIGNED), CAST(vote AS DOUBLE), \
         CAST(UNIX_TIMESTAMP(date) AS SIGNED) FROM {} ORDER BY id",
        site.table("yasr_log")
    );
    Ok(vote_rows(site, sql)
        .await?
        .into_iter()
        .map(|(post, rows)| {
            let totals = Totals {
                votes: rows.len() as i64,
                stars: rows.iter().map(|row| row.stars).sum(),
            };
            let rating = PluginRating {
                post_id: post,
                totals,
                rows,
                feedback: Vec::new(),
            };
            (post, Ok(rating))
        })
        .collect())
}
