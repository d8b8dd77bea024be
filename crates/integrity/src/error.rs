//! The crate's one error type: every failure of hashing, signing and
//! verification that is not itself a verification result.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or listing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A symbolic link where links are not allowed.
    #[error("{0}: is a symbolic link (allow symbolic links to hash it)")]
    Symlink(PathBuf),
    /// A fifo, socket, device or dangling link.
    #[error("{0}: not a regular file or directory")]
    SpecialFile(PathBuf),
    /// A file name that is not UTF-8 cannot be named in a manifest.
    #[error("{0}: file name is not UTF-8")]
    NonUtf8Name(PathBuf),
    /// A named limit was exceeded.
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// A file changed size while it was hashed.
    #[error("{0}: file changed while it was hashed")]
    Changed(PathBuf),
    /// An option value out of range.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// A key that could not be read or is not a supported EC key.
    #[error("key: {0}")]
    Key(String),
    /// A certificate that could not be parsed or does not fit the key.
    #[error("certificate: {0}")]
    Certificate(String),
    /// A signature file that is not a well-formed OMS bundle.
    #[error("malformed signature: {0}")]
    Bundle(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
