//! The data that every aigis scanner returns and every renderer reads.
//!
//! This crate is pure data: no I/O, no printing, no policy. A scanner builds
//! [`Finding`]s against a [`Rule`], groups them per file in a [`FileReport`],
//! and the binary collects those into a [`Report`]. The JSON output of
//! `aigis scan --format json` is exactly the serde form of [`Report`].

mod finding;
mod report;
mod rule;
mod severity;

pub use finding::{Finding, Location, fingerprint};
pub use report::{FileReport, Report, Summary, ToolInfo};
pub use rule::{Domain, Rule, RuleDocs};
pub use severity::{Severity, Verdict};
