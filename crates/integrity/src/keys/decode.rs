//! Turning fetched bytes into what a command needs: a raw 256-bit
//! encryption key, or a signing key's PEM/DER bytes.
//!
//! Raw 256-bit key, accepted forms (the first that applies):
//! 1. exactly 32 bytes: used as they are (a binary key file);
//! 2. otherwise, after trimming ASCII whitespace: 64 hex digits;
//! 3. otherwise: base64 (standard or URL-safe alphabet, padded or not) that
//!    decodes to exactly 32 bytes — the form `aigis model keygen` writes.
//!
//! No other length is padded, truncated or hashed into a key.

use super::{KeyError, KeyRef, Resolved};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

impl Resolved {
    /// The 32-byte master key for `aigis model encrypt`/`decrypt` (see the
    /// module docs for the accepted encodings).
    pub fn raw_key_256(&self) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        decode_raw_key_256(self.bytes()).map_err(|why| KeyError::NotRawKey {
            what: self.source.to_string(),
            why,
        })
    }

    /// A private (signing) key's bytes for a PEM/PKCS#8 parser:
    /// - text containing `-----BEGIN` is returned as it is (PEM), whatever
    ///   the source;
    /// - from `file:` and `systemd:`, anything else is returned as it is
    ///   (a DER file);
    /// - from `env:` (the value itself) and `vault:`, anything else must be
    ///   base64 and is decoded (to PEM text or DER), since these sources hold
    ///   text. `env:NAME` read through `NAME_FILE` behaves like `file:`.
    pub fn private_key_bytes(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let bytes = self.bytes();
        if contains(bytes, b"-----BEGIN") {
            return Ok(Zeroizing::new(bytes.to_vec()));
        }
        let text_source = match &self.source {
            KeyRef::Env(_) => !self.from_file,
            KeyRef::Vault { .. } => true,
            KeyRef::File(_) | KeyRef::Systemd(_) => false,
        };
        if !text_source {
            return Ok(Zeroizing::new(bytes.to_vec()));
        }
        decode_base64(trim(bytes)).ok_or_else(|| KeyError::NotPrivateKey {
            what: self.source.to_string(),
        })
    }
}

/// Decode a raw 256-bit key; the error says why, never what the bytes were.
pub(crate) fn decode_raw_key_256(bytes: &[u8]) -> Result<Zeroizing<[u8; 32]>, &'static str> {
    let mut key = Zeroizing::new([0u8; 32]);
    if bytes.len() == 32 {
        key.copy_from_slice(bytes);
        return Ok(key);
    }
    let text = trim(bytes);
    if text.len() == 64 && text.iter().all(u8::is_ascii_hexdigit) {
        hex::decode_to_slice(text, &mut key[..]).map_err(|_| "bad hex")?;
        return Ok(key);
    }
    let decoded =
        decode_base64(text).ok_or("expected 32 raw bytes, 64 hex digits or base64 of 32 bytes")?;
    if decoded.len() != 32 {
        return Err("decodes to a length other than 32 bytes");
    }
    key.copy_from_slice(&decoded);
    Ok(key)
}

fn decode_base64(text: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .map(Zeroizing::new)
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_hex_and_base64_forms_give_the_same_key() {
        let key: Vec<u8> = (0u8..32).collect();
        let hex_text = format!("{}\n", hex::encode(&key));
        let b64 = format!("  {}\n", STANDARD.encode(&key));
        let b64url = URL_SAFE_NO_PAD.encode(&key);
        for form in [
            key.clone(),
            hex_text.into_bytes(),
            b64.into_bytes(),
            b64url.into_bytes(),
        ] {
            assert_eq!(&decode_raw_key_256(&form).unwrap()[..], &key[..]);
        }
    }

    #[test]
    fn wrong_lengths_are_refused_not_stretched() {
        assert!(decode_raw_key_256(b"short").is_err());
        assert!(decode_raw_key_256(&[7u8; 31]).is_err());
        assert!(decode_raw_key_256(STANDARD.encode([1u8; 16]).as_bytes()).is_err());
        assert!(decode_raw_key_256(hex::encode([1u8; 33]).as_bytes()).is_err());
        assert!(decode_raw_key_256(b"").is_err());
    }
}
