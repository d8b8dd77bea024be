//! Key references: one syntax for every command that needs a key.
//!
//! A reference names where a key lives, never the key itself:
//! `env:NAME` (or `NAME_FILE`), `file:PATH`, `systemd:NAME`
//! (`$CREDENTIALS_DIRECTORY/NAME`) and `vault:MOUNT/PATH#FIELD` (HashiCorp
//! Vault / OpenBao KV v2). [`resolve`] fetches the bytes into memory that is
//! zeroised on drop; the bytes never appear in `Debug`, `Display`, errors or
//! warnings. How the bytes are read depends on the use:
//! [`Resolved::raw_key_256`] for the 32-byte encryption master key,
//! [`Resolved::private_key_bytes`] for PEM or DER signing keys.
//!
//! This module never prints: problems that are not fatal (a key file that
//! group or others can read) come back as [`KeyWarning`]s for the caller to
//! show.

mod decode;
mod env;
mod keygen;
mod source;
pub mod vault;

pub use env::{EnvSource, MapEnv, ProcessEnv};
pub use keygen::keygen;
pub use source::{resolve, resolve_in};

use std::fmt;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Longest key file, environment value or Vault field accepted (bytes): keys
/// are small; anything larger is a wrong path, not a key.
pub const MAX_KEY_BYTES: usize = 64 * 1024;

/// Longest reference string accepted.
pub const MAX_REFERENCE_LEN: usize = 4096;

/// Where a key lives, parsed from a reference string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRef {
    /// `env:NAME`: the variable `NAME`, or the file named by `NAME_FILE`.
    Env(String),
    /// `file:PATH`: the bytes of a file.
    File(PathBuf),
    /// `systemd:NAME`: `$CREDENTIALS_DIRECTORY/NAME` (systemd `LoadCredential=`).
    Systemd(String),
    /// `vault:MOUNT/PATH#FIELD`: one field of a KV version 2 secret.
    Vault {
        mount: String,
        path: String,
        field: String,
    },
}

impl fmt::Display for KeyRef {
    /// The reference as written (it names a place, not a secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyRef::Env(n) => write!(f, "env:{n}"),
            KeyRef::File(p) => write!(f, "file:{}", p.display()),
            KeyRef::Systemd(n) => write!(f, "systemd:{n}"),
            KeyRef::Vault { mount, path, field } => write!(f, "vault:{mount}/{path}#{field}"),
        }
    }
}

impl std::str::FromStr for KeyRef {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        KeyRef::parse(s)
    }
}

impl KeyRef {
    /// Parse `env:NAME`, `file:PATH`, `systemd:NAME` or `vault:MOUNT/PATH#FIELD`.
    pub fn parse(s: &str) -> Result<KeyRef, KeyError> {
        let bad = |why: &str| KeyError::BadReference(why.to_string());
        if s.len() > MAX_REFERENCE_LEN {
            return Err(bad("longer than 4096 bytes"));
        }
        let Some((scheme, rest)) = s.split_once(':') else {
            return Err(bad(
                "expected env:NAME, file:PATH, systemd:NAME or vault:MOUNT/PATH#FIELD (a key is never given on the command line)",
            ));
        };
        match scheme {
            "env" if is_env_name(rest) => Ok(KeyRef::Env(rest.to_string())),
            "env" => Err(bad("env: needs a variable name (letters, digits, _)")),
            "file" if !rest.is_empty() => Ok(KeyRef::File(PathBuf::from(rest))),
            "file" => Err(bad("file: needs a path")),
            "systemd" if is_plain_file_name(rest) => Ok(KeyRef::Systemd(rest.to_string())),
            "systemd" => Err(bad("systemd: needs a credential name without '/'")),
            "vault" => parse_vault(rest),
            _ => Err(bad(
                "unknown key source; expected env:, file:, systemd: or vault:",
            )),
        }
    }
}

fn parse_vault(rest: &str) -> Result<KeyRef, KeyError> {
    let bad = |why: &str| KeyError::BadReference(why.to_string());
    let (loc, field) = rest
        .rsplit_once('#')
        .ok_or_else(|| bad("vault: needs MOUNT/PATH#FIELD"))?;
    let (mount, path) = loc
        .split_once('/')
        .ok_or_else(|| bad("vault: needs MOUNT/PATH#FIELD"))?;
    let path = path.trim_matches('/');
    let segments_ok = |s: &str| {
        !s.is_empty()
            && s.split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#' && b != b'%')
            })
    };
    if !segments_ok(mount) || !segments_ok(path) || field.is_empty() {
        return Err(bad(
            "vault: MOUNT, PATH and FIELD must be non-empty, printable, without '..', '?', '%'",
        ));
    }
    Ok(KeyRef::Vault {
        mount: mount.to_string(),
        path: path.to_string(),
        field: field.to_string(),
    })
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_plain_file_name(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains('/') && !s.contains('\0')
}

/// A fetched key: its bytes (zeroised on drop), where it came from, a
/// fingerprint safe to log, and any warnings.
pub struct Resolved {
    material: Zeroizing<Vec<u8>>,
    /// Whether the bytes came from a file (`file:`, `systemd:`, `NAME_FILE`).
    from_file: bool,
    /// The reference the key was read from.
    pub source: KeyRef,
    /// `sha256:` and the first 16 hex digits of SHA-256 over the bytes as
    /// fetched: identifies the key in logs without revealing it.
    pub key_id: String,
    /// Problems that did not stop the key from being read.
    pub warnings: Vec<KeyWarning>,
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolved")
            .field("source", &self.source)
            .field("key_id", &self.key_id)
            .field("len", &self.material.len())
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl Resolved {
    pub(crate) fn new(
        source: KeyRef,
        material: Zeroizing<Vec<u8>>,
        from_file: bool,
        warnings: Vec<KeyWarning>,
    ) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, &material);
        let key_id = format!("sha256:{}", hex::encode(&digest.as_ref()[..8]));
        Resolved {
            material,
            from_file,
            source,
            key_id,
            warnings,
        }
    }

    /// The bytes exactly as fetched (file contents, environment value, Vault
    /// field), before any decoding.
    pub fn bytes(&self) -> &[u8] {
        &self.material
    }
}

/// Something worth telling the user that did not stop the key from loading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyWarning {
    /// The key file can be read or written by users other than its owner.
    LooseFilePermissions { path: PathBuf, mode: u32 },
}

impl fmt::Display for KeyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyWarning::LooseFilePermissions { path, mode } => write!(
                f,
                "{}: key file is accessible by group or others (mode {:04o}); run chmod 600",
                path.display(),
                mode & 0o7777
            ),
        }
    }
}

/// Why a key could not be obtained. No variant carries key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("bad key reference: {0}")]
    BadReference(String),
    #[error("environment variable {0} is not set (nor {0}_FILE)")]
    EnvMissing(String),
    #[error("both {0} and {0}_FILE are set; set only one")]
    EnvAmbiguous(String),
    #[error("environment variable {0} is not valid UTF-8")]
    EnvNotUnicode(String),
    #[error("CREDENTIALS_DIRECTORY is not set (systemd:{0} needs LoadCredential= in the unit)")]
    NoCredentialsDirectory(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: not a regular file")]
    NotAFile(PathBuf),
    #[error("{what}: longer than {MAX_KEY_BYTES} bytes, not a key")]
    TooLarge { what: String },
    #[error("{what}: empty")]
    Empty { what: String },
    #[error("{what}: not a 256-bit key: {why}")]
    NotRawKey { what: String, why: &'static str },
    #[error("{what}: not a PEM key and not base64")]
    NotPrivateKey { what: String },
    #[error("{0}: refusing to overwrite an existing file")]
    Exists(PathBuf),
    #[error("no random numbers from the operating system")]
    Random,
    #[error("vault: {0}")]
    Vault(#[from] vault::VaultError),
}

#[cfg(test)]
mod tests;
