//! Where and how an audit chain breaks: one variant per kind of damage,
//! each naming the file and 1-based line, with a one-line description for
//! the CLI. Data only.

use serde::Serialize;
use std::path::PathBuf;

/// Where and how the chain breaks. `line` is 1-based within `path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Problem {
    Empty {
        path: PathBuf,
    },
    NotJson {
        path: PathBuf,
        line: u64,
        why: String,
    },
    Malformed {
        path: PathBuf,
        line: u64,
        why: String,
    },
    LineTooLong {
        path: PathBuf,
        line: u64,
        max: usize,
    },
    TooManyLines {
        path: PathBuf,
        line: u64,
        max: u64,
    },
    Truncated {
        path: PathBuf,
        line: u64,
    },
    HashMismatch {
        path: PathBuf,
        line: u64,
        seq: u64,
        expected_prev: String,
        found_prev: String,
    },
    Missing {
        path: PathBuf,
        line: u64,
        expected_seq: u64,
        found_seq: u64,
    },
    Reordered {
        path: PathBuf,
        line: u64,
        expected_seq: u64,
        found_seq: u64,
    },
    NotLinked {
        path: PathBuf,
        expected_prev: String,
        found_prev: String,
    },
    BadCheckpoint {
        path: PathBuf,
        line: u64,
        seq: u64,
        why: String,
    },
    BadSignature {
        path: PathBuf,
        line: u64,
        seq: u64,
        why: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use Problem::*;
        match self {
            Empty { path } => write!(f, "{}: empty file (no genesis line)", path.display()),
            NotJson { path, line, why } => write!(f, "{}:{line}: {why}", path.display()),
            Malformed { path, line, why } => write!(f, "{}:{line}: {why}", path.display()),
            LineTooLong { path, line, max } => {
                write!(f, "{}:{line}: line longer than {max} bytes", path.display())
            }
            TooManyLines { path, line, max } => {
                write!(
                    f,
                    "{}:{line}: more than {max} lines; stopped",
                    path.display()
                )
            }
            Truncated { path, line } => write!(
                f,
                "{}:{line}: truncated last line (no newline at the end)",
                path.display()
            ),
            HashMismatch {
                path,
                line,
                seq,
                expected_prev,
                found_prev,
            } => write!(
                f,
                "{}:{line} (seq {seq}): prev {found_prev} does not match the hash of line {} ({expected_prev}): line {} was modified, or a line was replaced",
                path.display(),
                line.saturating_sub(1),
                line.saturating_sub(1)
            ),
            Missing {
                path,
                line,
                expected_seq,
                found_seq,
            } => write!(
                f,
                "{}:{line}: missing lines: expected seq {expected_seq}, found {found_seq} ({} line(s) removed)",
                path.display(),
                found_seq.saturating_sub(*expected_seq)
            ),
            Reordered {
                path,
                line,
                expected_seq,
                found_seq,
            } => write!(
                f,
                "{}:{line}: lines out of order: expected seq {expected_seq}, found {found_seq}",
                path.display()
            ),
            NotLinked {
                path,
                expected_prev,
                found_prev,
            } => write!(
                f,
                "{}: genesis prev {found_prev} does not link to the previous file's last line ({expected_prev})",
                path.display()
            ),
            BadCheckpoint {
                path,
                line,
                seq,
                why,
            } => {
                write!(
                    f,
                    "{}:{line} (seq {seq}): bad checkpoint: {why}",
                    path.display()
                )
            }
            BadSignature {
                path,
                line,
                seq,
                why,
            } => write!(
                f,
                "{}:{line} (seq {seq}): checkpoint signature does not verify: {why}",
                path.display()
            ),
        }
    }
}
