//! Source code, notebooks and other text files.
//!
//! Python files go through the code rules (`aigis-pycode`) and every text
//! file through the secret rules (`aigis-secrets`); notebooks are split into
//! cells and outputs first (`aigis_formats::ipynb`). Model files never come
//! here. Nothing here executes what it reads.

mod deploy;
pub mod magics;
mod notebook;

use std::path::Path;

use aigis_findings::{Domain, Finding, Location};
use aigis_secrets::{Kinds, SecretMatch, SecretScanner};

use crate::models::Outcome;

/// Largest text file read (larger ones are not source code or configs).
pub const MAX_TEXT_BYTES: usize = 32 << 20;
/// Bytes looked at to tell text from binary (a NUL means binary).
const BINARY_PROBE: usize = 8 << 10;

/// What the text scanners look for, from the selected domains.
pub struct TextScanner {
    secrets_on: bool,
    /// Compiled on the first text file: a scan of model files alone never
    /// pays for the secret rules (about 15 ms of regex building).
    compiled: std::sync::OnceLock<Option<SecretScanner>>,
    code: bool,
    notebooks: bool,
    deployment: bool,
}

/// Why the text scanners could not start (broken embedded rules).
#[derive(Debug, thiserror::Error)]
#[error("secret rules: {0}")]
pub struct TextSetupError(String);

impl TextScanner {
    /// Scanners for `domains` (empty: every domain).
    pub fn new(domains: &[Domain]) -> Result<Self, TextSetupError> {
        let on = |d: Domain| domains.is_empty() || domains.contains(&d);
        Ok(TextScanner {
            secrets_on: on(Domain::Secrets) || on(Domain::Notebooks),
            compiled: std::sync::OnceLock::new(),
            code: on(Domain::Code),
            notebooks: on(Domain::Notebooks),
            deployment: on(Domain::Deployment),
        })
    }

    /// The secret rules, when selected. The embedded rule data is checked by
    /// the crate's tests and `aigis rules check`, so building cannot fail in a
    /// released binary; if it did, secrets would be skipped, not crash.
    fn secrets(&self) -> Option<&SecretScanner> {
        if !self.secrets_on {
            return None;
        }
        self.compiled
            .get_or_init(|| SecretScanner::new().ok())
            .as_ref()
    }

    /// Findings for a file that is not a model; `None` when it is not text
    /// or nothing selected applies to it.
    pub fn scan(&self, path: &Path, data: &[u8], shown: &str) -> Option<Outcome> {
        let active = self.code || self.notebooks || self.secrets_on || self.deployment;
        if !active || data.len() > MAX_TEXT_BYTES || data.iter().take(BINARY_PROBE).any(|&b| b == 0)
        {
            return None;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if name.ends_with(".ipynb") || aigis_formats::ipynb::looks_like_notebook(data) {
            if self.notebooks || self.code || self.secrets_on {
                return Some(notebook::scan(self, data, shown));
            }
            return None;
        }
        let mut findings = Vec::new();
        let config = self
            .deployment
            .then(|| deploy::scan(path, data, shown, &mut findings))
            .flatten();
        let python = name.ends_with(".py") || name.ends_with(".pyw");
        if python
            && self.code
            && let Ok(source) = std::str::from_utf8(data)
        {
            code_findings(source, &Location::file(shown), &mut findings);
        }
        if let Some(s) = self.secrets() {
            for m in s.scan(data, Kinds::SECRETS) {
                let loc = Location {
                    line: Some(m.line),
                    column: Some(m.column),
                    ..Location::file(shown)
                };
                findings.push(secret_finding(&m, loc, ""));
            }
        }
        deploy::drop_repeated_secrets(&mut findings);
        // Python files scanned by the code rules, and deployment configurations, are listed even when clean.
        if findings.is_empty() && !(python && self.code) && config.is_none() {
            return None;
        }
        Some(Outcome {
            format: config.unwrap_or(if python { "python" } else { "text" }),
            findings,
        })
    }
}

/// The code rules' findings for Python `source`, located in a file.
fn code_findings(source: &str, file: &Location, out: &mut Vec<Finding>) {
    let analysis = aigis_pycode::analyze(source);
    for f in analysis.findings {
        let loc = Location {
            line: Some(f.line),
            column: Some(f.column),
            ..file.clone()
        };
        let mut finding = Finding::new(f.rule, loc, f.message, &f.key);
        finding.evidence = Some(f.evidence);
        out.push(finding);
    }
}

/// A secret match as a finding; `context` says where in a notebook.
fn secret_finding(m: &SecretMatch, loc: Location, context: &str) -> Finding {
    let message = format!("{}{}: {}", m.rule.summary, context, m.redacted);
    let mut f = Finding::new(m.rule, loc, message, &m.fingerprint_key());
    f.evidence = Some(m.redacted.clone());
    f
}
