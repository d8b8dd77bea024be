//! Source code, notebooks and other text files.
//!
//! Python files go through the code rules (`aigis-pycode`) and every text
//! file through the secret rules (`aigis-secrets`); notebooks are split into
//! cells and outputs first (`aigis_formats::ipynb`). Model files never come
//! here. Nothing here executes what it reads.

mod deploy;
mod deps;
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

/// The secret rules, compiled once per process on first use: a scan of model
/// files without string metadata never pays for them (about 15 ms of regex
/// building). The embedded rule data is checked by the crate's tests and
/// `aigis rules check`, so building cannot fail in a released binary; if it
/// did, secrets would be skipped, not crash.
pub(crate) fn shared_secrets() -> Option<&'static SecretScanner> {
    static COMPILED: std::sync::OnceLock<Option<SecretScanner>> = std::sync::OnceLock::new();
    COMPILED.get_or_init(|| SecretScanner::new().ok()).as_ref()
}

/// What the text scanners look for, from the selected domains.
pub struct TextScanner {
    secrets_on: bool,
    code: bool,
    notebooks: bool,
    /// The dependency audit; its database is opened on the first dependency file.
    deps: Option<aigis_deps::Auditor>,
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
            code: on(Domain::Code),
            notebooks: on(Domain::Notebooks),
            deps: on(Domain::Dependencies).then(|| aigis_deps::Auditor::new(Default::default())),
            deployment: on(Domain::Deployment),
        })
    }

    /// Audit dependency files with `opts` (database location, max age).
    pub fn with_dependencies(mut self, opts: aigis_deps::AuditOptions) -> Self {
        self.deps = self.deps.map(|_| aigis_deps::Auditor::new(opts));
        self
    }

    /// The secret rules, when selected.
    fn secrets(&self) -> Option<&'static SecretScanner> {
        if !self.secrets_on {
            return None;
        }
        shared_secrets()
    }

    /// Findings for a file that is not a model; `None` when it is not text
    /// or nothing selected applies to it.
    pub fn scan(&self, path: &Path, data: &[u8], shown: &str) -> Option<Outcome> {
        let active = self.code
            || self.notebooks
            || self.secrets_on
            || self.deps.is_some()
            || self.deployment;
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
        let dep_file =
            (self.deps.as_ref()).is_some_and(|a| deps::scan(a, path, data, shown, &mut findings));
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
        // Python files scanned by the code rules, dependency files and
        // deployment configurations are listed even when clean.
        if findings.is_empty() && !(python && self.code) && !dep_file && config.is_none() {
            return None;
        }
        Some(Outcome {
            format: config.unwrap_or(if python {
                "python"
            } else if dep_file {
                "dependencies"
            } else {
                "text"
            }),
            findings,
        })
    }
}

/// The code rules' findings for Python `source`, located in a file.
fn code_findings(source: &str, file: &Location, out: &mut Vec<Finding>) {
    let analysis = aigis_pycode::analyze_prefiltered(source);
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

/// A secret match as a finding; `context` says where (a notebook cell, a
/// metadata key).
pub(crate) fn secret_finding(m: &SecretMatch, loc: Location, context: &str) -> Finding {
    // "OpenAI API key in text" reads "OpenAI API key in cell 2" once the
    // place is known.
    let what = match context {
        "" => m.rule.summary,
        _ => m
            .rule
            .summary
            .strip_suffix(" in text")
            .unwrap_or(m.rule.summary),
    };
    let message = format!("{what}{context}: {}", m.redacted);
    let mut f = Finding::new(m.rule, loc, message, &m.fingerprint_key());
    f.evidence = Some(m.redacted.clone());
    f
}
