use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The publisher's own key for an article (a CMS id, a slug).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ArticleId(String);

impl ArticleId {
    pub const MAX_LEN: usize = 128;
    /// Said in every rejection, so the caller learns the rule rather than guessing it.
    pub const RULE: &'static str = "an article id is 1 to 128 characters of ASCII letters, digits and . _ : -, \
         not only dots";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
        // Ids of dots alone are refused: clients remove `.` and `..` path segments, so no
        // browser could reach `/v1/articles/./rating`.
        let only_dots = raw.bytes().all(|b| b == b'.');
        if only_dots || raw.len() > Self::MAX_LEN || !raw.chars().all(allowed) {
            return Err(format!("{}; got {:?}", Self::RULE, shorten(raw)));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keeps an error message readable when someone sends a megabyte as an id.
fn shorten(raw: &str) -> String {
    const SHOWN: usize = 40;
    match raw.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}...", &raw[..cut]),
        None => raw.to_owned(),
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ArticleId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_cms_ids_and_slugs() {
        for ok in [
            "12345",
            "how-to-vote",
            "news:2026.11_a",
            ".a",
            "..-",
            &"a".repeat(128),
        ] {
            assert_eq!(ArticleId::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_what_the_rule_excludes() {
        for bad in [
            "",
            ".",
            "..",
            "...",
            "a/b",
            "a b",
            "café",
            "a?b",
            "a%2Fb",
            &"a".repeat(129),
        ] {
            let err = ArticleId::parse(bad).unwrap_err();
            assert!(err.starts_with(ArticleId::RULE), "{bad:?}: {err}");
        }
    }

    #[test]
    fn long_input_is_shortened_in_the_message() {
        let err = ArticleId::parse(&"é".repeat(1000)).unwrap_err();
        assert!(err.len() < 200, "{err}");
    }
}
