//! docker `daemon.json`, read as YAML (JSON is a subset) so that keys keep
//! their positions. Absent keys are judged at docker's defaults.

use crate::finding::DeployFinding;
use crate::rules::daemon as r;
use crate::yaml::{self, Node};

pub fn analyze(text: &str) -> Vec<DeployFinding> {
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => return vec![crate::compose::inconclusive(&e)],
    };
    let mut out = Vec::new();
    let Some(root) = docs.first().filter(|d| d.is_map()) else {
        out.push(DeployFinding::inconclusive(
            1,
            "daemon.json is not a JSON object",
        ));
        return out;
    };
    let at_key = |k: &str| root.key(k).unwrap_or(root);
    let absent = |rule, key: &str, msg: &str, out: &mut Vec<DeployFinding>| {
        let at = at_key(key);
        out.push(DeployFinding::new(
            rule,
            at.line,
            at.column,
            msg,
            &format!("\"{key}\""),
            key,
        ));
    };
    let userns = root
        .get("userns-remap")
        .and_then(Node::as_str)
        .unwrap_or("");
    if userns.trim().is_empty() {
        absent(
            &r::NO_USERNS,
            "userns-remap",
            "userns-remap is not set: container root is host root",
            &mut out,
        );
    }
    if !root.get("icc").is_some_and(Node::is_false) {
        absent(
            &r::ICC,
            "icc",
            "icc is not false: containers on the default bridge can reach each other",
            &mut out,
        );
    }
    if !root.get("live-restore").is_some_and(Node::is_true) {
        absent(
            &r::NO_LIVE_RESTORE,
            "live-restore",
            "live-restore is not enabled",
            &mut out,
        );
    }
    if !root.get("no-new-privileges").is_some_and(Node::is_true) {
        absent(
            &r::NO_NEW_PRIVILEGES,
            "no-new-privileges",
            "no-new-privileges is not true",
            &mut out,
        );
    }
    let tls_verified = root.get("tlsverify").is_some_and(Node::is_true)
        && ["tlscacert", "tlscert", "tlskey"]
            .iter()
            .all(|k| root.get(k).is_some());
    for h in root.get("hosts").map_or(&[][..], Node::items) {
        let host = h.as_str().unwrap_or("");
        if host.starts_with("tcp://") && !tls_verified {
            out.push(DeployFinding::new(
                &r::TCP_NO_TLS,
                h.line,
                h.column,
                format!("the daemon listens on {host} without TLS client verification"),
                host,
                host,
            ));
        }
    }
    for reg in root.get("insecure-registries").map_or(&[][..], Node::items) {
        let name = reg.as_str().unwrap_or("");
        out.push(DeployFinding::new(
            &r::INSECURE_REGISTRY,
            reg.line,
            reg.column,
            format!("insecure registry {name}"),
            name,
            name,
        ));
    }
    out
}
