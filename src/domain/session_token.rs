//! The dashboard's sign-in sessions: a random token the browser holds in an HttpOnly cookie.
//! Only its SHA-256 is stored, so that the database alone signs nobody in; a lookup by the
//! digest is an index probe, and a token is 256 random bits, so no timing can guess one.

use sha2::{Digest, Sha256};
use std::fmt;

pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(crate::hex::encode(&bytes)))
    }

    /// A cookie's value, if it has the shape of one of ours (64 lower-case hex digits).
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::SessionToken;

    #[test]
    fn only_our_shape_parses() {
        let token = SessionToken::generate().unwrap();
        assert!(SessionToken::parse(token.expose()).is_some());
        assert!(SessionToken::parse(&token.expose().to_uppercase()).is_none());
        assert!(SessionToken::parse("abc").is_none());
        assert!(!format!("{token:?}").contains(token.expose()));
    }
}
