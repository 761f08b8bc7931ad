//! Signing secrets at rest. A secret must be kept whole to sign (a hash would not do), so when
//! the service has a `PLAUDIT_SECRET` the secrets are sealed with ChaCha20-Poly1305 under a
//! key derived from it: a copy of the database or of a backup alone then cannot sign. Without
//! one (the voter key is then kept in the same database) they are stored as they are.
//!
//! Stored forms: `sealed1:` and the base64 of nonce and ciphertext, or the plain `whsec_...`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SEALED_PREFIX: &str = "sealed1:";
const NONCE_BYTES: usize = 12;
/// What the service secret is hashed with, so that the derived key serves this alone.
const KEY_PURPOSE: &[u8] = b"plaudit webhook signing secrets v1";

#[derive(Clone)]
pub struct SecretSealer {
    cipher: Option<ChaCha20Poly1305>,
}

impl std::fmt::Debug for SecretSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretSealer")
            .field("sealing", &self.cipher.is_some())
            .finish()
    }
}

impl SecretSealer {
    /// Seals with a key derived from `service_secret`; stores as-is without one.
    pub fn new(service_secret: Option<&[u8]>) -> Self {
        let cipher = service_secret.map(|secret| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
                .expect("HMAC takes keys of any length");
            mac.update(KEY_PURPOSE);
            let key = mac.finalize().into_bytes();
            ChaCha20Poly1305::new(Key::from_slice(&key))
        });
        Self { cipher }
    }

    /// The form to store.
    pub fn seal(&self, secret: &str) -> Result<String, String> {
        let Some(cipher) = &self.cipher else {
            return Ok(secret.to_owned());
        };
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|error| format!("no random nonce: {error}"))?;
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), secret.as_bytes())
            .map_err(|_| "sealing failed".to_owned())?;
        let mut stored = nonce.to_vec();
        stored.extend(sealed);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(stored)))
    }

    /// The secret from its stored form.
    pub fn open(&self, stored: &str) -> Result<String, String> {
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let cipher = self.cipher.as_ref().ok_or_else(|| {
            "the signing secret was sealed with PLAUDIT_SECRET, which is not set".to_owned()
        })?;
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| "the stored signing secret is damaged".to_owned())?;
        if bytes.len() <= NONCE_BYTES {
            return Err("the stored signing secret is damaged".into());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let secret = cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| {
                "the signing secret does not open with this PLAUDIT_SECRET (was it changed?)"
                    .to_owned()
            })?;
        String::from_utf8(secret).map_err(|_| "the stored signing secret is damaged".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_only() {
        let sealer = SecretSealer::new(Some(b"a service secret of some length"));
        let stored = sealer.seal(SECRET).unwrap();
        assert!(stored.starts_with(SEALED_PREFIX) && !stored.contains(&SECRET[6..]));
        assert_ne!(
            stored,
            sealer.seal(SECRET).unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(sealer.open(&stored).unwrap(), SECRET);
        let other = SecretSealer::new(Some(b"another service secret entirely"));
        assert!(other.open(&stored).is_err());
        assert!(SecretSealer::new(None).open(&stored).is_err());
    }

    #[test]
    fn without_a_key_secrets_are_kept_as_they_are_and_plain_ones_always_open() {
        let plain = SecretSealer::new(None);
        assert_eq!(plain.seal(SECRET).unwrap(), SECRET);
        let sealing = SecretSealer::new(Some(b"a service secret of some length"));
        assert_eq!(sealing.open(SECRET).unwrap(), SECRET);
    }
}
