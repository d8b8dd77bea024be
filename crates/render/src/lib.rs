//! Renderers: turn a [`Report`](aigis_findings::Report) or [`Rule`](aigis_findings::Rule)s
//! into text for people and JSON/SARIF for machines.
//!
//! Renderers only format. They never print, never read files, never look at the
//! terminal or the environment, and never decide exit codes: the binary does
//! all of that. Every function is pure and deterministic, so that the output
//! can be snapshot-tested and diffed between runs. Every returned string ends
//! with a newline, ready to be written as is.
//!
//! - [`render_text`]: ruff/cargo-like human output of a scan.
//! - [`render_json`]: exactly the serde form of the report
//!   (schema: `docs/schema/report.schema.json`).
//! - [`render_sarif`]: SARIF 2.1.0 as GitHub code scanning accepts it.
//! - [`render_rule`], [`render_rules_table`], [`render_rule_json`],
//!   [`render_rules_json`]: `aigis rule ID` and `aigis rules`.

mod escape;
mod json;
mod rules;
mod sarif;
mod text;

pub use json::render_json;
pub use rules::{render_rule, render_rule_json, render_rules_json, render_rules_table};
pub use sarif::render_sarif;
pub use text::{TextOptions, render_text};
