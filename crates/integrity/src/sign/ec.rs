//! Elliptic-curve keys for OMS signatures: P-256 with SHA-256 and P-384 with
//! SHA-384 (the hash follows the curve, as model_signing and Sigstore's
//! specs pair them), DER-encoded ECDSA signatures over the DSSE
//! pre-authentication encoding, and the key "hint" model_signing records: the
//! SHA-256 of the public key's SubjectPublicKeyInfo PEM text.
//!
//! Private keys are read from PEM (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE
//! KEY`); the secret scalars zeroise themselves on drop.

use crate::Error;
use crate::hash::digest_hex;
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};

/// A private signing key.
pub enum EcSigningKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl std::fmt::Debug for EcSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EcSigningKey({})", self.curve())
    }
}

/// A public verifying key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EcVerifyingKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

impl EcSigningKey {
    /// Parse a PEM private key (PKCS#8 or SEC1) on P-256 or P-384.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        if pem.contains("ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(Error::Key(
                "encrypted private keys are not supported".into(),
            ));
        }
        if pem.contains("BEGIN EC PRIVATE KEY") {
            use p256::elliptic_curve::SecretKey;
            if let Ok(k) = SecretKey::<p256::NistP256>::from_sec1_pem(pem) {
                return Ok(EcSigningKey::P256(k.into()));
            }
            if let Ok(k) = SecretKey::<p384::NistP384>::from_sec1_pem(pem) {
                return Ok(EcSigningKey::P384(k.into()));
            }
            return Err(Error::Key("not a P-256 or P-384 SEC1 private key".into()));
        }
        if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            return Ok(EcSigningKey::P256(k));
        }
        if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_pem(pem) {
            return Ok(EcSigningKey::P384(k));
        }
        Err(Error::Key(
            "not a PEM P-256 or P-384 private key (PKCS#8 or SEC1)".into(),
        ))
    }

    pub fn curve(&self) -> &'static str {
        match self {
            EcSigningKey::P256(_) => "P-256",
            EcSigningKey::P384(_) => "P-384",
        }
    }

    pub fn verifying_key(&self) -> EcVerifyingKey {
        match self {
            EcSigningKey::P256(k) => EcVerifyingKey::P256(*k.verifying_key()),
            EcSigningKey::P384(k) => EcVerifyingKey::P384(*k.verifying_key()),
        }
    }

    /// DER ECDSA signature of `msg` (SHA-256 on P-256, SHA-384 on P-384).
    pub fn sign_der(&self, msg: &[u8]) -> Vec<u8> {
        use ecdsa::signature::Signer;
        match self {
            EcSigningKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            EcSigningKey::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
        }
    }
}

impl EcVerifyingKey {
    /// Parse a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) on P-256 or P-384.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            return Ok(EcVerifyingKey::P256(k));
        }
        if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_pem(pem) {
            return Ok(EcVerifyingKey::P384(k));
        }
        Err(Error::Key("not a PEM P-256 or P-384 public key".into()))
    }

    /// Parse a DER SubjectPublicKeyInfo (as found in a certificate).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Ok(EcVerifyingKey::P256(k));
        }
        if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Ok(EcVerifyingKey::P384(k));
        }
        Err(Error::Key(
            "certificate key is not a P-256 or P-384 key".into(),
        ))
    }

    pub fn curve(&self) -> &'static str {
        match self {
            EcVerifyingKey::P256(_) => "P-256",
            EcVerifyingKey::P384(_) => "P-384",
        }
    }

    /// The SubjectPublicKeyInfo as PEM text with LF line endings, the exact
    /// bytes model_signing hashes for its key hint.
    pub fn spki_pem(&self) -> String {
        let r = match self {
            EcVerifyingKey::P256(k) => k.to_public_key_pem(LineEnding::LF),
            EcVerifyingKey::P384(k) => k.to_public_key_pem(LineEnding::LF),
        };
        // Encoding a valid in-memory key cannot fail; an empty string would
        // only make the hint mismatch, never pass.
        r.unwrap_or_default()
    }

    /// model_signing's `publicKey.hint`: hex SHA-256 of `spki_pem()`.
    pub fn hint(&self) -> String {
        digest_hex(&Sha256::digest(self.spki_pem().as_bytes()))
    }

    /// Check a DER (or, leniently, fixed-size) ECDSA signature of `msg`.
    pub fn verify_der(&self, msg: &[u8], sig: &[u8]) -> bool {
        use ecdsa::signature::Verifier;
        match self {
            EcVerifyingKey::P256(k) => p256::ecdsa::Signature::from_der(sig)
                .or_else(|_| p256::ecdsa::Signature::from_slice(sig))
                .is_ok_and(|s| k.verify(msg, &s).is_ok()),
            EcVerifyingKey::P384(k) => p384::ecdsa::Signature::from_der(sig)
                .or_else(|_| p384::ecdsa::Signature::from_slice(sig))
                .is_ok_and(|s| k.verify(msg, &s).is_ok()),
        }
    }
}

/// DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let head = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    let mut out = Vec::with_capacity(head.len() + payload.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // The DSSE protocol document's example: type "http://example.com/HelloWorld", body "hello world".
        let got = pae("http://example.com/HelloWorld", b"hello world");
        assert_eq!(
            got,
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn sign_then_verify_both_curves_and_reject_other_message() {
        for k in [
            EcSigningKey::P256(p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap()),
            EcSigningKey::P384(p384::ecdsa::SigningKey::from_slice(&[9u8; 48]).unwrap()),
        ] {
            let sig = k.sign_der(b"msg");
            let vk = k.verifying_key();
            assert!(vk.verify_der(b"msg", &sig));
            assert!(!vk.verify_der(b"msh", &sig));
            assert_eq!(vk.hint().len(), 64);
        }
    }
}
