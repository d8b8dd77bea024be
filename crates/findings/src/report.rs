//! Per-file results and the whole report.

use crate::{Finding, Severity, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The result for one scanned file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub path: String,
    /// What the content was recognised as, e.g. `pytorch-zip`, `pickle`, `joblib`.
    pub format: String,
    pub verdict: Verdict,
    /// Why the file is inconclusive, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive_reason: Option<String>,
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// A report whose verdict is derived from its findings.
    pub fn new(path: impl Into<String>, format: impl Into<String>, findings: Vec<Finding>) -> Self {
        let mut r = FileReport {
            path: path.into(),
            format: format.into(),
            verdict: Verdict::Clean,
            inconclusive_reason: None,
            findings,
        };
        r.recompute_verdict();
        r
    }

    /// Derive `verdict` and `inconclusive_reason` from the current findings.
    pub fn recompute_verdict(&mut self) {
        self.verdict = self
            .findings
            .iter()
            .fold(Verdict::Clean, |v, f| v.max(f.verdict));
        self.inconclusive_reason = self
            .findings
            .iter()
            .find(|f| f.verdict == Verdict::Inconclusive)
            .map(|f| f.message.clone());
    }
}

/// The name and version of the tool that made a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// Counts over a report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub files_scanned: usize,
    /// Files per verdict.
    pub verdicts: BTreeMap<String, usize>,
    /// Findings per severity.
    pub severities: BTreeMap<String, usize>,
    /// Findings left out because a suppression or the baseline matched them.
    pub suppressed: usize,
}

/// Everything one `aigis scan` found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: ToolInfo,
    pub files: Vec<FileReport>,
    pub summary: Summary,
}

impl Report {
    /// A report over `files`, sorted by path, with its summary computed.
    pub fn new(tool: ToolInfo, mut files: Vec<FileReport>, suppressed: usize) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut summary = Summary {
            files_scanned: files.len(),
            suppressed,
            ..Summary::default()
        };
        for f in &files {
            *summary.verdicts.entry(f.verdict.to_string()).or_default() += 1;
            for finding in &f.findings {
                *summary
                    .severities
                    .entry(finding.severity.to_string())
                    .or_default() += 1;
            }
        }
        Report {
            tool,
            files,
            summary,
        }
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(|f| f.findings.iter())
    }

    /// The highest severity of any finding, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings().map(|f| f.severity).max()
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.files.iter().filter(|f| f.verdict == verdict).count()
    }
}
