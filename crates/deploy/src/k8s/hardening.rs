//! The rest of Trivy's KSV workload checks and kube-linter's probes: host
//! aliases, low and root IDs, SELinux options, volume types, privileged
//! ports, Windows HostProcess, probes, namespaces, RBAC escalation verbs and
//! namespaces without LimitRange or ResourceQuota.

use super::workload::push;
use crate::finding::DeployFinding;
use crate::rules::k8s_hardening as r;
use crate::yaml::Node;

/// Volume types of the Pod Security Standards' restricted profile.
const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
/// SELinux types the baseline profile allows.
const SELINUX_TYPES: &[&str] = &["container_t", "container_init_t", "container_kvm_t"];
/// IDs at or below this collide with users of the node.
const MAX_LOW_ID: u64 = 10_000;
const ESCALATION_VERBS: &[&str] = &["impersonate", "escalate", "bind"];

/// Pod-level checks of one pod spec.
pub fn pod(spec: &Node, what: &str, out: &mut Vec<DeployFinding>) {
    if let Some(h) = spec.get("hostAliases").filter(|h| !h.items().is_empty()) {
        push(
            out,
            &r::HOST_ALIASES,
            h,
            format!("{what}: hostAliases rewrite /etc/hosts"),
            format!("{what}:hostAliases"),
        );
    }
    let psc = spec.get("securityContext");
    for g in psc
        .and_then(|p| p.get("supplementalGroups"))
        .map_or(&[][..], Node::items)
    {
        if g.scalar().as_deref() == Some("0") {
            push(
                out,
                &r::ROOT_GROUP,
                g,
                format!("{what}: supplementalGroups includes 0 (root)"),
                format!("{what}:supplementalGroups"),
            );
        }
    }
    if let Some(sc) = psc {
        security_options(sc, what, out);
    }
    for v in spec.get("volumes").map_or(&[][..], Node::items) {
        let name = v.get("name").and_then(Node::as_str).unwrap_or("?");
        let other = v.entries().iter().find_map(|(k, _)| {
            let k = k.as_str()?;
            (k != "name" && k != "hostPath" && !RESTRICTED_VOLUMES.contains(&k)).then_some(k)
        });
        if let Some(kind) = other {
            let at = v.key(kind).unwrap_or(v);
            push(
                out,
                &r::NON_EPHEMERAL_VOLUME,
                at,
                format!("{what}: volume {name} is of type {kind}"),
                format!("{what}:{name}:{kind}"),
            );
        }
    }
}

/// SELinux options and Windows HostProcess of a pod or container securityContext.
fn security_options(sc: &Node, label: &str, out: &mut Vec<DeployFinding>) {
    if let Some(se) = sc.get("seLinuxOptions") {
        let ty = se.get("type").and_then(Node::as_str);
        let custom_type = ty.is_some_and(|t| !SELINUX_TYPES.contains(&t));
        let user_or_role = se.get("user").or_else(|| se.get("role"));
        if custom_type || user_or_role.is_some() {
            let at = user_or_role.or_else(|| se.get("type")).unwrap_or(se);
            push(
                out,
                &r::SELINUX_CUSTOM,
                at,
                format!(
                    "{label}: seLinuxOptions set a custom {}",
                    if custom_type { "type" } else { "user or role" }
                ),
                format!("{label}:selinux"),
            );
        }
    }
    if let Some(v) = sc
        .path(&["windowsOptions", "hostProcess"])
        .filter(|v| v.is_true())
    {
        push(
            out,
            &r::WINDOWS_HOST_PROCESS,
            v,
            format!("{label}: windowsOptions.hostProcess is true"),
            format!("{label}:hostProcess"),
        );
    }
}

/// Container-level checks; `kind` is "container", "init container", ...
pub fn container(
    c: &Node,
    psc: Option<&Node>,
    label: &str,
    kind: &str,
    out: &mut Vec<DeployFinding>,
) {
    let at = c.get("name").unwrap_or(c);
    let csc = c.get("securityContext");
    if let Some(sc) = csc {
        security_options(sc, label, out);
    }
    for field in ["runAsUser", "runAsGroup"] {
        let v = csc
            .and_then(|x| x.get(field))
            .or_else(|| psc.and_then(|p| p.get(field)));
        let id = v.and_then(Node::scalar).and_then(|s| s.parse::<u64>().ok());
        if let (Some(v), Some(id @ 1..=MAX_LOW_ID)) = (v, id) {
            push(
                out,
                &r::LOW_UID,
                v,
                format!("{label}: {field} {id} is {MAX_LOW_ID} or below"),
                format!("{label}:{field}:low"),
            );
        }
    }
    for p in c.get("ports").map_or(&[][..], Node::items) {
        let Some(cp) = p.get("containerPort") else {
            continue;
        };
        if let Some(n) = cp.scalar().and_then(|s| s.parse::<u32>().ok())
            && n < 1024
        {
            push(
                out,
                &r::PRIVILEGED_PORT,
                cp,
                format!("{label} listens on privileged port {n}"),
                format!("{label}:port:{n}"),
            );
        }
    }
    if kind == "container" {
        let missing: Vec<&str> = ["readinessProbe", "livenessProbe"]
            .into_iter()
            .filter(|p| c.get(p).is_none())
            .collect();
        if !missing.is_empty() {
            push(
                out,
                &r::PROBES_MISSING,
                at,
                format!("{label}: no {}", missing.join(" or ")),
                format!("{label}:probes"),
            );
        }
    }
}

/// Namespace placement of a workload document.
pub fn namespace(d: &Node, what: &str, out: &mut Vec<DeployFinding>) {
    let Some(ns) = d.path(&["metadata", "namespace"]) else {
        return;
    };
    let rule = match ns.as_str() {
        Some("kube-system") => &r::SYSTEM_NAMESPACE,
        Some("default") => &r::DEFAULT_NAMESPACE,
        _ => return,
    };
    let name = ns.as_str().unwrap_or_default();
    push(
        out,
        rule,
        ns,
        format!("{what} is deployed into the {name} namespace"),
        format!("{what}:ns"),
    );
}

/// RBAC rules that escalate beyond what they list.
pub fn role_rule(
    verbs: &[String],
    resources: &[String],
    at: &Node,
    what: &str,
    out: &mut Vec<DeployFinding>,
) {
    let verb = |v: &str| verbs.iter().any(|x| x == v);
    let resource = |r: &str| resources.iter().any(|x| x == r);
    let mut how: Vec<String> = ESCALATION_VERBS
        .iter()
        .filter(|v| verb(v))
        .map(|v| (*v).to_string())
        .collect();
    if resource("nodes/proxy") {
        how.push("nodes/proxy".into());
    }
    if resource("serviceaccounts/token") && verb("create") {
        how.push("create serviceaccounts/token".into());
    }
    if !how.is_empty() {
        out.push(DeployFinding::new(
            &r::RBAC_ESCALATION,
            at.line,
            at.column,
            format!("{what} grants {}", how.join(", ")),
            &format!("resources: {resources:?} verbs: {verbs:?}"),
            format!("{what}:escalation"),
        ));
    }
}

/// Namespaces of the stream without a LimitRange or ResourceQuota (one
/// without a namespace of its own counts for every namespace).
pub fn namespaces(
    defined: &[(String, u32, u32)],
    limit_ranges: &[String],
    quotas: &[String],
    out: &mut Vec<DeployFinding>,
) {
    for (ns, line, column) in defined {
        for (have, rule, what) in [
            (limit_ranges, &r::NO_LIMIT_RANGE, "LimitRange"),
            (quotas, &r::NO_RESOURCE_QUOTA, "ResourceQuota"),
        ] {
            if !have.iter().any(|h| h == ns || h.is_empty()) {
                out.push(DeployFinding::new(
                    rule,
                    *line,
                    *column,
                    format!("Namespace {ns} has no {what} in the manifests"),
                    ns,
                    format!("{ns}:{what}"),
                ));
            }
        }
    }
}
