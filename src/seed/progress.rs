//! How far a seed has got: a bar when stderr is a terminal, a plain line per batch when it
//! is not (logs, CI), nothing in tests.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// What a seed has written so far, and what it will write in all.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    pub articles: u64,
    pub votes: u64,
    pub feedback: u64,
}

pub struct Progress {
    shown: Shown,
    started: Instant,
}

enum Shown {
    Nothing,
    Bar(ProgressBar),
    Lines,
}

impl Progress {
    pub fn hidden() -> Self {
        Self {
            shown: Shown::Nothing,
            started: Instant::now(),
        }
    }

    pub fn on_stderr() -> Self {
        let shown = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "[{elapsed_precise}] {wide_bar} {percent:>3}% {msg} (eta {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            Shown::Bar(bar)
        } else {
            Shown::Lines
        };
        Self {
            shown,
            started: Instant::now(),
        }
    }

    /// A bar moves by articles and votes together: a batch of popular articles takes longer
    /// to write than one of articles nobody read, and the count says so.
    pub(super) fn start(&self, planned: Totals) {
        if let Shown::Bar(bar) = &self.shown {
            bar.set_length(planned.articles + planned.votes);
        }
    }

    pub(super) fn advance(&self, done: Totals, planned: Totals) {
        let text = format!(
            "{} of {} articles, {} of {} votes",
            thousands(done.articles),
            thousands(planned.articles),
            thousands(done.votes),
            thousands(planned.votes)
        );
        match &self.shown {
            Shown::Nothing => {}
            Shown::Bar(bar) => {
                bar.set_position(done.articles + done.votes);
                bar.set_message(text);
            }
            Shown::Lines => eprintln!(
                "seed: {text}, {} feedback, {:.1} s",
                thousands(done.feedback),
                self.started.elapsed().as_secs_f64()
            ),
        }
    }

    /// Loading is done; `what` is what comes next.
    pub(super) fn finishing(&self, what: &str) {
        match &self.shown {
            Shown::Nothing => {}
            Shown::Bar(bar) => {
                bar.finish_and_clear();
                eprintln!("seed: {what}");
            }
            Shown::Lines => eprintln!("seed: {what}"),
        }
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(5_000_000), "5,000,000");
    }
}
