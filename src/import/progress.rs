//! A bar over the posts while an import plans and writes them, on a terminal only.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn hidden() -> Self {
        Self(None)
    }

    pub fn on_stderr() -> Self {
        Self(std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "[{elapsed_precise}] {wide_bar} {pos}/{len} posts (eta {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        }))
    }

    pub(super) fn start(&self, posts: u64) {
        if let Some(bar) = &self.0 {
            bar.set_length(posts);
        }
    }

    pub(super) fn advance(&self, posts: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(posts);
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
