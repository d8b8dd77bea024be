//! Integrity and confidentiality of model files: manifests of digests,
//! OpenSSF model-signing (OMS) compatible signatures, streaming AES-256-GCM
//! encryption, and key references (environment, file, systemd credentials,
//! Vault). A library only: it never prints and never decides exit codes.

pub mod crypt;
mod error;
pub mod hash;
pub mod keys;
pub mod sign;

pub use error::Error;
