//! The crate's one error type. No variant carries record contents or key
//! material; paths and reasons only.

use std::path::PathBuf;

/// Why the audit log could not be opened, written or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The log file can be read or written by group or others. The writer
    /// refuses to append to it rather than silently tightening it, so that
    /// an operator notices who may already have read it.
    #[error("{path}: audit log is accessible by group or others (mode {mode:04o}); run chmod 600")]
    LoosePermissions { path: PathBuf, mode: u32 },
    #[error("{0}: not a regular file")]
    NotAFile(PathBuf),
    #[error("signing key: {0}")]
    Key(String),
    #[error("invalid audit configuration: {0}")]
    Config(String),
    /// The writer thread has stopped (after an I/O error or `close`).
    #[error("audit writer has stopped")]
    Stopped,
}

impl AuditError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> AuditError {
        AuditError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
