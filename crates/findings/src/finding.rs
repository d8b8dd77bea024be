//! One finding: what rule fired, where, on what content.

use crate::{Rule, Severity, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a finding is. Only `path` is always present; the rest narrows it down.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file on disk, as given or found under the scanned path.
    pub path: String,
    /// The chain of members inside containers, outermost first
    /// (e.g. `["model.tar.gz", "archive/data.pkl"]` is not used: the path is the
    /// file; members are `["archive/data.pkl"]`, or deeper for nested archives).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Byte offset inside the innermost member (or the file), e.g. of a pickle opcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// 1-based line, for text formats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column, for text formats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// 0-based notebook cell index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<u32>,
}

impl Location {
    pub fn file(path: impl Into<String>) -> Self {
        Location {
            path: path.into(),
            ..Location::default()
        }
    }

    /// The same location, one container level deeper.
    pub fn member(&self, name: impl Into<String>) -> Self {
        let mut members = self.members.clone();
        members.push(name.into());
        Location {
            path: self.path.clone(),
            members,
            ..Location::default()
        }
    }

    pub fn at_offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// `path`, `path!member`, `path!member!inner`, then `@0x2a` or `:line:col`.
    pub fn display(&self) -> String {
        let mut s = self.path.clone();
        for m in &self.members {
            s.push('!');
            s.push_str(m);
        }
        if let Some(cell) = self.cell {
            s.push_str(&format!("[cell {cell}]"));
        }
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                s.push_str(&format!(":{col}"));
            }
        }
        if let Some(off) = self.offset {
            s.push_str(&format!("@0x{off:x}"));
        }
        s
    }
}

/// A rule that fired on some content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    /// The verdict this finding gives the file it is in.
    pub verdict: Verdict,
    /// Checklist items served, e.g. `"000#1"`.
    pub checklist: Vec<String>,
    pub message: String,
    pub location: Location,
    /// The decoded content that fired, e.g. `REDUCE at 0x2a calls posix.system('echo pwned')`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Hex SHA-256 of the rule id and the normalised matched content (not the
    /// position), so that baselines survive edits that move the content.
    pub fingerprint: String,
}

impl Finding {
    /// A finding of `rule` with its default severity and verdict. `key` is the
    /// normalised content that identifies this occurrence for the fingerprint
    /// (e.g. `posix.system`); the file path and members join it so that the same
    /// gadget in two files yields two fingerprints.
    pub fn new(rule: &Rule, location: Location, message: impl Into<String>, key: &str) -> Self {
        let fingerprint = fingerprint(rule.id, &location, key);
        Finding {
            rule_id: rule.id.to_string(),
            rule_name: rule.name.to_string(),
            severity: rule.severity,
            verdict: rule.verdict,
            checklist: rule.checklist.iter().map(|s| (*s).to_string()).collect(),
            message: message.into(),
            location,
            evidence: None,
            fingerprint,
        }
    }

    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// The content-based fingerprint: rule, path, member chain and key; never offsets or lines.
pub fn fingerprint(rule_id: &str, location: &Location, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(location.path.as_bytes());
    for m in &location.members {
        h.update([0]);
        h.update(m.as_bytes());
    }
    h.update([0]);
    h.update(key.as_bytes());
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_offsets_but_not_members() {
        let a = Location::file("m.pt").member("archive/data.pkl");
        let b = a.clone().at_offset(0x2a);
        assert_eq!(
            fingerprint("AIG101", &a, "os.system"),
            fingerprint("AIG101", &b, "os.system")
        );
        let c = Location::file("m.pt").member("other/data.pkl");
        assert_ne!(
            fingerprint("AIG101", &a, "os.system"),
            fingerprint("AIG101", &c, "os.system")
        );
        assert_ne!(
            fingerprint("AIG101", &a, "os.system"),
            fingerprint("AIG101", &a, "os.popen")
        );
    }

    #[test]
    fn display_shows_members_and_offset() {
        let l = Location::file("m.pt")
            .member("archive/data.pkl")
            .at_offset(42);
        assert_eq!(l.display(), "m.pt!archive/data.pkl@0x2a");
    }
}
