//! Checkpoint signing and verification: ECDSA on P-256 (SHA-256) or P-384
//! (SHA-384), using the same PEM keys and code as `aigis model sign`
//! (`aigis_integrity::sign`), the private key from a key reference
//! (`env:`, `file:`, `systemd:`, `vault:`).
//!
//! A key is named in checkpoints by `key_id`: `sha256:` and the first 16 hex
//! digits of the SHA-256 of its public key's SPKI PEM text, so that a
//! verifier can tell "wrong key" from "forged signature".

use crate::AuditError;
use crate::line::{Checkpoint, checkpoint_message};
use aigis_integrity::keys::{self, KeyWarning};
use aigis_integrity::sign::{EcSigningKey, EcVerifyingKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A private key that signs checkpoints.
#[derive(Debug)]
pub struct CheckpointSigner {
    key: EcSigningKey,
    key_id: String,
    alg: &'static str,
}

/// A public key that verifies checkpoints.
#[derive(Clone, Debug)]
pub struct CheckpointVerifier {
    key: EcVerifyingKey,
    key_id: String,
}

fn key_id(k: &EcVerifyingKey) -> String {
    let hint = k.hint();
    format!("sha256:{}", hint.get(..16).unwrap_or(&hint))
}

fn alg(k: &EcVerifyingKey) -> &'static str {
    match k.curve() {
        "P-384" => "ES384",
        _ => "ES256",
    }
}

impl CheckpointSigner {
    /// From PEM text (PKCS#8 or SEC1, P-256 or P-384).
    pub fn from_pem(pem: &str) -> Result<Self, AuditError> {
        let key = EcSigningKey::from_pem(pem).map_err(|e| AuditError::Key(e.to_string()))?;
        let vk = key.verifying_key();
        Ok(CheckpointSigner {
            key_id: key_id(&vk),
            alg: alg(&vk),
            key,
        })
    }

    /// Resolve a key reference (`env:`, `file:`, `systemd:`, `vault:`);
    /// warnings (a key file readable by others) are returned for the caller.
    pub fn from_key_ref(reference: &str) -> Result<(Self, Vec<KeyWarning>), AuditError> {
        let resolved = keys::resolve(reference).map_err(|e| AuditError::Key(e.to_string()))?;
        let bytes = resolved
            .private_key_bytes()
            .map_err(|e| AuditError::Key(e.to_string()))?;
        let pem = std::str::from_utf8(&bytes)
            .map_err(|_| AuditError::Key(format!("{}: not PEM text", resolved.source)))?;
        Ok((Self::from_pem(pem)?, resolved.warnings.clone()))
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn alg(&self) -> &'static str {
        self.alg
    }

    /// The matching verifier.
    pub fn verifier(&self) -> CheckpointVerifier {
        let key = self.key.verifying_key();
        CheckpointVerifier {
            key_id: key_id(&key),
            key,
        }
    }

    /// The public key as SPKI PEM (for `aigis audit-log verify --public-key`).
    pub fn public_key_pem(&self) -> String {
        self.key.verifying_key().spki_pem()
    }

    /// Base64 DER signature of the checkpoint message.
    pub fn sign(&self, c: &Checkpoint) -> String {
        STANDARD.encode(self.key.sign_der(&checkpoint_message(c)))
    }
}

/// Why a checkpoint signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigProblem {
    /// Signed (by its own account) with another key.
    WrongKey {
        signed_by: String,
        verifying: String,
    },
    /// Named algorithm does not match the key.
    WrongAlg(String),
    /// Not base64, or not a valid signature of this checkpoint.
    Invalid,
}

impl CheckpointVerifier {
    /// From a PEM `PUBLIC KEY` (P-256 or P-384).
    pub fn from_pem(pem: &str) -> Result<Self, AuditError> {
        let key = EcVerifyingKey::from_pem(pem).map_err(|e| AuditError::Key(e.to_string()))?;
        Ok(CheckpointVerifier {
            key_id: key_id(&key),
            key,
        })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Check one checkpoint's signature.
    pub fn verify(&self, c: &Checkpoint, sig_b64: &str) -> Result<(), SigProblem> {
        if c.key_id != self.key_id {
            return Err(SigProblem::WrongKey {
                signed_by: c.key_id.clone(),
                verifying: self.key_id.clone(),
            });
        }
        if c.alg != alg(&self.key) {
            return Err(SigProblem::WrongAlg(c.alg.clone()));
        }
        let sig = STANDARD.decode(sig_b64).map_err(|_| SigProblem::Invalid)?;
        if self.key.verify_der(&checkpoint_message(c), &sig) {
            Ok(())
        } else {
            Err(SigProblem::Invalid)
        }
    }
}
