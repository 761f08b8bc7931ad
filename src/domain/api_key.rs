//! Editors' API keys: `plaudit_<id>_<secret>`. The id is public and finds the key's row; only a
//! SHA-256 of the whole key is stored, and it is compared in constant time.

use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "read" => Ok(Self::Read),
            "admin" => Ok(Self::Admin),
            other => Err(format!("a scope is \"read\" or \"admin\"; got {other:?}")),
        }
    }

    /// Admin keys may do everything read keys may.
    pub fn allows(self, needed: Scope) -> bool {
        self >= needed
    }
}

const PREFIX: &str = "plaudit_";

/// A key as the editor holds it. Shown once, at creation.
pub struct ApiKey {
    id: String,
    full: String,
}

impl ApiKey {
    pub fn generate() -> Self {
        let mut id = [0u8; 6];
        let mut secret = [0u8; 32];
        getrandom::fill(&mut id).expect("the OS has randomness");
        getrandom::fill(&mut secret).expect("the OS has randomness");
        let id = crate::hex::encode(&id);
        let full = format!("{PREFIX}{id}_{}", crate::hex::encode(&secret));
        Self { id, full }
    }

    /// Splits a presented key into its id, or `None` if it cannot be one of ours.
    pub fn id_of(presented: &str) -> Option<&str> {
        let rest = presented.strip_prefix(PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        (id.len() == 12 && secret.len() == 64).then_some(id)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn expose(&self) -> &str {
        &self.full
    }

    pub fn digest(presented: &str) -> [u8; 32] {
        Sha256::digest(presented.as_bytes()).into()
    }

    /// Both sides are fixed-length digests, so the comparison's time says nothing.
    pub fn matches(presented: &str, stored_digest: &[u8]) -> bool {
        Self::digest(presented).ct_eq(stored_digest).into()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}, [redacted])", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_found_by_its_id_and_matches_its_digest() {
        let key = ApiKey::generate();
        assert_eq!(ApiKey::id_of(key.expose()), Some(key.id()));
        let stored = ApiKey::digest(key.expose());
        assert!(ApiKey::matches(key.expose(), &stored));
        let mut tampered = key.expose().to_owned();
        let last = if tampered.ends_with('0') { "1" } else { "0" };
        tampered.replace_range(tampered.len() - 1.., last);
        assert!(!ApiKey::matches(&tampered, &stored));
        assert!(!format!("{key:?}").contains(&key.expose()[20..]));
    }

    #[test]
    fn other_strings_are_not_keys() {
        for bad in [
            "",
            "plaudit_",
            "plaudit_abc_def",
            "Bearer x",
            "plaudit_0123456789ab",
        ] {
            assert_eq!(ApiKey::id_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn admin_includes_read() {
        assert!(Scope::Admin.allows(Scope::Read));
        assert!(!Scope::Read.allows(Scope::Admin));
    }
}
