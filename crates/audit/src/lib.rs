//! Tamper-evident audit log for the aigis gateway.
//!
//! [`AuditLog`] takes [`AuditRecord`]s from request handlers through a
//! bounded queue and a writer thread, redacts anything that looks like a
//! secret, and writes one JSON line per record, each carrying the SHA-256 of
//! the line before it and a sequence number, with periodic checkpoints
//! signed by an ECDSA key from a key reference. Files are mode 0600, fsynced
//! per policy and rotated by size or day, the new file's genesis linking to
//! the old file's last line. [`verify`] reads a file (or a rotation chain)
//! as hostile input and reports whether the chain is intact or where it
//! breaks. See `line` for the format.
//!
//! This crate never prints and never decides exit codes; the `aigis
//! audit-log verify` command does.

mod error;
mod file;
pub mod line;
mod problem;
mod record;
pub mod redact;
mod sign;
pub mod time;
mod verify;
mod writer;

pub use error::AuditError;
pub use record::{AuditRecord, Decision};
pub use sign::{CheckpointSigner, CheckpointVerifier, SigProblem};
pub use verify::{FileReport, MAX_LINES, Problem, Report, VerifyOptions, verify};
pub use writer::{AuditLog, DEFAULT_QUEUE, FsyncPolicy, Submitted, WhenFull, WriterConfig};
