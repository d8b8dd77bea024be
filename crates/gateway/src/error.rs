//! Start-up and management errors (configuration, key store, TLS, audit
//! sink). Failures of a single request are [`crate::reject::GatewayError`],
//! which turns into a response; these never reach a client.
//!
//! No variant carries key material.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration larger than {} bytes", crate::config::MAX_CONFIG_BYTES)]
    TooLarge,
    #[error("{0}")]
    Parse(String),
    /// A value that parsed but cannot work; `key` names it (`routes[1].upstream`).
    #[error("{key}: {why}")]
    Invalid { key: String, why: String },
    #[error("{0}: {1}")]
    Io(PathBuf, String),
    #[error("key_hash_secret: {0}")]
    Secret(String),
    #[error("key store {0}: {1}")]
    KeyStore(PathBuf, String),
    #[error("no API key with id {0}")]
    NoSuchKey(String),
    #[error("tls: {0}")]
    Tls(String),
    #[error("cannot listen on {0}: {1}")]
    Bind(std::net::SocketAddr, String),
    #[error("no random numbers from the operating system")]
    Random,
}

impl Error {
    pub(crate) fn invalid(key: impl Into<String>, why: impl Into<String>) -> Error {
        Error::Invalid {
            key: key.into(),
            why: why.into(),
        }
    }
}
