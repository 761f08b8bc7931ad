use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer};
use sha2::Sha256;
use std::fmt;
use uuid::Uuid;

/// The random id the widget keeps for a reader. Never stored: see [`VoterHash`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VoterId(Uuid);

impl VoterId {
    pub const RULE: &'static str =
        "a voter is a UUID in its hyphenated form, such as 0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a55";

    /// The hyphenated form only, as the spec's `format: uuid` says: the uuid crate also takes
    /// braces, `urn:uuid:` and 32 bare digits, which are 38, 45 and 32 characters long.
    pub fn parse(raw: &str) -> Result<Self, String> {
        const HYPHENATED_LEN: usize = 36;
        let parsed = (raw.len() == HYPHENATED_LEN)
            .then(|| Uuid::try_parse(raw).ok())
            .flatten();
        parsed.map(Self).ok_or_else(|| {
            format!(
                "{}; got {:?}",
                Self::RULE,
                raw.chars().take(40).collect::<String>()
            )
        })
    }

    pub fn uuid(self) -> Uuid {
        self.0
    }
}

/// Readers' ids stay out of logs, like their hashes stay out of reach of anyone without the key.
impl fmt::Debug for VoterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VoterId(..)")
    }
}

impl<'de> Deserialize<'de> for VoterId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// The server secret that turns voter ids into [`VoterHash`]es.
#[derive(Clone)]
pub struct VoterKey(Vec<u8>);

impl VoterKey {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self(secret.into())
    }

    /// HMAC-SHA-256 of the voter's UUID: stable for one server secret, so a reader can change
    /// their vote, but not reversible to the id the reader's browser holds.
    pub fn hash(&self, voter: VoterId) -> VoterHash {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any size");
        mac.update(voter.0.as_bytes());
        VoterHash(mac.finalize().into_bytes().to_vec())
    }
}

impl fmt::Debug for VoterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VoterKey([redacted])")
    }
}

/// What the database keeps of a voter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterHash(Vec<u8>);

impl VoterHash {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READER: &str = "0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a55";

    #[test]
    fn hash_is_stable_per_key_and_differs_across_keys() {
        let voter = VoterId::parse(READER).unwrap();
        let a = VoterKey::new(b"first secret".to_vec());
        let b = VoterKey::new(b"second secret".to_vec());
        assert_eq!(a.hash(voter), a.hash(voter));
        assert_ne!(a.hash(voter), b.hash(voter));
        assert_eq!(a.hash(voter).as_bytes().len(), 32);
        assert_ne!(a.hash(voter).as_bytes(), voter.uuid().as_bytes());
    }

    #[test]
    fn rejects_non_uuids_with_the_rule() {
        for bad in [
            "",
            "reader-1",
            "0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a5",
            "{0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a55}",
            "urn:uuid:0b7e4a8c-3c1f-4d2a-9f61-2f7f1f0c9a55",
            "0b7e4a8c3c1f4d2a9f612f7f1f0c9a55",
        ] {
            assert!(VoterId::parse(bad).unwrap_err().starts_with(VoterId::RULE));
        }
    }

    #[test]
    fn takes_either_case() {
        let upper = VoterId::parse(&READER.to_uppercase()).unwrap();
        assert_eq!(upper, VoterId::parse(READER).unwrap());
    }

    #[test]
    fn debug_output_hides_the_voter() {
        let voter = VoterId::parse(READER).unwrap();
        assert!(!format!("{voter:?}").contains("0b7e"));
    }
}
