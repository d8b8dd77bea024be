//! Deployment configuration files (Dockerfiles, compose files, Kubernetes
//! manifests, nginx configurations, docker daemon.json) through the rules
//! of `aigis-deploy`, recognised by name and, for YAML and `.conf` files,
//! by content. Findings keep the line and column of the file.

use std::path::Path;

use aigis_findings::{Domain, Finding, Location};

/// Appends the deployment findings of `path` to `out`; the format name when
/// the file is a deployment configuration.
pub(super) fn scan(
    path: &Path,
    data: &[u8],
    shown: &str,
    out: &mut Vec<Finding>,
) -> Option<&'static str> {
    let text = String::from_utf8_lossy(data);
    let kind = aigis_deploy::classify(path, &text)?;
    if kind == aigis_deploy::ConfigKind::Nginx && included_by_entry(path, &text) {
        return None;
    }
    for f in aigis_deploy::analyze(kind, path, &text) {
        let loc = Location {
            line: Some(f.line),
            column: Some(f.column),
            ..Location::file(shown)
        };
        let mut finding = Finding::new(f.rule, loc, f.message, &f.key).with_severity(f.severity);
        if !f.evidence.is_empty() {
            finding.evidence = Some(f.evidence);
        }
        out.push(finding);
    }
    Some(kind.as_str())
}

/// A literal credential in an environment is reported once: when a secret
/// rule (which names the provider) fired on the same line, the deployment
/// rule's finding is dropped.
pub(super) fn drop_repeated_secrets(findings: &mut Vec<Finding>) {
    let secret_lines: Vec<u32> = findings
        .iter()
        .filter(|f| {
            aigis_secrets::rules()
                .iter()
                .any(|r| r.id == f.rule_id && r.domain == Domain::Secrets)
        })
        .filter_map(|f| f.location.line)
        .collect();
    if secret_lines.is_empty() {
        return;
    }
    findings.retain(|f| {
        let env_secret = matches!(f.rule_id.as_str(), "AIG406" | "AIG448" | "AIG489");
        !(env_secret && f.location.line.is_some_and(|l| secret_lines.contains(&l)))
    });
}

/// An nginx fragment (no `http` block) in a directory that the `nginx.conf`
/// next to it includes is analysed through that file, with the http-level
/// settings it inherits, rather than alone (which would report it twice).
fn included_by_entry(path: &Path, text: &str) -> bool {
    /// Largest entry file read for this check.
    const MAX_ENTRY_BYTES: u64 = 1 << 20;
    let has_http = text.lines().any(|l| {
        l.trim_start()
            .strip_prefix("http")
            .is_some_and(|r| r.trim_start().starts_with('{'))
    });
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if has_http || name == "nginx.conf" {
        return false;
    }
    let Some(dir) = path.parent() else {
        return false;
    };
    let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let entry = dir.parent().map(|p| p.join("nginx.conf"));
    let Some(entry) =
        entry.filter(|e| std::fs::metadata(e).is_ok_and(|m| m.len() <= MAX_ENTRY_BYTES))
    else {
        return false;
    };
    std::fs::read_to_string(entry).is_ok_and(|t| {
        t.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("include") && !dir_name.is_empty() && l.contains(&format!("{dir_name}/"))
        })
    })
}
