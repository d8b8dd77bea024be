//! aigis dependency audit (SCA), offline and fail-closed.
//!
//! [`read`] turns Python dependency files (requirements, pyproject, lock
//! files, conda environments) into [`Dependency`] lists that keep each
//! dependency's file and line; [`osv`] imports OSV advisories into a local
//! index and matches PEP 440 versions against it; [`audit`] puts the two
//! together into [`Issue`]s against the rules in [`rules`]. Nothing here
//! prints, and nothing here executes what it reads.

pub mod audit;
pub mod model;
pub mod name;
pub mod osv;
pub mod read;
pub mod rules;
pub mod version;

pub use audit::{AuditOptions, Auditor, Issue};
pub use model::{Dependency, FileKind, Parsed, Problem, Requirement};

/// Everything that can go wrong in this crate outside of reading a
/// dependency file (those problems are [`Problem`]s, never errors).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Import { path: String, reason: String },
    #[error("database {path}: {reason}")]
    Database { path: String, reason: String },
    #[error("download from {url}: {reason}")]
    Download { url: String, reason: String },
}

/// Every rule of the dependency audit, sorted by id.
pub fn rules() -> &'static [&'static aigis_findings::Rule] {
    rules::ALL
}
