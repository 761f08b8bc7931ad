use serde::{Deserialize, Deserializer, Serialize};

/// Which version of an article a vote was cast on (e.g. its last-modified time), so reports
/// can show whether an edit helped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Revision(String);

impl Revision {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || raw.chars().any(char::is_control) {
            return Err(format!(
                "a revision is 1 to {} characters without control characters",
                Self::MAX_CHARS
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Revision {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}
