//! Rate My Post (plugin slug `rate-my-post`), as its sources (2.x-3.x) store it:
//! - post meta `rmp_vote_count` (votes) and `rmp_rating_val_sum` (sum of stars, whole 1-5
//!   stars); `rmp_avg_rating` is derived from them and not read. Admins edit these two in the
//!   post editor, so they are the totals;
//! - `{prefix}rmp_analytics`, one row per vote: `id` (AUTO_INCREMENT), `time` (DATETIME,
//!   site-local), `post`, `value` (SMALLINT, the stars), and `ip`, `country`, `user`,
//!   `action`, `duration`, `average`, `votes`, `token`, which Plaudit does not take;
//! - post meta `rmp_feedback_val_new`: a PHP-serialized array of entries `feedback` (text),
//!   `time` (`date("d-m-Y H:i:s")`, UTC as WordPress runs PHP), `id` (`uniqid()`), `user`
//!   (false or a user id) and, since 3.0, `ratingID` (the vote's analytics row). The older
//!   `rmp_feedback_val` has no time or vote and is not read.

use super::plugin::{
    FeedbackEntry, PluginRating, PostRatings, Totals, meta_count, post_meta, table_exists,
    vote_rows,
};
use super::wordpress::WordPress;
use serde::Deserialize;
use std::collections::BTreeMap;

pub async fn read(site: &WordPress) -> Result<PostRatings, sqlx::Error> {
    let mut rows = if table_exists(site, "rmp_analytics").await? {
        let sql = format!(
            "SELECT CAST(id AS SIGNED), CAST(post AS SIGNED), CAST(value AS DOUBLE), \
             CAST(UNIX_TIMESTAMP(time) AS SIGNED) FROM {} ORDER BY id",
            site.table("rmp_analytics")
        );
        vote_rows(site, sql).await?
    } else {
        BTreeMap::new()
    };
    let mut meta: BTreeMap<i64, BTreeMap<String, String>> = BTreeMap::new();
    for (post, key, value) in post_meta(
        site,
        &[
            "rmp_vote_count",
            "rmp_rating_val_sum",
            "rmp_feedback_val_new",
        ],
    )
    .await?
    {
        meta.entry(post).or_default().insert(key, value);
    }
    let posts: Vec<i64> = meta.keys().chain(rows.keys()).copied().collect();
    let mut ratings = PostRatings::new();
    for post in posts {
        if ratings.contains_key(&post) {
            continue;
        }
        let post_meta = meta.remove(&post).unwrap_or_default();
        let post_rows = rows.remove(&post).unwrap_or_default();
        ratings.insert(post, rating(post, &post_meta, post_rows));
    }
    Ok(ratings)
}

fn rating(
    post: i64,
    meta: &BTreeMap<String, String>,
    rows: Vec<super::plugin::VoteRow>,
) -> Result<PluginRating, String> {
    let totals = match (meta.get("rmp_vote_count"), meta.get("rmp_rating_val_sum")) {
        (Some(votes), Some(sum)) => Totals {
            votes: meta_count("rmp_vote_count", votes)?,
            stars: meta_count("rmp_rating_val_sum", sum)? as f64,
        },
        (None, None) => Totals {
            // Rows and no totals: nobody edited them away, the rows are all there is.
            votes: rows.len() as i64,
            stars: rows.iter().map(|row| row.stars).sum(),
        },
        _ => return Err("only one of rmp_vote_count and rmp_rating_val_sum is set".into()),
    };
    let feedback = match meta.get("rmp_feedback_val_new") {
        Some(raw) if !raw.is_empty() => parse_feedback(raw)?,
        _ => Vec::new(),
    };
    Ok(PluginRating {
        post_id: post,
        totals,
        rows,
        feedback,
    })
}

/// One entry of `rmp_feedback_val_new`; `user` (false or an id) is not taken.
#[derive(Debug, Deserialize)]
struct RawFeedback {
    feedback: String,
    time: String,
    id: String,
    #[serde(rename = "ratingID")]
    rating_id: Option<i64>,
}

/// The serialized array, whose keys may have gaps where an admin deleted an entry.
pub fn parse_feedback(raw: &str) -> Result<Vec<FeedbackEntry>, String> {
    let unparseable =
        |why: String| format!("rmp_feedback_val_new is not PHP-serialized feedback: {why}");
    let mut parser = phpserz::PhpDeserializer::new(raw.as_bytes());
    let entries = BTreeMap::<i64, RawFeedback>::deserialize(&mut parser)
        .map_err(|error| unparseable(error.to_string()))?;
    entries
        .into_values()
        .map(|entry| {
            let at = feedback_time(&entry.time)
                .ok_or_else(|| unparseable(format!("time {:?}", entry.time)))?;
            Ok(FeedbackEntry {
                id: entry.id,
                text: entry.feedback,
                at,
                rating_row: entry.rating_id.filter(|id| *id > 0),
            })
        })
        .collect()
}

/// `d-m-Y H:i:s` (UTC) as Unix milliseconds.
fn feedback_time(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once(' ')?;
    let mut parts = date.split('-');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let iso = format!("{year}-{month}-{day}T{time}Z");
    crate::time::parse(&iso).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_is_read_with_its_vote_and_time() {
        let raw = r#"a:2:{i:0;a:5:{s:8:"feedback";s:9:"Too short";s:4:"time";s:19:"26-11-2026 07:00:01";s:2:"id";s:13:"6745a1b2c3d4e";s:4:"user";b:0;s:8:"ratingID";i:17;}i:3;a:4:{s:8:"feedback";s:3:"Meh";s:4:"time";s:19:"27-11-2026 08:00:00";s:2:"id";s:13:"6745a1b2c3d4f";s:4:"user";i:5;}}"#;
        let entries = parse_feedback(raw).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].text, "Too short");
        assert_eq!(entries[0].rating_row, Some(17));
        assert_eq!(
            entries[0].at,
            crate::time::parse("2026-11-26T07:00:01Z").unwrap()
        );
        assert_eq!(entries[1].rating_row, None);
    }

    #[test]
    fn broken_serialized_meta_is_refused() {
        assert!(parse_feedback("a:1:{i:0;a:5:{s:8:\"feedback\";").is_err());
        assert!(parse_feedback("not serialized").is_err());
    }
}
