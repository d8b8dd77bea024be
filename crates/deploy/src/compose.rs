//! docker-compose rules, service by service, over the position-carrying YAML
//! tree. Interpolated values (`${VAR}`) are not judged: they are not in the file.

use crate::finding::DeployFinding;
use crate::image::{ImageRef, Pin};
use crate::rules::compose as r;
use crate::secret;
use crate::yaml::{self, Node};

/// Host paths whose mount is a host takeover or a credential leak.
pub(crate) const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/home",
    "/var/run",
    "/run",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
];
pub(crate) const RUNTIME_SOCKETS: &[&str] =
    &["docker.sock", "containerd.sock", "crio.sock", "podman.sock"];

pub fn analyze(text: &str) -> Vec<DeployFinding> {
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => return vec![inconclusive(&e)],
    };
    let mut out = Vec::new();
    let Some(services) = docs.first().and_then(|d| d.get("services")) else {
        if docs.first().is_some_and(|d| d.is_map()) {
            return out;
        }
        out.push(DeployFinding::inconclusive(
            1,
            "compose file has no mapping of services",
        ));
        return out;
    };
    for (name, svc) in services.entries() {
        let Some(sname) = name.as_str() else { continue };
        service(sname, name, svc, &mut out);
    }
    out
}

pub(crate) fn inconclusive(e: &yaml::YamlError) -> DeployFinding {
    let line = match e {
        yaml::YamlError::Syntax { line, .. } => *line,
        yaml::YamlError::TooLarge(_) => 1,
    };
    DeployFinding::inconclusive(line, &format!("YAML not analysed: {e}"))
}

fn hit(rule: &'static aigis_findings::Rule, at: &Node, msg: String, key: &str) -> DeployFinding {
    let evidence = at.scalar().unwrap_or_default();
    DeployFinding::new(rule, at.line, at.column, msg, &evidence, key)
}

fn service(name: &str, key: &Node, svc: &Node, out: &mut Vec<DeployFinding>) {
    let k = |s: &str| format!("{name}:{s}");
    if let Some(v) = svc.get("privileged").filter(|v| v.is_true()) {
        out.push(hit(
            &r::PRIVILEGED,
            v,
            format!("service {name} runs privileged"),
            &k("privileged"),
        ));
    }
    if let Some(v) = svc
        .get("network_mode")
        .filter(|v| v.as_str() == Some("host"))
    {
        out.push(hit(
            &r::HOST_NETWORK,
            v,
            format!("service {name} uses the host network"),
            &k("network"),
        ));
    }
    for ns in ["pid", "ipc"] {
        if let Some(v) = svc.get(ns).filter(|v| v.as_str() == Some("host")) {
            out.push(hit(
                &r::HOST_NAMESPACE,
                v,
                format!("service {name} shares the host {ns} namespace"),
                &k(ns),
            ));
        }
    }
    if let Some(vols) = svc.get("volumes") {
        for v in vols.items() {
            volume(name, v, out);
        }
    }
    for cap in svc.get("cap_add").map_or(&[][..], Node::items) {
        let c = cap.scalar().unwrap_or_default();
        out.push(hit(
            &r::CAP_ADD,
            cap,
            format!("service {name} adds capability {c}"),
            &k(&c),
        ));
    }
    if !svc.get("read_only").is_some_and(Node::is_true) {
        out.push(DeployFinding::new(
            &r::WRITABLE_ROOT,
            key.line,
            key.column,
            format!("service {name} has a writable root filesystem (no read_only: true)"),
            name,
            k("read_only"),
        ));
    }
    for p in svc.get("ports").map_or(&[][..], Node::items) {
        port(name, p, out);
    }
    environment(name, svc.get("environment"), out);
    let limited = svc.path(&["deploy", "resources", "limits"]).is_some()
        || svc.get("mem_limit").is_some()
        || svc.get("cpus").is_some();
    if !limited {
        out.push(DeployFinding::new(
            &r::NO_LIMITS,
            key.line,
            key.column,
            format!("service {name} has no memory or CPU limit"),
            name,
            k("limits"),
        ));
    }
    for opt in svc.get("security_opt").map_or(&[][..], Node::items) {
        let o = opt
            .scalar()
            .unwrap_or_default()
            .to_ascii_lowercase()
            .replace('=', ":");
        if matches!(
            o.as_str(),
            "seccomp:unconfined" | "apparmor:unconfined" | "label:disable" | "label:type:spc_t"
        ) {
            out.push(hit(
                &r::SECURITY_PROFILE_DISABLED,
                opt,
                format!("service {name}: security_opt {o}"),
                &k(&o),
            ));
        }
    }
    if let Some(img) = svc.get("image").filter(|_| svc.get("build").is_none())
        && let Some(s) = img.as_str().filter(|s| !s.contains('$'))
        && matches!(ImageRef::parse(s).pin(), Pin::Latest | Pin::None)
    {
        out.push(hit(
            &r::IMAGE_UNPINNED,
            img,
            format!("service {name}: image {s} has no version tag"),
            s,
        ));
    }
}

fn volume(name: &str, v: &Node, out: &mut Vec<DeployFinding>) {
    let (source, writable) = match v.as_str() {
        Some(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            if parts.len() < 2 {
                return;
            }
            let ro = parts
                .get(2)
                .is_some_and(|m| m.split(',').any(|x| x == "ro"));
            (parts.first().copied().unwrap_or("").to_string(), !ro)
        }
        None => {
            if v.get("type")
                .and_then(Node::as_str)
                .is_some_and(|t| t != "bind")
            {
                return;
            }
            let src = v
                .get("source")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            (src, !v.get("read_only").is_some_and(Node::is_true))
        }
    };
    let src = source.trim_end_matches('/');
    let host = source.starts_with('/') || source.starts_with('~') || source.starts_with("$HOME");
    if !host {
        return;
    }
    if RUNTIME_SOCKETS.iter().any(|s| src.ends_with(s)) {
        out.push(hit(
            &r::DOCKER_SOCKET,
            v,
            format!("service {name} mounts the container runtime socket {source}"),
            &format!("{name}:{src}"),
        ));
        return;
    }
    let root = if src.is_empty() { "/" } else { src };
    let sensitive = SENSITIVE_HOST_PATHS.contains(&root);
    let mut f = hit(
        &r::HOST_PATH,
        v,
        format!(
            "service {name} bind-mounts host path {source}{}{}",
            if writable { " writable" } else { " read-only" },
            if sensitive {
                " (a sensitive system path)"
            } else {
                ""
            }
        ),
        &format!("{name}:{src}"),
    );
    if sensitive && writable {
        f.severity = aigis_findings::Severity::Critical;
    } else if sensitive || writable {
        f.severity = aigis_findings::Severity::High;
    }
    out.push(f);
}

/// One `ports` entry: short `[ip:][host:]container[/proto]` or long syntax.
fn port(name: &str, p: &Node, out: &mut Vec<DeployFinding>) {
    let (ip, published) = match p.scalar() {
        Some(s) => {
            let s = s.split('/').next().unwrap_or("").to_string();
            // IPv6 host addresses are bracketed: [::1]:8000:8000.
            let (ip, rest) = match s.strip_prefix('[').and_then(|x| x.split_once("]:")) {
                Some((ip, rest)) => (ip.to_string(), rest.to_string()),
                None => {
                    let parts: Vec<&str> = s.split(':').collect();
                    if parts.len() == 3 {
                        (
                            parts.first().copied().unwrap_or("").to_string(),
                            parts.get(1..).unwrap_or(&[]).join(":"),
                        )
                    } else {
                        (String::new(), s.clone())
                    }
                }
            };
            let host_port = rest.split(':').next().unwrap_or("").to_string();
            (ip, host_port)
        }
        None => (
            p.get("host_ip").and_then(Node::scalar).unwrap_or_default(),
            p.get("published")
                .or_else(|| p.get("target"))
                .and_then(Node::scalar)
                .unwrap_or_default(),
        ),
    };
    let all = ip.is_empty() || ip == "0.0.0.0" || ip == "::";
    if !all || published == "443" || published.contains('$') {
        return;
    }
    out.push(hit(
        &r::PORT_ALL_INTERFACES,
        p,
        format!("service {name} publishes port {published} on all interfaces"),
        &format!("{name}:{published}"),
    ));
}

fn environment(name: &str, env: Option<&Node>, out: &mut Vec<DeployFinding>) {
    let Some(env) = env else { return };
    let mut pairs: Vec<(String, String, &Node)> = Vec::new();
    for (k, v) in env.entries() {
        if let (Some(k), Some(v)) = (k.as_str(), v.scalar()) {
            pairs.push((k.to_string(), v, k_node(env, k)));
        }
    }
    for item in env.items() {
        if let Some((k, v)) = item.as_str().and_then(|s| s.split_once('=')) {
            pairs.push((k.to_string(), v.to_string(), item));
        }
    }
    for (k, v, at) in pairs {
        if secret::is_secret_name(&k) && secret::is_literal_value(&v) {
            out.push(DeployFinding::new(
                &r::SECRET_IN_ENV,
                at.line,
                at.column,
                format!(
                    "service {name}: environment {k} is a literal value ({})",
                    secret::redact(&v)
                ),
                &format!("{k}=<redacted>"),
                format!("{name}:{k}"),
            ));
        }
    }
}

fn k_node<'a>(map: &'a Node, key: &str) -> &'a Node {
    map.key(key).unwrap_or(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigis_findings::Severity;

    fn found(text: &str, id: &str) -> Vec<(u32, Severity, String)> {
        analyze(text)
            .into_iter()
            .filter(|f| f.rule.id == id)
            .map(|f| (f.line, f.severity, f.message))
            .collect()
    }

    #[test]
    fn ports_short_long_and_ipv6() {
        let text = "services:\n  a:\n    ports:\n      - \"[::1]:8000:8000\"\n      - \"0.0.0.0:9000:9000/udp\"\n      - 8080\n      - target: 80\n        published: \"8081\"\n";
        let lines: Vec<u32> = found(text, "AIG447").iter().map(|f| f.0).collect();
        assert_eq!(lines, [5, 6, 7]);
    }

    #[test]
    fn writable_system_mounts_are_critical_and_model_caches_medium_or_high() {
        let text = "services:\n  a:\n    volumes:\n      - /:/host\n      - /data/models:/models:ro\n      - ~/.cache/huggingface:/root/.cache/huggingface\n";
        let sev: Vec<Severity> = found(text, "AIG444").iter().map(|f| f.1).collect();
        assert_eq!(sev, [Severity::Critical, Severity::Medium, Severity::High]);
    }

    #[test]
    fn malformed_compose_is_inconclusive_at_its_line() {
        let f = analyze("services:\n  a:\n    image: [unclosed\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule.id, "AIG400");
        assert!(f[0].line >= 3, "{:?}", f[0]);
    }
}
