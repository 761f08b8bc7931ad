//! What one article's import changes, from what the plugin holds now and what earlier imports
//! brought (its `ImportRecord`): pure, so that every awkward case is a unit test.
//!
//! The plugin's totals win: they are what the site showed, and admins edit them. Per-vote rows
//! past the record's last give the known stars (and the daily series); the rest of the totals,
//! less all known votes, is the unknown-star part, recomputed each run. Where the rows cannot
//! fit in the totals (more rows than votes, or a remainder averaging outside 1..=5), no new
//! row is taken and the totals (less the rows taken before) go in as unknown-star votes.

use super::plugin::{FeedbackEntry, PluginRating};
use crate::domain::Stars;
use crate::store::{ImportRecord, ImportedArticle, ImportedFeedback, ImportedVote};
use sha2::{Digest, Sha256};

/// Tolerance for averages computed from the plugins' decimal sums.
const EPSILON: f64 = 1e-9;

/// An article's change, and what the summary should say about it.
#[derive(Debug, Default)]
pub struct Planned {
    /// None: nothing new since the last run.
    pub change: Option<ImportedArticle>,
    pub new_article: bool,
    pub known_votes: u64,
    pub unknown_votes_change: i64,
    pub feedback: u64,
    /// Feedback entries left out, each with its reason.
    pub feedback_skipped: Vec<String>,
    /// Worth telling, though imported (rows set aside, an average rounded).
    pub notes: Vec<String>,
}

/// The synthetic voter of a per-vote row: no reader's id hashes to it, so nobody can change
/// the vote, and the same row always gives the same voter.
pub fn row_voter(plugin: &str, row_id: i64) -> [u8; 32] {
    Sha256::digest(format!("wordpress:{plugin}:{row_id}")).into()
}

/// Metadata of the article, as `ImportedArticle` takes it.
pub struct Metadata {
    pub title: Option<String>,
    pub url: Option<String>,
    pub published_at: Option<String>,
}

/// The change for one article, or why it is skipped.
pub fn plan(
    plugin: &str,
    article_id: &str,
    rating: &PluginRating,
    previous: Option<&ImportRecord>,
    metadata: Metadata,
) -> Result<Planned, String> {
    let totals = rating.totals;
    check_totals(totals.votes, totals.stars).map_err(|why| format!("the plugin's totals {why}"))?;
    if let Some(row) = rating
        .rows
        .iter()
        .find(|row| !(1.0 - EPSILON..=5.0 + EPSILON).contains(&row.stars))
    {
        return Err(format!(
            "vote row {} holds {}, outside 1-5",
            row.id, row.stars
        ));
    }
    let before = previous.cloned().unwrap_or_else(|| ImportRecord {
        article_id: article_id.to_owned(),
        plugin: plugin.to_owned(),
        post_id: rating.post_id,
        ..Default::default()
    });
    let mut planned = Planned {
        new_article: previous.is_none(),
        ..Default::default()
    };

    let new_rows: Vec<_> = rating
        .rows
        .iter()
        .filter(|row| row.id > before.last_row_id)
        .collect();
    let new_known: Vec<ImportedVote> = new_rows
        .iter()
        .filter_map(|row| {
            whole_stars(row.stars).map(|stars| ImportedVote {
                voter_hash: row_voter(plugin, row.id),
                stars,
                at: row.at,
            })
        })
        .collect();
    let added_sum: i64 = new_known.iter().map(|v| i64::from(v.stars.get())).sum();
    let mut after = before.clone();
    after.post_id = rating.post_id;
    after.known_votes += new_known.len() as i64;
    after.known_star_sum += added_sum;
    after.last_row_id = new_rows
        .iter()
        .map(|row| row.id)
        .max()
        .unwrap_or(before.last_row_id);
    let mut new_votes = new_known;
    let mut unknown = remainder(totals.votes, totals.stars, &after);
    if unknown.is_err() {
        // The rows do not fit in the totals: take none of the new ones.
        after = before.clone();
        after.post_id = rating.post_id;
        new_votes.clear();
        unknown = remainder(totals.votes, totals.stars, &after);
        planned.notes.push(format!(
            "{} vote row(s) do not fit in the plugin's totals ({} votes, average {:.2}): \
             the totals went in as votes whose star is unknown",
            new_rows.len(),
            totals.votes,
            average(totals.votes, totals.stars)
        ));
    }
    let (unknown_votes, unknown_sum) =
        unknown.map_err(|why| format!("the plugin's totals less earlier imports {why}"))?;
    after.unknown_star_votes = unknown_votes;
    after.unknown_star_sum = unknown_sum;

    let stored_sum = after.known_star_sum + after.unknown_star_sum;
    let stored_votes = after.known_votes + after.unknown_star_votes;
    let shown = format!("{:.1}", average(totals.votes, totals.stars));
    let kept = format!("{:.1}", average(stored_votes, stored_sum as f64));
    if shown != kept {
        planned.notes.push(format!(
            "average {shown} kept as {kept}: Plaudit keeps whole stars, the plugin's sum is {}",
            totals.stars
        ));
    }

    let feedback = take_feedback(plugin, rating, &before, &after, &mut planned);
    if let Some(last) = rating
        .feedback
        .iter()
        .map(|entry| &entry.id)
        .max_by(|a, b| (a.len(), a.as_str()).cmp(&(b.len(), b.as_str())))
        && newer(last, &before.feedback_last)
    {
        after.feedback_last = last.clone();
    }

    planned.known_votes = new_votes.len() as u64;
    planned.unknown_votes_change = after.unknown_star_votes - before.unknown_star_votes;
    planned.feedback = feedback.len() as u64;
    let nothing_new = previous.is_some_and(|record| *record == after)
        || (previous.is_none() && stored_votes == 0 && feedback.is_empty());
    if !nothing_new {
        planned.change = Some(ImportedArticle {
            unknown_votes_change: planned.unknown_votes_change,
            unknown_sum_change: after.unknown_star_sum - before.unknown_star_sum,
            record: after,
            title: metadata.title,
            url: metadata.url,
            published_at: metadata.published_at,
            new_votes,
            feedback,
        });
    }
    Ok(planned)
}

/// Feedback entries newer than the last imported, each on a vote imported with its star.
fn take_feedback(
    plugin: &str,
    rating: &PluginRating,
    before: &ImportRecord,
    after: &ImportRecord,
    planned: &mut Planned,
) -> Vec<ImportedFeedback> {
    let mut taken = Vec::new();
    for entry in &rating.feedback {
        if !newer(&entry.id, &before.feedback_last) {
            continue;
        }
        match feedback_vote(rating, after, entry) {
            Ok(stars) => taken.push(ImportedFeedback {
                voter_hash: row_voter(plugin, entry.rating_row.unwrap_or_default()),
                stars,
                text: entry.text.clone(),
                at: entry.at,
            }),
            Err(why) => planned
                .feedback_skipped
                .push(format!("feedback {}: {why}", entry.id)),
        }
    }
    taken
}

/// The star of the imported vote a feedback entry was left with. Plaudit's feedback always
/// carries a star (`feedback.stars` is 1-5), and none is made up.
fn feedback_vote(
    rating: &PluginRating,
    after: &ImportRecord,
    entry: &FeedbackEntry,
) -> Result<Stars, String> {
    if entry.text.trim().is_empty() {
        return Err("empty".into());
    }
    let row_id = entry
        .rating_row
        .ok_or("no vote named (entries older than Rate My Post 3 have none)")?;
    let row = rating
        .rows
        .iter()
        .find(|row| row.id == row_id)
        .ok_or_else(|| format!("its vote row {row_id} is not in the vote table"))?;
    if row.id > after.last_row_id {
        return Err(format!("its vote row {row_id} was not imported"));
    }
    whole_stars(row.stars).ok_or_else(|| format!("its vote row {row_id} has no whole star"))
}

/// Rate My Post's feedback ids are PHP `uniqid()`s: hex of the time, all of one length, so
/// a longer or greater id is a later one.
fn newer(id: &str, last: &str) -> bool {
    (id.len(), id) > (last.len(), last)
}

fn whole_stars(value: f64) -> Option<Stars> {
    let rounded = value.round();
    ((value - rounded).abs() < EPSILON)
        .then(|| Stars::new(rounded as i64))
        .flatten()
}

fn average(votes: i64, stars: f64) -> f64 {
    if votes == 0 {
        0.0
    } else {
        stars / votes as f64
    }
}

/// `votes` votes summing to `stars` can be real: none, or an average within 1..=5.
fn check_totals(votes: i64, stars: f64) -> Result<(), String> {
    if votes < 0 {
        return Err(format!("count {votes} votes"));
    }
    if !stars.is_finite() || (votes == 0 && stars.abs() > EPSILON) {
        return Err(format!("sum {stars} stars over {votes} votes"));
    }
    let mean = average(votes, stars);
    if votes > 0 && !(1.0 - EPSILON..=5.0 + EPSILON).contains(&mean) {
        return Err(format!("average {mean:.2}, outside 1-5"));
    }
    Ok(())
}

/// The unknown-star votes and their whole-star sum: the totals less the known votes.
fn remainder(votes: i64, stars: f64, known: &ImportRecord) -> Result<(i64, i64), String> {
    let rest_votes = votes - known.known_votes;
    let rest_stars = stars - known.known_star_sum as f64;
    check_totals(rest_votes, rest_stars)?;
    let sum = (rest_stars.round() as i64).clamp(rest_votes, 5 * rest_votes);
    Ok((rest_votes, sum))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
