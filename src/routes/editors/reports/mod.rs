//! Editors' usefulness reports, one file per report: JSON by default, CSV with
//! `Accept: text/csv`. What every report takes (a window, a limit, a cursor) is parsed here.

mod article;
mod articles;
mod audit;
mod feedback;
mod ranking;
mod summary;

pub use article::article;
pub use articles::articles;
pub use audit::audit;
pub use feedback::feedback;
pub use summary::summary;

use super::MAX_FIELD_CHARS;
use crate::error::ApiError;
use crate::extract::storable_text;
use crate::routes::time_param;
use crate::store::{ArticleFigures, ReportWindow};
use crate::views::{ArticleRow, Figures, Prior};
use serde_json::{Value, json};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 500;

/// The window a report covers, as asked: a bound the editor gave is echoed even when it is
/// 1970-01-01, a bound left open is `null`.
pub(super) struct AskedWindow {
    pub(super) window: ReportWindow,
    from: Option<i64>,
    to: Option<i64>,
}

impl AskedWindow {
    pub(super) fn json(&self) -> Value {
        json!({
            "from": self.from.map(crate::time::format),
            "to": self.to.map(crate::time::format),
            "section": self.window.section,
        })
    }
}

pub(super) fn window(
    from: Option<&str>,
    to: Option<&str>,
    section: Option<String>,
) -> Result<AskedWindow, ApiError> {
    if let Some(section) = &section {
        storable_text("section", section)?;
        // No article's section is longer, so a longer filter can only be a mistake.
        if section.chars().count() > MAX_FIELD_CHARS {
            return Err(ApiError::InvalidInput(format!(
                "section: at most {MAX_FIELD_CHARS} characters"
            )));
        }
    }
    let from = from.map(|raw| time_param("from", raw)).transpose()?;
    let to = to.map(|raw| time_param("to", raw)).transpose()?;
    // Only two given bounds can contradict each other; `to` alone may well end an empty window.
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(ApiError::InvalidInput("from must be before to".into()));
    }
    let open = ReportWindow::default();
    Ok(AskedWindow {
        window: ReportWindow {
            from: from.unwrap_or(open.from),
            to: to.unwrap_or(open.to),
            section,
        },
        from,
        to,
    })
}

/// Counts are bounded in the spec by the largest integer JavaScript holds exactly, and the
/// summary echoes `min_votes` back as a count.
const MAX_MIN_VOTES: i64 = (1 << 53) - 1;

pub(super) fn min_votes(requested: Option<i64>, default: i64) -> Result<i64, ApiError> {
    match requested.unwrap_or(default) {
        n @ 0..=MAX_MIN_VOTES => Ok(n),
        n => Err(ApiError::InvalidInput(format!(
            "min_votes is 0 to {MAX_MIN_VOTES}; got {n}"
        ))),
    }
}

pub(super) fn limit(requested: Option<usize>) -> Result<usize, ApiError> {
    match requested.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(n),
        n => Err(ApiError::InvalidInput(format!(
            "limit is 1 to {MAX_LIMIT}; got {n}"
        ))),
    }
}

pub(super) fn article_row(figures: &ArticleFigures, prior: Prior) -> ArticleRow {
    ArticleRow {
        article_id: figures.article_id.clone(),
        title: figures.title.clone(),
        section: figures.section.clone(),
        figures: Figures::of(&figures.counts, prior),
    }
}

/// Cuts `entries` (fetched with one extra row) to `limit`, and gives the cursor of the next page
/// if that extra row was there.
pub(super) fn page_by_id<T>(
    entries: &mut Vec<T>,
    limit: i64,
    id: impl Fn(&T) -> i64,
) -> Option<String> {
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    entries.last().filter(|_| more).map(|e| id(e).to_string())
}

/// The cursor of id-ordered lists: the last id shown; the next page holds older entries.
pub(super) fn id_cursor(raw: Option<&str>) -> Result<i64, ApiError> {
    raw.map_or(Ok(i64::MAX), |raw| {
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| ApiError::InvalidInput("cursor is not one this service gave out".into()))
    })
}
