//! Streaming AES-256-GCM encryption of model files (format version 1).
//!
//! A per-file key is derived with HKDF-SHA-256 from the 256-bit master key
//! and a random salt; the plaintext is cut into segments (1 MiB by default),
//! each sealed under the nonce `prefix ‖ counter ‖ last-flag` (the STREAM
//! construction, as in Tink's AES-GCM-HKDF streaming AEAD and age), with the
//! whole header as associated data. The header also carries an HMAC tag so
//! that an edited header, a wrong key, a truncated file, reordered segments
//! and a flipped bit are each reported as such. Segments are sealed and
//! opened in parallel (rayon) with a bounded number in flight, so memory does
//! not grow with the file. The byte layout is in `format.rs` and
//! docs/model-encryption.md. This module never prints.

mod engine;
mod files;
pub mod format;
mod positional;

pub use engine::{decrypt_bytes, decrypt_to, encrypt_to};
pub use files::{decrypt_file, encrypt_file};
pub use format::Header;

use std::path::PathBuf;
use zeroize::Zeroizing;

/// Segments sealed or opened at once by default. The streaming functions
/// keep three such batches in memory (being read, processed, written): about
/// 24 MiB at the default segment size; the file functions one segment buffer
/// per worker thread.
pub const DEFAULT_SEGMENTS_IN_FLIGHT: usize = 8;
/// Upper bound on segments in flight, whatever the caller asks for.
pub const MAX_SEGMENTS_IN_FLIGHT: usize = 64;
/// Segments tried on either side of a failing one to tell a reordered
/// segment from a modified one (only after a failure).
pub const REORDER_WINDOW: u64 = 8;

/// The 256-bit master key. Zeroised on drop; `Debug` shows only its key id.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    pub fn new(key: Zeroizing<[u8; 32]>) -> Self {
        MasterKey(key)
    }

    /// A key from plain bytes (tests, fuzzing); the array is copied.
    pub fn from_array(key: [u8; 32]) -> Self {
        MasterKey(Zeroizing::new(key))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0[..]
    }

    /// The key id written into headers (not secret): see [`format::key_id`].
    pub fn key_id(&self) -> [u8; format::KEY_ID_LEN] {
        format::key_id(self)
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey(id {})", hex::encode(self.key_id()))
    }
}

/// Knobs for encryption and decryption.
#[derive(Clone, Debug)]
pub struct CryptOptions {
    /// Plaintext bytes per segment when encrypting (decryption reads it from
    /// the header).
    pub segment_size: u32,
    /// Segments processed at once (clamped to 1 ..= [`MAX_SEGMENTS_IN_FLIGHT`]).
    pub segments_in_flight: usize,
    /// Replace an existing output file.
    pub overwrite: bool,
}

impl Default for CryptOptions {
    fn default() -> Self {
        CryptOptions {
            segment_size: format::DEFAULT_SEGMENT_SIZE,
            segments_in_flight: DEFAULT_SEGMENTS_IN_FLIGHT,
            overwrite: false,
        }
    }
}

/// What was encrypted or decrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CryptSummary {
    pub plaintext_len: u64,
    pub segments: u64,
    pub key_id: [u8; format::KEY_ID_LEN],
}

/// Why encryption or decryption failed. No variant carries key material or
/// plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: not a regular file")]
    NotAFile(PathBuf),
    #[error("{0}: exists (pass --force to replace it)")]
    Exists(PathBuf),
    #[error("the input changed while it was being encrypted")]
    InputChanged,
    #[error("too large for the format (at most 2^32 segments)")]
    TooLarge,
    #[error("segment size {0} outside 16 ..= 8388608 bytes")]
    BadSegmentSize(u32),
    #[error("no random numbers from the operating system")]
    Random,
    #[error("not an aigis encrypted file (bad magic)")]
    NotEncrypted,
    #[error("truncated: the file ends inside the header")]
    TruncatedHeader,
    #[error("unsupported format version {0} (this aigis reads version 1)")]
    UnsupportedVersion(u8),
    #[error("unsupported algorithm suite {0}")]
    UnsupportedSuite(u8),
    #[error("malformed header: {0}")]
    BadHeader(&'static str),
    #[error("wrong key: the file was encrypted under key id {file}, this key has id {given}")]
    WrongKey { file: String, given: String },
    #[error("header failed authentication: it was modified after encryption")]
    HeaderTampered,
    #[error("truncated: {actual} bytes where the header promises {expected}")]
    Truncated { expected: u64, actual: u64 },
    #[error("{extra} or more bytes of unexpected data after the last segment")]
    TrailingData { extra: u64 },
    #[error("segment {index} is segment {found} moved out of order")]
    Reordered { index: u64, found: u64 },
    #[error("segment {index} failed authentication: it was modified")]
    SegmentCorrupted { index: u64 },
}

impl CryptError {
    /// True when the input is not an authentic encrypted file under this
    /// key (wrong key, tampering, truncation, malformed header): the CLI's
    /// exit 1. Other errors are about paths, usage or the system.
    pub fn is_authentication_failure(&self) -> bool {
        matches!(
            self,
            CryptError::NotEncrypted
                | CryptError::TruncatedHeader
                | CryptError::UnsupportedVersion(_)
                | CryptError::UnsupportedSuite(_)
                | CryptError::BadHeader(_)
                | CryptError::WrongKey { .. }
                | CryptError::HeaderTampered
                | CryptError::Truncated { .. }
                | CryptError::TrailingData { .. }
                | CryptError::Reordered { .. }
                | CryptError::SegmentCorrupted { .. }
        )
    }
}

/// Encrypt `plaintext` with a caller-chosen salt and nonce prefix. Only for
/// test vectors and fuzzing: reusing a salt with the same key voids the
/// format's guarantees. Panics if the options are invalid.
#[doc(hidden)]
pub fn encrypt_with_fixed_randomness_for_tests(
    plaintext: &[u8],
    key: &MasterKey,
    opts: &CryptOptions,
    salt: [u8; format::SALT_LEN],
    nonce_prefix: [u8; format::NONCE_PREFIX_LEN],
) -> Vec<u8> {
    let mut out = Vec::new();
    let len = plaintext.len() as u64;
    engine::encrypt_with(
        &mut &plaintext[..],
        len,
        &mut out,
        key,
        opts,
        salt,
        nonce_prefix,
    )
    .expect("valid test options");
    out
}

#[cfg(test)]
mod tests;
