//! Dependency files (requirements, pyproject, lock files, conda
//! environments) through the dependency audit (`aigis-deps`): its issues
//! become findings at the line that pins each dependency.

use std::path::Path;

use aigis_deps::Auditor;
use aigis_findings::{Finding, Location};

/// Audit `data` if `path` is named like a dependency file; findings go to
/// `out`. Returns whether it was a dependency file with dependencies.
pub fn scan(
    auditor: &Auditor,
    path: &Path,
    data: &[u8],
    shown: &str,
    out: &mut Vec<Finding>,
) -> bool {
    let Some(issues) = auditor.audit(path, shown, data, &aigis_deps::read::fs_loader) else {
        return false;
    };
    for i in issues {
        let loc = Location {
            line: i.line,
            ..Location::file(shown)
        };
        let mut f = Finding::new(i.rule, loc, i.message, &i.key);
        f.evidence = i.evidence;
        if let Some(s) = i.severity {
            f.severity = s;
        }
        if let Some(v) = i.verdict {
            f.verdict = v;
        }
        out.push(f);
    }
    true
}
