//! The encrypted file format, version 1: header layout, key derivation,
//! nonces and segment sizes. Everything an independent decryptor needs is
//! here and in docs/model-encryption.md; the streaming engine only moves
//! bytes. Parsing checks every field against named limits and uses checked
//! arithmetic: a hostile header is an error, never a panic or a huge
//! allocation.

use super::{CryptError, MasterKey};
use ring::{aead, hkdf, hmac};

/// First bytes of every encrypted file.
pub const MAGIC: [u8; 8] = *b"AIGISENC";
/// The only format version written and read.
pub const VERSION: u8 = 1;
/// Algorithm suite 1: HKDF-SHA-256, HMAC-SHA-256 header tag, AES-256-GCM STREAM.
pub const SUITE_AES256GCM_HKDF_SHA256: u8 = 1;
/// Bytes of the header, tag included.
pub const HEADER_LEN: usize = 111;
/// Bytes of the header covered by the header tag.
pub const HEADER_SIGNED_LEN: usize = 79;
/// Bytes of each segment's GCM tag.
pub const TAG_LEN: usize = 16;
/// Bytes of the key id, the salt and the nonce prefix.
pub const KEY_ID_LEN: usize = 16;
pub const SALT_LEN: usize = 32;
pub const NONCE_PREFIX_LEN: usize = 7;
/// Plaintext bytes per segment written by default (1 MiB).
pub const DEFAULT_SEGMENT_SIZE: u32 = 1 << 20;
/// Smallest and largest segment sizes accepted (the small end exists for
/// test vectors; the large end bounds the memory a header can demand).
pub const MIN_SEGMENT_SIZE: u32 = 16;
pub const MAX_SEGMENT_SIZE: u32 = 8 << 20;
/// Most segments in one file: the counter is 32 bits.
pub const MAX_SEGMENTS: u64 = 1 << 32;

const INFO_KEYS: &[u8] = b"aigis-encrypt v1 keys";
const INFO_KEY_ID: &[u8] = b"aigis-encrypt v1 key id";

/// A parsed, not yet authenticated, header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub segment_size: u32,
    pub plaintext_len: u64,
    pub key_id: [u8; KEY_ID_LEN],
    pub salt: [u8; SALT_LEN],
    pub nonce_prefix: [u8; NONCE_PREFIX_LEN],
    pub tag: [u8; 32],
}

/// The per-file keys (never leave this module's callers).
pub(crate) struct FileKeys {
    pub aead: aead::LessSafeKey,
    pub mac: hmac::Key,
}

impl Header {
    /// Serialise: fields big-endian at the offsets of the format document.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(&MAGIC);
        b[8] = VERSION;
        b[9] = SUITE_AES256GCM_HKDF_SHA256;
        // b[10..12]: reserved, zero.
        b[12..16].copy_from_slice(&self.segment_size.to_be_bytes());
        b[16..24].copy_from_slice(&self.plaintext_len.to_be_bytes());
        b[24..40].copy_from_slice(&self.key_id);
        b[40..72].copy_from_slice(&self.salt);
        b[72..79].copy_from_slice(&self.nonce_prefix);
        b[79..111].copy_from_slice(&self.tag);
        b
    }

    /// Parse and check the fields (not the tag: that needs the key).
    pub fn parse(bytes: &[u8]) -> Result<Header, CryptError> {
        let take = |from: usize, to: usize| bytes.get(from..to).ok_or(CryptError::TruncatedHeader);
        if bytes.len() < MAGIC.len() || take(0, 8)? != MAGIC {
            return Err(if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
                CryptError::TruncatedHeader
            } else {
                CryptError::NotEncrypted
            });
        }
        let h = take(0, HEADER_LEN)?;
        let arr = |from: usize, to: usize| take(from, to);
        let version = h.get(8).copied().unwrap_or(0);
        if version != VERSION {
            return Err(CryptError::UnsupportedVersion(version));
        }
        let suite = h.get(9).copied().unwrap_or(0);
        if suite != SUITE_AES256GCM_HKDF_SHA256 {
            return Err(CryptError::UnsupportedSuite(suite));
        }
        if arr(10, 12)? != [0, 0] {
            return Err(CryptError::BadHeader("reserved bytes are not zero"));
        }
        let header = Header {
            segment_size: u32::from_be_bytes(fixed(arr(12, 16)?)),
            plaintext_len: u64::from_be_bytes(fixed(arr(16, 24)?)),
            key_id: fixed(arr(24, 40)?),
            salt: fixed(arr(40, 72)?),
            nonce_prefix: fixed(arr(72, 79)?),
            tag: fixed(arr(79, 111)?),
        };
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&header.segment_size) {
            return Err(CryptError::BadHeader("segment size outside 16 B ..= 8 MiB"));
        }
        header
            .encrypted_len()
            .map_err(|_| CryptError::BadHeader("more than 2^32 segments"))?;
        Ok(header)
    }

    /// Number of segments: one for an empty plaintext, else ceil(len / size).
    pub fn segments(&self) -> Result<u64, CryptError> {
        segment_count(self.plaintext_len, self.segment_size)
    }

    /// Plaintext bytes in segment `index`.
    pub fn plaintext_len_of(&self, index: u64) -> u64 {
        let start = index.saturating_mul(u64::from(self.segment_size));
        self.plaintext_len
            .saturating_sub(start)
            .min(u64::from(self.segment_size))
    }

    /// Total encrypted file length: header + plaintext + one tag per segment.
    pub fn encrypted_len(&self) -> Result<u64, CryptError> {
        let tags = self.segments()?.checked_mul(TAG_LEN as u64);
        tags.and_then(|t| t.checked_add(self.plaintext_len))
            .and_then(|n| n.checked_add(HEADER_LEN as u64))
            .ok_or(CryptError::TooLarge)
    }
}

/// Segments for a plaintext of `len` bytes, if the format can hold it.
pub fn segment_count(len: u64, segment_size: u32) -> Result<u64, CryptError> {
    let n = len.div_ceil(u64::from(segment_size.max(1))).max(1);
    if n > MAX_SEGMENTS {
        return Err(CryptError::TooLarge);
    }
    Ok(n)
}

fn fixed<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    if let Some(src) = s.get(..N) {
        a.copy_from_slice(src);
    }
    a
}

/// Nonce of segment `index`: prefix ‖ index (u32 BE) ‖ last (0x01) or not (0x00).
pub fn nonce(prefix: &[u8; NONCE_PREFIX_LEN], index: u32, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..7].copy_from_slice(prefix);
    n[7..11].copy_from_slice(&index.to_be_bytes());
    n[11] = u8::from(last);
    n
}

/// Key id: the first 16 bytes of HMAC-SHA-256(master key, "aigis-encrypt v1 key id").
pub fn key_id(master: &MasterKey) -> [u8; KEY_ID_LEN] {
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, master.bytes()),
        INFO_KEY_ID,
    );
    fixed(tag.as_ref())
}

/// HKDF-SHA-256(salt, master, info "aigis-encrypt v1 keys", 64 bytes):
/// bytes 0..32 the AES-256-GCM key, 32..64 the header HMAC key.
pub(crate) fn derive(master: &MasterKey, salt: &[u8; SALT_LEN]) -> zeroize::Zeroizing<[u8; 64]> {
    struct Len64;
    impl hkdf::KeyType for Len64 {
        fn len(&self) -> usize {
            64
        }
    }
    let mut okm = zeroize::Zeroizing::new([0u8; 64]);
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(master.bytes());
    // Expanding 64 bytes from SHA-256 is within HKDF's 255 * 32 limit, so
    // neither call can fail; an error would leave the key zero and every
    // segment would then fail to authenticate, never silently succeed.
    if let Ok(expanded) = prk.expand(&[INFO_KEYS], Len64) {
        let _ = expanded.fill(&mut okm[..]);
    }
    okm
}

pub(crate) fn file_keys(master: &MasterKey, salt: &[u8; SALT_LEN]) -> FileKeys {
    let okm = derive(master, salt);
    let aead = aead::UnboundKey::new(&aead::AES_256_GCM, &okm[..32])
        .map(aead::LessSafeKey::new)
        .unwrap_or_else(|_| unreachable!("a 32-byte AES-256 key is always accepted"));
    FileKeys {
        aead,
        mac: hmac::Key::new(hmac::HMAC_SHA256, &okm[32..]),
    }
}

/// The header tag over the first [`HEADER_SIGNED_LEN`] bytes.
pub(crate) fn header_tag(mac: &hmac::Key, header: &[u8; HEADER_LEN]) -> [u8; 32] {
    fixed(hmac::sign(mac, &header[..HEADER_SIGNED_LEN]).as_ref())
}
