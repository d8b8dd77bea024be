//! API keys: format, keyed hashing, and the in-memory table the
//! authenticate phase checks against.
//!
//! A key looks like `aig_<16 hex id>_<43 base64url secret>`. The id is not
//! secret: it selects the stored record, so lookup is a hash-map get and the
//! only comparison touching the secret is one constant-time HMAC verify.
//! Only HMAC-SHA256(key_hash_secret, key) is stored (`store.rs`); the key
//! itself exists once, in the output of `create`/`rotate`, and is never logged.

mod store;

pub use store::{KeyInfo, KeyStore};

use crate::Error;
use ring::hmac;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Prefix of every key (lets secret scanners recognise leaked keys).
pub const KEY_PREFIX: &str = "aig_";
/// Hex digits of the key id.
pub const KEY_ID_LEN: usize = 16;
/// Random bytes in the secret part (256 bits).
pub const KEY_SECRET_BYTES: usize = 32;
/// Longest credential looked at (anything longer is rejected unread).
pub const MAX_PRESENTED_KEY_LEN: usize = 256;
/// Shortest accepted `key_hash_secret` (bytes as fetched).
pub const MIN_HASH_SECRET_BYTES: usize = 32;

/// HMAC-SHA256 under the configured secret.
#[derive(Clone)]
pub struct KeyHasher(hmac::Key);

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher(..)")
    }
}

impl KeyHasher {
    /// Build from the secret's bytes (from `aigis_integrity::keys::resolve`).
    pub fn new(secret: &[u8]) -> Result<KeyHasher, Error> {
        if secret.len() < MIN_HASH_SECRET_BYTES {
            return Err(Error::Secret(format!(
                "shorter than {MIN_HASH_SECRET_BYTES} bytes; generate one with `openssl rand -hex 32`"
            )));
        }
        Ok(KeyHasher(hmac::Key::new(hmac::HMAC_SHA256, secret)))
    }

    /// Resolve a key reference (`env:`, `file:`, `systemd:`, `vault:`) and build.
    pub fn from_reference(reference: &str) -> Result<KeyHasher, Error> {
        let r =
            aigis_integrity::keys::resolve(reference).map_err(|e| Error::Secret(e.to_string()))?;
        KeyHasher::new(r.bytes())
    }

    pub(crate) fn tag(&self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(hmac::sign(&self.0, data).as_ref());
        out
    }

    fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.0, data, tag).is_ok()
    }
}

/// A freshly generated key: shown once, zeroised on drop.
pub struct NewKey(pub Zeroizing<String>);

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewKey(..)")
    }
}

/// Generate a key and its id.
pub(crate) fn generate() -> Result<(String, NewKey), Error> {
    use base64::Engine;
    use ring::rand::{SecureRandom, SystemRandom};
    let rng = SystemRandom::new();
    let mut id = [0u8; KEY_ID_LEN / 2];
    let mut secret = Zeroizing::new([0u8; KEY_SECRET_BYTES]);
    rng.fill(&mut id).map_err(|_| Error::Random)?;
    rng.fill(&mut secret[..]).map_err(|_| Error::Random)?;
    let id = hex::encode(id);
    let encoded =
        Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret[..]));
    Ok((
        id.clone(),
        NewKey(Zeroizing::new(format!(
            "{KEY_PREFIX}{id}_{}",
            encoded.as_str()
        ))),
    ))
}

/// The id part of a presented key, if it has the key shape.
pub fn key_id(presented: &str) -> Option<&str> {
    if presented.len() > MAX_PRESENTED_KEY_LEN {
        return None;
    }
    let rest = presented.strip_prefix(KEY_PREFIX)?;
    let id = rest.get(..KEY_ID_LEN)?;
    let sep = rest.get(KEY_ID_LEN..KEY_ID_LEN + 1)?;
    if sep != "_"
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return None;
    }
    Some(id)
}

/// One stored key as the gateway needs it at request time.
#[derive(Clone, Debug)]
pub struct KeyEntry {
    pub id: String,
    pub hash: [u8; 32],
    pub role: String,
    pub tenant: Option<String>,
    /// Unix seconds after which the key no longer works (expiry, or the end
    /// of a rotation overlap).
    pub expires: Option<i64>,
    pub revoked: bool,
}

/// All keys, by id; rebuilt from the store at start and on SIGHUP.
#[derive(Debug, Default)]
pub struct KeyTable {
    entries: HashMap<String, KeyEntry>,
}

impl KeyTable {
    pub fn new(entries: impl IntoIterator<Item = KeyEntry>) -> KeyTable {
        KeyTable {
            entries: entries.into_iter().map(|e| (e.id.clone(), e)).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry a presented key authenticates as, at unix time `now`.
    /// Unknown id, wrong secret, revoked and expired all give `None`.
    pub fn check(&self, hasher: &KeyHasher, presented: &str, now: i64) -> Option<&KeyEntry> {
        let entry = self.entries.get(key_id(presented)?)?;
        if !hasher.verify(presented.as_bytes(), &entry.hash) {
            return None;
        }
        if entry.revoked || entry.expires.is_some_and(|t| now >= t) {
            return None;
        }
        Some(entry)
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> KeyHasher {
        KeyHasher::new(&[7u8; 32]).unwrap()
    }

    fn table_with(key: &NewKey, id: &str, expires: Option<i64>, revoked: bool) -> KeyTable {
        let hash = hasher().tag(key.0.as_bytes());
        KeyTable::new([KeyEntry {
            id: id.to_string(),
            hash,
            role: "r".into(),
            tenant: None,
            expires,
            revoked,
        }])
    }

    #[test]
    fn generated_key_has_the_documented_shape() {
        let (id, key) = generate().unwrap();
        assert_eq!(key_id(&key.0), Some(id.as_str()));
        assert_eq!(key.0.len(), 4 + 16 + 1 + 43);
    }

    #[test]
    fn right_key_passes_and_wrong_secret_fails() {
        let (id, key) = generate().unwrap();
        let t = table_with(&key, &id, None, false);
        assert!(t.check(&hasher(), &key.0, 0).is_some());
        let mut wrong = key.0.to_string();
        wrong.pop();
        wrong.push(if key.0.ends_with('A') { 'B' } else { 'A' });
        assert!(t.check(&hasher(), &wrong, 0).is_none());
        let other = KeyHasher::new(&[8u8; 32]).unwrap();
        assert!(t.check(&other, &key.0, 0).is_none());
    }

    #[test]
    fn expired_and_revoked_keys_fail() {
        let (id, key) = generate().unwrap();
        assert!(
            table_with(&key, &id, Some(100), false)
                .check(&hasher(), &key.0, 100)
                .is_none()
        );
        assert!(
            table_with(&key, &id, Some(100), false)
                .check(&hasher(), &key.0, 99)
                .is_some()
        );
        assert!(
            table_with(&key, &id, None, true)
                .check(&hasher(), &key.0, 0)
                .is_none()
        );
    }

    #[test]
    fn malformed_credentials_are_rejected_without_panic() {
        for s in [
            "",
            "aig_",
            "aig_0123456789abcdef",
            "aig_0123456789ABCDEF_x",
            "aig_é123456789abcdef_x",
            "Bearer x",
        ] {
            assert!(key_id(s).is_none() || s.len() > 20, "{s}");
        }
        let long = format!("aig_0123456789abcdef_{}", "a".repeat(300));
        assert!(key_id(&long).is_none());
    }

    #[test]
    fn short_hash_secret_is_refused() {
        assert!(KeyHasher::new(b"short").is_err());
    }
}
