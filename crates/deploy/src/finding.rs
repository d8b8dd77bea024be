//! The finding type of this crate and the common finishing step (order,
//! de-duplication, the per-file cap).

use aigis_findings::{Rule, Severity};

use crate::limits::{MAX_EVIDENCE_CHARS, MAX_FINDINGS};
use crate::rules::common::CONFIG_INCONCLUSIVE;

/// One rule that fired at one place of a configuration file.
#[derive(Clone, Debug)]
pub struct DeployFinding {
    pub rule: &'static Rule,
    /// The rule's severity, raised or lowered for this occurrence (e.g. a
    /// writable mount of `/` is more severe than a read-only model cache).
    pub severity: Severity,
    /// 1-based line in the analysed file.
    pub line: u32,
    /// 1-based column (characters), 1 when the finding is about a whole block.
    pub column: u32,
    pub message: String,
    /// The configuration as written (one line, about 200 characters at most).
    pub evidence: String,
    /// Normalised content for the fingerprint (never a position).
    pub key: String,
}

impl DeployFinding {
    pub(crate) fn new(
        rule: &'static Rule,
        line: u32,
        column: u32,
        message: impl Into<String>,
        evidence: &str,
        key: impl Into<String>,
    ) -> Self {
        let evidence: String = evidence
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(MAX_EVIDENCE_CHARS)
            .collect();
        DeployFinding {
            rule,
            severity: rule.severity,
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
            evidence,
            key: {
                // The fingerprint needs some content; the rule's name stands in.
                let k: String = key.into();
                if k.is_empty() {
                    rule.name.to_string()
                } else {
                    k
                }
            },
        }
    }

    /// The file (or part of it) could not be analysed: `why`.
    pub(crate) fn inconclusive(line: u32, why: &str) -> Self {
        DeployFinding::new(&CONFIG_INCONCLUSIVE, line, 1, why, "", why)
    }
}

/// Sorted by position then rule, duplicates (same rule, place and key) removed, capped.
pub(crate) fn finish(mut out: Vec<DeployFinding>) -> Vec<DeployFinding> {
    out.sort_by(|a, b| (a.line, a.column, a.rule.id).cmp(&(b.line, b.column, b.rule.id)));
    out.dedup_by(|a, b| a.line == b.line && a.rule.id == b.rule.id && a.key == b.key);
    if out.len() > MAX_FINDINGS {
        out.truncate(MAX_FINDINGS);
        out.push(DeployFinding::inconclusive(
            1,
            &format!("more than {MAX_FINDINGS} findings; the rest were not reported"),
        ));
    }
    out
}
