//! The local OSV database: records in OSV JSON ([`record`]) imported from an
//! `all.zip` or a directory ([`import`]) into a compact per-ecosystem index
//! ([`Db`], one JSON file written temp-then-rename), matched against PEP 440
//! versions ([`matching`]). [`download`] fetches OSV's `all.zip` when online.

pub mod cvss;
#[cfg(feature = "download")]
pub mod download;
pub mod import;
pub mod matching;
pub mod record;
mod store;

pub use store::{DB_FILE, Db, DbAdvisory, DbEntry, default_dir, load, save};
