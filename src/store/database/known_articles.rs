//! The articles this instance has seen committed, so that a vote batch on them skips the
//! statement that creates missing article rows: on a viral article that statement is one of
//! the few round trips every batch makes, and it never has anything to do.
//!
//! Articles are never deleted, so a name once committed stays true; if the database changes
//! under a running instance (restored from a backup), the batch fails on the missing row, and
//! a failed batch makes the instance forget everything it knew (see `forget_all`).

use std::collections::HashSet;
use std::sync::Mutex;

/// Bounded: when full, everything is forgotten at once (the hot articles come back with
/// their next batch), which costs less per vote than keeping an order of use.
const MAX_KNOWN: usize = 65_536;

#[derive(Debug, Default)]
pub struct KnownArticles {
    names: Mutex<HashSet<String>>,
}

impl KnownArticles {
    /// Those of `articles` not known to exist, in their order.
    pub fn unknown<'a>(&self, articles: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        articles
            .into_iter()
            .filter(|article| !names.contains(*article))
            .collect()
    }

    /// To be called once the rows of `articles` are committed.
    pub fn remember<'a>(&self, articles: impl IntoIterator<Item = &'a str>) {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        for article in articles {
            if names.len() >= MAX_KNOWN {
                names.clear();
            }
            if !names.contains(article) {
                names.insert(article.to_owned());
            }
        }
    }

    pub fn forget_all(&self) {
        self.names.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_committed_articles_until_forgotten() {
        let known = KnownArticles::default();
        assert_eq!(known.unknown(["a", "b"]), ["a", "b"]);
        known.remember(["a"]);
        assert_eq!(known.unknown(["a", "b"]), ["b"]);
        known.forget_all();
        assert_eq!(known.unknown(["a", "b"]), ["a", "b"]);
    }

    #[test]
    fn a_full_set_starts_again_rather_than_grow() {
        let known = KnownArticles::default();
        let names: Vec<String> = (0..MAX_KNOWN).map(|n| format!("a{n}")).collect();
        known.remember(names.iter().map(String::as_str));
        assert!(known.unknown(["a0"]).is_empty());
        known.remember(["one more"]);
        assert_eq!(known.unknown(["a0", "one more"]), ["a0"]);
    }
}
