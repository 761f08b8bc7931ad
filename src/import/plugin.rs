//! What a plugin holds for one post, in Plaudit's terms: totals on a 5-star scale, per-vote
//! rows where the plugin keeps them, feedback where it has any. Each plugin's reader
//! (`rate_my_post.rs`, `kk_star_ratings.rs`, `yasr.rs`, `wp_postratings.rs`) fills it.

use super::wordpress::WordPress;
use std::collections::BTreeMap;
// SQL here names tables by the checked prefix (`wordpress::check_prefix`) and lists only
// constants: nothing from WordPress's data is spliced in.
use sqlx::AssertSqlSafe;

/// The plugins `--plugin` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Plugin {
    RateMyPost,
    KkStarRatings,
    Yasr,
    WpPostratings,
}

impl Plugin {
    /// As `--plugin` spells it, and as import records and voter hashes name it.
    pub fn name(self) -> &'static str {
        match self {
            Plugin::RateMyPost => "rate-my-post",
            Plugin::KkStarRatings => "kk-star-ratings",
            Plugin::Yasr => "yasr",
            Plugin::WpPostratings => "wp-postratings",
        }
    }

    /// Every post with rating data, by post id: its rating, or why it cannot be read.
    pub async fn read(self, site: &WordPress) -> Result<PostRatings, sqlx::Error> {
        match self {
            Plugin::RateMyPost => super::rate_my_post::read(site).await,
            Plugin::KkStarRatings => super::kk_star_ratings::read(site).await,
            Plugin::Yasr => super::yasr::read(site).await,
            Plugin::WpPostratings => super::wp_postratings::read(site).await,
        }
    }
}

pub type PostRatings = BTreeMap<i64, Result<PluginRating, String>>;

/// Votes and their star sum, the sum on a 5-star scale and possibly fractional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub votes: i64,
    pub stars: f64,
}

/// One vote as the plugin logged it.
#[derive(Debug, Clone, PartialEq)]
pub struct VoteRow {
    /// The row's id in the plugin's table; ids grow as votes come.
    pub id: i64,
    /// 1 to 5; YASR keeps halves.
    pub stars: f64,
    /// Unix milliseconds (UTC).
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackEntry {
    pub id: String,
    pub text: String,
    pub at: i64,
    /// The vote row it was left with.
    pub rating_row: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginRating {
    pub post_id: i64,
    pub totals: Totals,
    /// In id order.
    pub rows: Vec<VoteRow>,
    pub feedback: Vec<FeedbackEntry>,
}

/// A number as post meta holds it (a string, as WordPress stores every meta value).
pub fn meta_number(key: &str, value: &str) -> Result<f64, String> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("meta {key} is not a number: {value:?}"))
}

/// A whole count as post meta holds it.
pub fn meta_count(key: &str, value: &str) -> Result<i64, String> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("meta {key} is not a whole number: {value:?}"))
}

/// Post meta with the given keys, as (post id, key, value).
pub async fn post_meta(
    site: &WordPress,
    keys: &[&str],
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let list = keys
        .iter()
        .map(|key| format!("'{key}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT CAST(post_id AS SIGNED), meta_key, meta_value FROM {} \
         WHERE meta_key IN ({list}) ORDER BY meta_id",
        site.table("postmeta")
    );
    sqlx::query_as::<_, (i64, String, Option<String>)>(AssertSqlSafe(sql))
        .fetch_all(&site.pool)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(post, key, value)| (post, key, value.unwrap_or_default()))
                .collect()
        })
}

/// Whether the plugin's table exists (a plugin version without it, or never activated).
pub async fn table_exists(site: &WordPress, name: &str) -> Result<bool, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name = ?",
    )
    .bind(format!("{}{name}", site.prefix))
    .fetch_one(&site.pool)
    .await?;
    Ok(count > 0)
}

/// Per-vote rows: `select` gives (id, post, value, site-local UNIX_TIMESTAMP) in id order.
pub async fn vote_rows(
    site: &WordPress,
    select: String,
) -> Result<BTreeMap<i64, Vec<VoteRow>>, sqlx::Error> {
    let mut rows: BTreeMap<i64, Vec<VoteRow>> = BTreeMap::new();
    for (id, post, stars, local) in sqlx::query_as::<_, (i64, i64, f64, i64)>(AssertSqlSafe(select))
        .fetch_all(&site.pool)
        .await?
    {
        rows.entry(post).or_default().push(VoteRow {
            id,
            stars,
            at: site.local_to_utc_millis(local),
        });
    }
    Ok(rows)
}
