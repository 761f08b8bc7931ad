use serde::{Deserialize, Deserializer, Serialize};

/// What a reader wrote after a low rating. Kept exactly as given; whatever shows it must
/// treat it as text, never as markup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FeedbackText(String);

impl FeedbackText {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if raw.trim().is_empty() || chars > Self::MAX_CHARS {
            return Err(format!(
                "feedback text is 1 to {} characters and not only spaces; got {chars}",
                Self::MAX_CHARS
            ));
        }
        // PostgreSQL cannot store U+0000; nobody types it.
        if raw.contains('\0') {
            return Err("feedback text must not contain NUL (U+0000) characters".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for FeedbackText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert!(FeedbackText::parse(&"é".repeat(2000)).is_ok());
        assert!(FeedbackText::parse(&"é".repeat(2001)).is_err());
        assert!(FeedbackText::parse("  \n").is_err());
        assert!(FeedbackText::parse("a\0b").is_err());
        assert_eq!(
            FeedbackText::parse("<b>as is</b>").unwrap().as_str(),
            "<b>as is</b>"
        );
    }
}
