//! Which network a vote comes from, without keeping anything that leads back to an address.
//!
//! A network (an IPv4 address, an IPv6 /64) is tagged with an HMAC under a key made for the
//! current UTC day. The key lives in the database so that every instance tags alike, and is
//! deleted together with the day's tags once the next day starts: after that, a tag cannot be
//! tied to an address by anyone.

use super::ClientKey;
use crate::store::{Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::{Arc, Mutex, PoisonError};

const DAY_MILLIS: i64 = 86_400_000;

/// A network's tag for one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkTag {
    pub day: i64,
    pub hash: Vec<u8>,
}

/// Today's key, fetched once a day per instance.
#[derive(Default)]
pub struct NetworkKeys {
    /// An `Arc`, so that each vote takes the key without copying it.
    today: Mutex<Option<(i64, Arc<[u8]>)>>,
}

impl std::fmt::Debug for NetworkKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NetworkKeys([redacted])")
    }
}

impl NetworkKeys {
    pub async fn tag(
        &self,
        store: &Store,
        client: ClientKey,
        now_millis: i64,
    ) -> Result<NetworkTag, StoreError> {
        let day = now_millis.div_euclid(DAY_MILLIS);
        // A panic while the lock was held cannot leave the key half-written: take it as is,
        // as the rating cache does.
        let cached = self
            .today
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let key = match cached {
            Some((cached_day, key)) if cached_day == day => key,
            _ => {
                let key = store.network_key(day).await?;
                let key: Arc<[u8]> = key.into();
                *self.today.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((day, key.clone()));
                key
            }
        };
        Ok(NetworkTag {
            day,
            hash: hash(&key, &client),
        })
    }
}

fn hash(key: &[u8], client: &ClientKey) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any size");
    mac.update(&client.network_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_differ_by_key_and_network_but_not_within_a_64() {
        let a = ClientKey::of("2001:db8::1".parse().unwrap());
        let same_64 = ClientKey::of("2001:db8::ffff".parse().unwrap());
        let other = ClientKey::of("192.0.2.1".parse().unwrap());
        assert_eq!(hash(b"monday", &a), hash(b"monday", &same_64));
        assert_ne!(hash(b"monday", &a), hash(b"monday", &other));
        assert_ne!(hash(b"monday", &a), hash(b"tuesday", &a));
    }
}
