//! Where a feedback entry stands in the editors' triage.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackStatus {
    New,
    Read,
    Resolved,
    Spam,
}

impl FeedbackStatus {
    pub const ALL: [Self; 4] = [Self::New, Self::Read, Self::Resolved, Self::Spam];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Read => "read",
            Self::Resolved => "resolved",
            Self::Spam => "spam",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| {
                format!("status is one of \"new\", \"read\", \"resolved\", \"spam\"; got {raw:?}")
            })
    }
}

impl fmt::Display for FeedbackStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for FeedbackStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::FeedbackStatus;

    #[test]
    fn every_status_reads_back_as_written() {
        for status in FeedbackStatus::ALL {
            assert_eq!(FeedbackStatus::parse(status.as_str()), Ok(status));
        }
        assert!(FeedbackStatus::parse("New").is_err());
        assert!(FeedbackStatus::parse("").is_err());
    }
}
