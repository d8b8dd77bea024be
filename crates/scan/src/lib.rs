//! aigis scanners.
//!
//! The engine walks paths and hands each file to the scanners of the selected
//! domains; each scanner returns findings against the rules in [`rules`]. Only
//! models are scanned so far; code, secrets, deployment and dependencies plug
//! into the same engine. Nothing here prints or chooses exit codes.

pub mod engine;
mod host;
mod input;
pub use input::{FileBytes, open as read_file};
pub mod models;
pub mod policy;
pub mod rules;
pub mod text;

pub use aigis_deploy::host::HostOptions;
pub use engine::{ScanError, ScanOptions, ScanResult, SetupError, Suppression, scan_paths};
