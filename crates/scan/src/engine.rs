//! `aigis scan`'s engine: walk the paths (gitignore-aware), scan every file in
//! parallel with the scanners of the selected domains, apply severities,
//! suppressions and the baseline, and return per-file reports.
//!
//! No printing and no exit codes here: the binary decides those.

use crate::input;
use crate::models::{ModelScanner, ScanLimits};
use crate::policy::Policy;
use aigis_findings::{Domain, FileReport, Finding, Location, Severity};
use globset::{Glob, GlobMatcher};
use rayon::prelude::*;

use crate::text::TextScanner;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// A suppression: findings of `rule` (id or name) in files matching `path` are
/// left out of the report. The reason is required and kept for the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub rule: String,
    pub path: Option<String>,
    pub reason: String,
}

/// Everything that shapes one scan.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Domains to scan; empty means all.
    pub domains: Vec<Domain>,
    /// Extra trusted pickle globals, `module.qualname`.
    pub trusted_globals: Vec<String>,
    /// Gitignore-style patterns of paths to skip.
    pub exclude: Vec<String>,
    /// Severity per rule id or name.
    pub severity: BTreeMap<String, Severity>,
    pub suppress: Vec<Suppression>,
    /// Fingerprints of an earlier report: findings with these are left out.
    pub baseline: HashSet<String>,
    pub limits: ScanLimits,
    /// Where the advisory database is and how old it may be.
    pub dependencies: aigis_deps::AuditOptions,
    /// Also run the host checks (`aigis scan --host`) against this host tree.
    pub host: Option<aigis_deploy::host::HostOptions>,
}

/// A path that could not be scanned at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    pub path: String,
    pub message: String,
}

/// The outcome of a scan, before the binary wraps it into a `Report`.
#[derive(Clone, Debug, Default)]
pub struct ScanResult {
    pub files: Vec<FileReport>,
    pub errors: Vec<ScanError>,
    pub suppressed: usize,
}

/// A configuration problem found before scanning (bad glob, bad policy data).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("invalid glob '{pattern}': {reason}")]
    Glob { pattern: String, reason: String },
    #[error("built-in policy data is invalid: {0}")]
    Policy(#[from] crate::policy::ParseError),
    #[error("unknown rule '{0}' in configuration")]
    UnknownRule(String),
    #[error("built-in rule data is invalid: {0}")]
    Rules(String),
}

/// File extensions of model formats: content that is not recognised under
/// these names is reported as inconclusive rather than skipped.
const PICKLE_EXTENSIONS: &[&str] = &[
    "pkl",
    "pickle",
    "pt",
    "pth",
    "ckpt",
    "joblib",
    "npy",
    "npz",
    "sav",
    "dill",
    "pkl.gz",
    "safetensors",
    "gguf",
    "onnx",
];

/// Scan `paths` (files or directories).
pub fn scan_paths(paths: &[PathBuf], opts: &ScanOptions) -> Result<ScanResult, SetupError> {
    let policy = Policy::new(&opts.trusted_globals)?;
    let mut scanner = ModelScanner::new(&policy);
    scanner.limits = opts.limits.clone();
    scanner.secrets = opts.domains.is_empty() || opts.domains.contains(&Domain::Secrets);
    let text = TextScanner::new(&opts.domains)
        .map_err(|e| SetupError::Rules(e.to_string()))?
        .with_dependencies(opts.dependencies.clone());
    let suppress = compile_suppressions(&opts.suppress)?;
    for rule in opts.severity.keys() {
        crate::rules::find(rule).ok_or_else(|| SetupError::UnknownRule(rule.clone()))?;
    }
    let (files, mut errors) = walk(paths, &opts.exclude)?;
    let models = opts.domains.is_empty() || opts.domains.contains(&Domain::Models);
    let one = |p: &PathBuf| scan_file(models.then_some(&scanner), &text, p);
    // One file (the check on every download): no thread pool to start.
    let results: Vec<Result<Option<FileReport>, ScanError>> = if files.len() > 1 {
        files.par_iter().map(one).collect()
    } else {
        files.iter().map(one).collect()
    };
    let mut out = ScanResult::default();
    for r in results {
        match r {
            Ok(Some(report)) => out.files.push(report),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    crate::models::repo::summarize(&mut out.files);
    if let Some(host) = &opts.host {
        crate::host::merge(&mut out.files, host, paths);
    }
    for file in &mut out.files {
        let before = file.findings.len();
        file.findings.retain(|f| {
            !opts.baseline.contains(&f.fingerprint)
                && !suppress
                    .iter()
                    .any(|(rule, glob)| matches(f, rule, glob.as_ref()))
        });
        out.suppressed += before - file.findings.len();
        for f in &mut file.findings {
            if let Some(sev) = override_for(&opts.severity, f) {
                f.severity = sev;
            }
        }
        file.recompute_verdict();
    }
    out.errors = errors;
    Ok(out)
}

fn override_for(map: &BTreeMap<String, Severity>, f: &Finding) -> Option<Severity> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&f.rule_id) || k.eq_ignore_ascii_case(&f.rule_name))
        .map(|(_, s)| *s)
}

fn matches(f: &Finding, rule: &str, glob: Option<&GlobMatcher>) -> bool {
    let rule_ok = rule == "*"
        || rule.eq_ignore_ascii_case(&f.rule_id)
        || rule.eq_ignore_ascii_case(&f.rule_name);
    rule_ok && glob.is_none_or(|g| g.is_match(&f.location.path))
}

fn compile_suppressions(
    s: &[Suppression],
) -> Result<Vec<(String, Option<GlobMatcher>)>, SetupError> {
    s.iter()
        .map(|s| {
            let glob = s
                .path
                .as_deref()
                .map(|p| {
                    Glob::new(p)
                        .map(|g| g.compile_matcher())
                        .map_err(|e| SetupError::Glob {
                            pattern: p.to_string(),
                            reason: e.to_string(),
                        })
                })
                .transpose()?;
            Ok((s.rule.clone(), glob))
        })
        .collect()
}

/// Every regular file under `paths`, honouring .gitignore/.ignore and `exclude`.
fn walk(
    paths: &[PathBuf],
    exclude: &[String],
) -> Result<(Vec<PathBuf>, Vec<ScanError>), SetupError> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        let mut overrides = ignore::overrides::OverrideBuilder::new(root);
        for pat in exclude {
            overrides
                .add(&format!("!{pat}"))
                .map_err(|e| SetupError::Glob {
                    pattern: pat.clone(),
                    reason: e.to_string(),
                })?;
        }
        let overrides = overrides.build().map_err(|e| SetupError::Glob {
            pattern: exclude.join(","),
            reason: e.to_string(),
        })?;
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .overrides(overrides)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => files.push(e.into_path()),
                Ok(_) => {}
                Err(e) => errors.push(ScanError {
                    path: root.display().to_string(),
                    message: e.to_string(),
                }),
            }
        }
    }
    files.sort();
    files.dedup();
    Ok((files, errors))
}

fn scan_file(
    scanner: Option<&ModelScanner<'_>>,
    text: &TextScanner,
    path: &Path,
) -> Result<Option<FileReport>, ScanError> {
    let shown = path.display().to_string();
    let data = input::open(path).map_err(|e| ScanError {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if data.is_empty() {
        return Ok(scanner
            .filter(|_| has_pickle_extension(path))
            .map(|_| unrecognised_model(&shown)));
    }
    if let Some(o) = scanner.and_then(|s| s.scan(&data, &shown)) {
        return Ok(Some(FileReport::new(shown, o.format, o.findings)));
    }
    // Not a model format: repository configs (models), then the text rules.
    let repo = scanner.and_then(|_| crate::models::repo::scan_file(path, &data, &shown));
    let texts = text.scan(path, &data, &shown);
    let outcome = match (repo, texts) {
        (Some(mut r), Some(t)) => {
            r.findings.extend(t.findings);
            Some(r)
        }
        (r, t) => r.or(t),
    };
    if scanner.is_none() {
        return Ok(outcome.map(|o| FileReport::new(shown, o.format, o.findings)));
    }
    match outcome {
        Some(o) => Ok(Some(FileReport::new(shown, o.format, o.findings))),
        None if has_pickle_extension(path) => Ok(Some(unrecognised_model(&shown))),
        None => Ok(None),
    }
}

/// A file named like a model whose content is no model format.
fn unrecognised_model(shown: &str) -> FileReport {
    let f = crate::models::inconclusive(
        &Location::file(shown),
        "named like a model file, but the content is no format aigis recognises",
    );
    FileReport::new(shown.to_string(), "unknown", vec![f])
}

pub(crate) fn has_pickle_extension(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    PICKLE_EXTENSIONS
        .iter()
        .any(|ext| name.ends_with(&format!(".{ext}")))
}
