//! The key store: an SQLite database (mode 0600) holding, per key, its id,
//! HMAC hash, role, tenant, creation, expiry, revocation and rotation.
//!
//! A `meta` row holds HMAC(secret, "aigis key store check") so that opening
//! the store with a different `key_hash_secret` fails loudly instead of
//! rejecting every key. Nothing here ever sees a key after `create`/`rotate`
//! returns it.

use super::{KeyEntry, KeyHasher, KeyTable, NewKey, generate, unix_now};
use crate::Error;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

const CHECK_LABEL: &[u8] = b"aigis key store check";
/// Most keys loaded into memory (bounds start-up time and memory).
pub const MAX_KEYS: usize = 1_000_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    hash BLOB NOT NULL,
    role TEXT NOT NULL,
    tenant TEXT,
    created INTEGER NOT NULL,
    expires INTEGER,
    revoked INTEGER,
    rotated_to TEXT
);";

/// What `list` shows about a key (never the key or its hash).
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: String,
    pub role: String,
    pub tenant: Option<String>,
    /// Unix seconds.
    pub created: i64,
    pub expires: Option<i64>,
    pub revoked: Option<i64>,
    /// The key that replaced this one (`rotate`).
    pub rotated_to: Option<String>,
}

/// An open key store.
pub struct KeyStore {
    conn: Connection,
    path: PathBuf,
    hasher: KeyHasher,
}

impl KeyStore {
    /// Open (creating with mode 0600 if missing) and check the secret.
    pub fn open(path: &Path, hasher: KeyHasher) -> Result<KeyStore, Error> {
        let err = |e: &dyn std::fmt::Display| Error::KeyStore(path.to_path_buf(), e.to_string());
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| err(&e))?;
        }
        let conn = Connection::open(path).map_err(|e| err(&e))?;
        conn.execute_batch(SCHEMA).map_err(|e| err(&e))?;
        let check = hasher.tag(CHECK_LABEL);
        let stored: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE name = 'check'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| err(&e))?;
        match stored {
            None => {
                conn.execute(
                    "INSERT INTO meta (name, value) VALUES ('check', ?1)",
                    params![check.to_vec()],
                )
                .map_err(|e| err(&e))?;
            }
            Some(v) if hasher.verify(CHECK_LABEL, &v) => {}
            Some(_) => {
                return Err(err(
                    &"key_hash_secret is not the secret this key store was created with",
                ));
            }
        }
        Ok(KeyStore {
            conn,
            path: path.to_path_buf(),
            hasher,
        })
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::KeyStore(self.path.clone(), e.to_string())
    }

    /// Create a key for `role`; the returned [`NewKey`] is the only copy.
    pub fn create(
        &self,
        role: &str,
        tenant: Option<&str>,
        expires_in: Option<Duration>,
    ) -> Result<(KeyInfo, NewKey), Error> {
        let (id, key) = generate()?;
        let now = unix_now();
        let expires =
            expires_in.map(|d| now.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)));
        let hash = self.hasher.tag(key.0.as_bytes());
        self.conn
            .execute(
                "INSERT INTO api_keys (id, hash, role, tenant, created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, hash.to_vec(), role, tenant, now, expires],
            )
            .map_err(|e| self.err(e))?;
        let info = KeyInfo {
            id,
            role: role.to_string(),
            tenant: tenant.map(str::to_string),
            created: now,
            expires,
            revoked: None,
            rotated_to: None,
        };
        Ok((info, key))
    }

    /// Every key, oldest first.
    pub fn list(&self) -> Result<Vec<KeyInfo>, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, role, tenant, created, expires, revoked, rotated_to FROM api_keys ORDER BY created, id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(KeyInfo {
                    id: r.get(0)?,
                    role: r.get(1)?,
                    tenant: r.get(2)?,
                    created: r.get(3)?,
                    expires: r.get(4)?,
                    revoked: r.get(5)?,
                    rotated_to: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.take(MAX_KEYS)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }

    fn get(&self, id: &str) -> Result<KeyInfo, Error> {
        self.list()?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or_else(|| Error::NoSuchKey(id.to_string()))
    }

    /// Revoke a key now. Revoking twice keeps the first time.
    pub fn revoke(&self, id: &str) -> Result<KeyInfo, Error> {
        let n = self
            .conn
            .execute(
                "UPDATE api_keys SET revoked = COALESCE(revoked, ?2) WHERE id = ?1",
                params![id, unix_now()],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(Error::NoSuchKey(id.to_string()));
        }
        self.get(id)
    }

    /// Replace a key: a new key with the same role, tenant and lifetime; the
    /// old one keeps working for `overlap`, then expires.
    pub fn rotate(&self, id: &str, overlap: Duration) -> Result<(KeyInfo, NewKey), Error> {
        let old = self.get(id)?;
        if old.revoked.is_some() {
            return Err(self.err(format!("key {id} is revoked; create a new key instead")));
        }
        let lifetime = old.expires.map(|e| {
            Duration::from_secs(u64::try_from(e.saturating_sub(old.created)).unwrap_or(0))
        });
        let (info, key) = self.create(&old.role, old.tenant.as_deref(), lifetime)?;
        let end = unix_now().saturating_add(i64::try_from(overlap.as_secs()).unwrap_or(i64::MAX));
        self.conn
            .execute(
                "UPDATE api_keys SET rotated_to = ?2, expires = MIN(COALESCE(expires, ?3), ?3) WHERE id = ?1",
                params![id, info.id, end],
            )
            .map_err(|e| self.err(e))?;
        Ok((info, key))
    }

    /// Load every key for request-time checks.
    pub fn load_table(&self) -> Result<KeyTable, Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, hash, role, tenant, expires, revoked FROM api_keys")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let hash: Vec<u8> = r.get(1)?;
                let revoked: Option<i64> = r.get(5)?;
                Ok((
                    r.get::<_, String>(0)?,
                    hash,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    revoked,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut entries = Vec::new();
        for row in rows.take(MAX_KEYS) {
            let (id, hash, role, tenant, expires, revoked) = row.map_err(|e| self.err(e))?;
            let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) else {
                return Err(self.err(format!("key {id}: stored hash is not 32 bytes")));
            };
            entries.push(KeyEntry {
                id,
                hash,
                role,
                tenant,
                expires,
                revoked: revoked.is_some(),
            });
        }
        Ok(KeyTable::new(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(b: u8) -> KeyHasher {
        KeyHasher::new(&[b; 32]).unwrap()
    }

    #[test]
    fn create_list_revoke_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        let store = KeyStore::open(&path, hasher(1)).unwrap();
        let (info, key) = store
            .create("analyst", Some("acme"), Some(Duration::from_secs(3600)))
            .unwrap();
        let table = store.load_table().unwrap();
        assert!(table.check(&hasher(1), &key.0, unix_now()).is_some());
        let listed = store.list().unwrap();
        assert_eq!(listed, vec![info.clone()]);
        store.revoke(&info.id).unwrap();
        assert!(
            store
                .load_table()
                .unwrap()
                .check(&hasher(1), &key.0, unix_now())
                .is_none()
        );
        assert!(matches!(store.revoke("nope"), Err(Error::NoSuchKey(_))));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn database_never_holds_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.db");
        let store = KeyStore::open(&path, hasher(1)).unwrap();
        let (_, key) = store.create("analyst", None, None).unwrap();
        drop(store);
        let bytes = std::fs::read(&path).unwrap();
        let secret = key.0.rsplit_once('_').unwrap().1.as_bytes().to_vec();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_slice()));
    }

    #[test]
    fn rotation_keeps_old_key_until_overlap_ends() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::open(&dir.path().join("k.db"), hasher(1)).unwrap();
        let (old, old_key) = store.create("analyst", None, None).unwrap();
        let (new, new_key) = store.rotate(&old.id, Duration::from_secs(86_400)).unwrap();
        let t = store.load_table().unwrap();
        let now = unix_now();
        assert!(t.check(&hasher(1), &old_key.0, now).is_some());
        assert!(t.check(&hasher(1), &new_key.0, now).is_some());
        assert!(t.check(&hasher(1), &old_key.0, now + 86_401).is_none());
        assert!(t.check(&hasher(1), &new_key.0, now + 86_401).is_some());
        assert_eq!(store.get(&old.id).unwrap().rotated_to, Some(new.id));
    }

    #[test]
    fn wrong_secret_is_detected_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        drop(KeyStore::open(&path, hasher(1)).unwrap());
        let e = KeyStore::open(&path, hasher(2)).err().unwrap().to_string();
        assert!(e.contains("not the secret"), "{e}");
    }
}
