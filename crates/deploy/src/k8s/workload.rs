//! Pod and container checks: the Pod Security Standards (baseline and
//! restricted), Trivy's KSV workload set and kube-linter's defaults. GPU
//! model servers get no exemption: GPUs come from the device plugin and
//! need none of privileged, hostIPC or root.

use aigis_findings::{Rule, Severity};

use crate::compose::{RUNTIME_SOCKETS, SENSITIVE_HOST_PATHS};
use crate::finding::DeployFinding;
use crate::image::{ImageRef, Pin};
use crate::rules::k8s as r;
use crate::secret;
use crate::yaml::Node;

const DANGEROUS_CAPS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "NET_RAW",
    "SYS_PTRACE",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "SYS_RAWIO",
    "BPF",
    "PERFMON",
    "SYS_BOOT",
];
/// KServe predictor fields that are container specs (model formats).
const KSERVE_MODELS: &[&str] = &[
    "model",
    "sklearn",
    "xgboost",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "huggingface",
    "lightgbm",
    "paddle",
    "pmml",
];
/// Image or command words of model servers.
const MODEL_SERVERS: &[&str] = &[
    "vllm",
    "tritonserver",
    "text-generation-inference",
    "torchserve",
    "tensorflow/serving",
    "tfserving",
    "ollama",
    "kserve",
    "seldon",
    "llama-server",
    "llama.cpp",
    "sglang",
    "lmdeploy",
    "model_server",
    "mlserver",
    "bentoml",
    "ray-ml",
    "text-embeddings-inference",
];
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// A finding at a node, its scalar as evidence.
pub(super) fn push(
    out: &mut Vec<DeployFinding>,
    rule: &'static Rule,
    at: &Node,
    msg: String,
    key: String,
) {
    let evidence = at.scalar().unwrap_or_default();
    out.push(DeployFinding::new(
        rule, at.line, at.column, msg, &evidence, key,
    ));
}

/// Whether a pod spec runs a model server (by image or command).
pub fn serves_model(spec: &Node) -> bool {
    containers(spec, false).iter().any(|(_, c)| {
        let mut text = c
            .get("image")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        for k in ["command", "args"] {
            for w in c.get(k).map_or(&[][..], Node::items) {
                text.push(' ');
                text.push_str(&w.as_str().unwrap_or("").to_ascii_lowercase());
            }
        }
        MODEL_SERVERS.iter().any(|m| text.contains(m))
    })
}

fn containers(spec: &Node, kserve: bool) -> Vec<(&'static str, &Node)> {
    let mut out = Vec::new();
    for (field, kind) in [
        ("initContainers", "init container"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeral container"),
    ] {
        for c in spec.get(field).map_or(&[][..], Node::items) {
            out.push((kind, c));
        }
    }
    if kserve {
        for m in KSERVE_MODELS {
            if let Some(c) = spec.get(m).filter(|c| c.is_map()) {
                out.push(("model container", c));
            }
        }
    }
    out
}

pub fn check_pod(spec: &Node, meta: &Node, what: &str, kserve: bool, out: &mut Vec<DeployFinding>) {
    pod_level(spec, what, out);
    let psc = spec.get("securityContext");
    for (kind, c) in containers(spec, kserve) {
        let cname = c
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or(if kind == "model container" {
                "kserve-container"
            } else {
                "?"
            });
        let label = format!("{what}, {kind} {cname}");
        container(c, psc, meta, cname, &label, kind, out);
    }
}

fn pod_level(spec: &Node, what: &str, out: &mut Vec<DeployFinding>) {
    super::hardening::pod(spec, what, out);
    for (field, rule) in [
        ("hostNetwork", &r::HOST_NETWORK),
        ("hostPID", &r::HOST_PID),
        ("hostIPC", &r::HOST_IPC),
    ] {
        if let Some(v) = spec.get(field).filter(|v| v.is_true()) {
            push(
                out,
                rule,
                v,
                format!("{what}: {field} is true"),
                format!("{what}:{field}"),
            );
        }
    }
    for v in spec.get("volumes").map_or(&[][..], Node::items) {
        let Some(hp) = v.get("hostPath") else {
            continue;
        };
        let path = hp
            .get("path")
            .and_then(Node::as_str)
            .unwrap_or("")
            .trim_end_matches('/');
        let at = hp.get("path").unwrap_or(hp);
        if RUNTIME_SOCKETS.iter().any(|s| path.ends_with(s))
            || matches!(
                path,
                "/var/run" | "/run" | "/run/containerd" | "/var/run/containerd"
            )
        {
            push(
                out,
                &r::RUNTIME_SOCKET,
                at,
                format!("{what}: hostPath {path} exposes the container runtime"),
                format!("{what}:{path}"),
            );
            continue;
        }
        let root = if path.is_empty() { "/" } else { path };
        let sensitive = SENSITIVE_HOST_PATHS.contains(&root);
        let mut f = DeployFinding::new(
            &r::HOST_PATH,
            at.line,
            at.column,
            format!(
                "{what}: hostPath volume {root}{}",
                if sensitive {
                    " (a sensitive system path)"
                } else {
                    ""
                }
            ),
            root,
            format!("{what}:{root}"),
        );
        if sensitive {
            f.severity = Severity::High;
        }
        out.push(f);
    }
    let automount = spec.get("automountServiceAccountToken");
    if !automount.is_some_and(Node::is_false) {
        let at = automount.unwrap_or(spec);
        push(
            out,
            &r::SA_TOKEN_AUTOMOUNT,
            at,
            format!(
                "{what}: the service account token is mounted (automountServiceAccountToken is not false)"
            ),
            format!("{what}:automount"),
        );
    }
    let psc = spec.get("securityContext");
    for s in psc
        .and_then(|p| p.get("sysctls"))
        .map_or(&[][..], Node::items)
    {
        let name = s.get("name").and_then(Node::as_str).unwrap_or("");
        if !SAFE_SYSCTLS.contains(&name) {
            push(
                out,
                &r::UNSAFE_SYSCTLS,
                s.get("name").unwrap_or(s),
                format!("{what}: sysctl {name} is outside the safe set"),
                format!("{what}:{name}"),
            );
        }
    }
    for field in ["runAsUser", "runAsGroup", "fsGroup"] {
        if let Some(v) = psc
            .and_then(|p| p.get(field))
            .filter(|v| v.scalar().as_deref() == Some("0"))
        {
            push(
                out,
                &r::RUN_AS_USER_ROOT,
                v,
                format!("{what}: pod {field} is 0"),
                format!("{what}:pod:{field}"),
            );
        }
    }
}

/// The container's value of a securityContext field, else the pod's.
fn effective<'a>(csc: Option<&'a Node>, psc: Option<&'a Node>, field: &str) -> Option<&'a Node> {
    csc.and_then(|c| c.get(field))
        .or_else(|| psc.and_then(|p| p.get(field)))
}

#[allow(clippy::too_many_arguments)]
fn container(
    c: &Node,
    psc: Option<&Node>,
    meta: &Node,
    cname: &str,
    label: &str,
    kind: &str,
    out: &mut Vec<DeployFinding>,
) {
    super::hardening::container(c, psc, label, kind, out);
    let at = c.get("name").unwrap_or(c);
    let csc = c.get("securityContext");
    let key = |s: &str| format!("{label}:{s}");
    let sc = |f: &str| csc.and_then(|x| x.get(f));
    if let Some(v) = sc("privileged").filter(|v| v.is_true()) {
        push(
            out,
            &r::PRIVILEGED,
            v,
            format!("{label} is privileged"),
            key("privileged"),
        );
    }
    match sc("allowPrivilegeEscalation") {
        Some(v) if v.is_false() => {}
        v => push(
            out,
            &r::PRIVILEGE_ESCALATION,
            v.unwrap_or(at),
            format!("{label}: allowPrivilegeEscalation is not false"),
            key("ape"),
        ),
    }
    let user = effective(csc, psc, "runAsUser");
    let non_root = effective(csc, psc, "runAsNonRoot");
    let uid_nonzero = user.and_then(Node::scalar).is_some_and(|u| u != "0");
    if !(non_root.is_some_and(Node::is_true) || uid_nonzero) {
        push(
            out,
            &r::RUN_AS_NON_ROOT_UNSET,
            non_root.unwrap_or(at),
            format!("{label} may run as root (runAsNonRoot not true, no non-zero runAsUser)"),
            key("nonroot"),
        );
    }
    for field in ["runAsUser", "runAsGroup"] {
        if let Some(v) = sc(field).filter(|v| v.scalar().as_deref() == Some("0")) {
            push(
                out,
                &r::RUN_AS_USER_ROOT,
                v,
                format!("{label}: {field} is 0"),
                key(field),
            );
        }
    }
    if !sc("readOnlyRootFilesystem").is_some_and(Node::is_true) {
        push(
            out,
            &r::WRITABLE_ROOT,
            sc("readOnlyRootFilesystem").unwrap_or(at),
            format!("{label}: readOnlyRootFilesystem is not true"),
            key("rorfs"),
        );
    }
    let caps = sc("capabilities");
    for cap in caps.and_then(|x| x.get("add")).map_or(&[][..], Node::items) {
        let name = cap.scalar().unwrap_or_default().to_ascii_uppercase();
        let bare = name.trim_start_matches("CAP_");
        if DANGEROUS_CAPS.contains(&bare) {
            push(
                out,
                &r::DANGEROUS_CAPABILITY,
                cap,
                format!("{label} adds capability {name}"),
                key(bare),
            );
        }
    }
    let drops_all = caps
        .and_then(|x| x.get("drop"))
        .map_or(&[][..], Node::items)
        .iter()
        .any(|d| d.scalar().is_some_and(|s| s.eq_ignore_ascii_case("ALL")));
    if !drops_all {
        push(
            out,
            &r::CAPABILITIES_NOT_DROPPED,
            caps.unwrap_or(at),
            format!("{label} does not drop ALL capabilities"),
            key("drop"),
        );
    }
    for p in c.get("ports").map_or(&[][..], Node::items) {
        if let Some(h) = p
            .get("hostPort")
            .filter(|h| h.scalar().is_some_and(|s| s != "0"))
        {
            push(
                out,
                &r::HOST_PORT,
                h,
                format!("{label} binds hostPort {}", h.scalar().unwrap_or_default()),
                key("hostport"),
            );
        }
    }
    seccomp_and_apparmor(csc, psc, meta, cname, label, at, out);
    if let Some(v) = sc("procMount").filter(|v| v.as_str() == Some("Unmasked")) {
        push(
            out,
            &r::PROC_MOUNT_UNMASKED,
            v,
            format!("{label}: procMount is Unmasked"),
            key("procmount"),
        );
    }
    if kind != "ephemeral container" {
        resources(c, label, at, out);
    }
    if let Some(img) = c.get("image") {
        let s = img.as_str().unwrap_or("");
        match ImageRef::parse(s).pin() {
            _ if s.contains('$') || s.is_empty() => {}
            Pin::Digest => {}
            Pin::Tag => push(
                out,
                &r::IMAGE_NO_DIGEST,
                img,
                format!("{label}: image {s} is pinned by tag only"),
                key(s),
            ),
            Pin::Latest | Pin::None => push(
                out,
                &r::IMAGE_UNPINNED,
                img,
                format!("{label}: image {s} has no version tag"),
                key(s),
            ),
        }
    }
    for e in c.get("env").map_or(&[][..], Node::items) {
        let (Some(n), Some(v)) = (e.get("name").and_then(Node::as_str), e.get("value")) else {
            continue;
        };
        let value = v.scalar().unwrap_or_default();
        if secret::is_secret_name(n) && secret::is_literal_value(&value) {
            out.push(DeployFinding::new(
                &r::SECRET_IN_ENV,
                v.line,
                v.column,
                format!(
                    "{label}: env {n} is a literal value ({})",
                    secret::redact(&value)
                ),
                &format!("{n}=<redacted>"),
                key(n),
            ));
        }
    }
}

fn seccomp_and_apparmor(
    csc: Option<&Node>,
    psc: Option<&Node>,
    meta: &Node,
    cname: &str,
    label: &str,
    at: &Node,
    out: &mut Vec<DeployFinding>,
) {
    let key = |s: &str| format!("{label}:{s}");
    let annotations = meta.path(&["metadata", "annotations"]);
    let legacy_seccomp = annotations
        .and_then(|a| a.get("seccomp.security.alpha.kubernetes.io/pod"))
        .and_then(Node::as_str)
        .is_some_and(|v| v != "unconfined");
    let seccomp = effective(csc, psc, "seccompProfile");
    let kind = seccomp.and_then(|s| s.get("type")).and_then(Node::as_str);
    if !(matches!(kind, Some("RuntimeDefault" | "Localhost")) || (kind.is_none() && legacy_seccomp))
    {
        let where_ = seccomp.and_then(|s| s.get("type")).unwrap_or(at);
        let why = if kind == Some("Unconfined") {
            "seccompProfile is Unconfined"
        } else {
            "no seccompProfile (RuntimeDefault or Localhost)"
        };
        push(
            out,
            &r::SECCOMP_UNSET,
            where_,
            format!("{label}: {why}"),
            key("seccomp"),
        );
    }
    let aa = effective(csc, psc, "appArmorProfile").and_then(|p| p.get("type"));
    if let Some(t) = aa.filter(|t| t.as_str() == Some("Unconfined")) {
        push(
            out,
            &r::APPARMOR_UNCONFINED,
            t,
            format!("{label}: appArmorProfile is Unconfined"),
            key("apparmor"),
        );
    }
    let ann = format!("container.apparmor.security.beta.kubernetes.io/{cname}");
    if let Some(v) = annotations
        .and_then(|a| a.get(&ann))
        .filter(|v| v.as_str() == Some("unconfined"))
    {
        push(
            out,
            &r::APPARMOR_UNCONFINED,
            v,
            format!("{label}: AppArmor annotation is unconfined"),
            key("apparmor"),
        );
    }
}

fn resources(c: &Node, label: &str, at: &Node, out: &mut Vec<DeployFinding>) {
    let res = c.get("resources");
    let has = |kind: &str, r: &str| res.and_then(|x| x.path(&[kind, r])).is_some();
    let missing = |kind: &str| -> Vec<&str> {
        ["cpu", "memory"]
            .into_iter()
            .filter(|r| !has(kind, r))
            .collect()
    };
    let req = missing("requests");
    // Kubernetes uses limits as requests when only limits are set.
    let req: Vec<&str> = req.into_iter().filter(|r| !has("limits", r)).collect();
    let where_ = res.unwrap_or(at);
    if !req.is_empty() {
        push(
            out,
            &r::REQUESTS_MISSING,
            where_,
            format!("{label}: no {} request", req.join("/")),
            format!("{label}:requests"),
        );
    }
    let lim = missing("limits");
    if !lim.is_empty() {
        push(
            out,
            &r::LIMITS_MISSING,
            where_,
            format!("{label}: no {} limit", lim.join("/")),
            format!("{label}:limits"),
        );
    }
}
