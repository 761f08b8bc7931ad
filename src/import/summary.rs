//! What an import did (or, with `--dry-run`, would do), as printed at its end.

use crate::seed::thousands;
use std::fmt;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub dry_run: bool,
    /// Posts with rating data in WordPress.
    pub posts_read: u64,
    /// Posts with rating data that are not published, or of WordPress's internal types.
    pub not_published: u64,
    pub imported: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// New votes with their star known (from per-vote rows).
    pub known_votes: u64,
    /// The change in votes whose star is unknown (negative where the plugin's totals fell).
    pub unknown_votes: i64,
    pub feedback: u64,
    /// (post id, reason), for feedback entries left out.
    pub feedback_skipped: Vec<(i64, String)>,
    /// (post id, reason), for articles left out whole.
    pub skipped: Vec<(i64, String)>,
    /// (post id, note), for articles imported with something worth knowing.
    pub notes: Vec<(i64, String)>,
    /// With `--dry-run`: what each article would get, the first `SHOWN_CHANGES` of them.
    pub changes: Vec<String>,
    pub seconds: f64,
}

/// Articles a dry run lists one by one; past them, only how many more.
pub const SHOWN_CHANGES: usize = 1000;

impl Summary {
    /// Articles written (or to write).
    pub fn changed(&self) -> u64 {
        self.imported + self.updated
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        writeln!(
            f,
            "{} posts with ratings read ({} not published, passed over) in {:.1} s",
            thousands(self.posts_read),
            thousands(self.not_published),
            self.seconds
        )?;
        writeln!(
            f,
            "{verb}: {} new articles, {} updated, {} unchanged; {} votes with their star, \
             {} votes whose star is unknown, {} feedback entries",
            thousands(self.imported),
            thousands(self.updated),
            thousands(self.unchanged),
            thousands(self.known_votes),
            signed(self.unknown_votes),
            thousands(self.feedback)
        )?;
        writeln!(f, "skipped: {} articles", self.skipped.len())?;
        for (post, why) in &self.skipped {
            writeln!(f, "  post {post}: {why}")?;
        }
        writeln!(f, "feedback left out: {}", self.feedback_skipped.len())?;
        for (post, why) in &self.feedback_skipped {
            writeln!(f, "  post {post}: {why}")?;
        }
        for (post, note) in &self.notes {
            writeln!(f, "note: post {post}: {note}")?;
        }
        for change in &self.changes {
            writeln!(f, "would change: {change}")?;
        }
        let unshown = self.changed().saturating_sub(self.changes.len() as u64);
        if self.dry_run && unshown > 0 {
            writeln!(
                f,
                "would change: ... and {} more articles",
                thousands(unshown)
            )?;
        }
        Ok(())
    }
}

fn signed(n: i64) -> String {
    let magnitude = thousands(n.unsigned_abs());
    if n < 0 {
        format!("-{magnitude}")
    } else {
        magnitude
    }
}
