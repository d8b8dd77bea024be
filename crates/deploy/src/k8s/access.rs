//! Exposure and access: Services reachable from outside the cluster,
//! Ingresses without TLS, and RBAC roles and bindings that grant too much.

use crate::finding::DeployFinding;
use crate::rules::k8s as r;
use crate::yaml::Node;

fn at_kind(d: &Node) -> &Node {
    d.key("kind").unwrap_or(d)
}

pub fn service(d: &Node, what: &str, out: &mut Vec<DeployFinding>) {
    let Some(spec) = d.get("spec") else { return };
    let ty = spec
        .get("type")
        .and_then(Node::as_str)
        .unwrap_or("ClusterIP");
    if !matches!(ty, "NodePort" | "LoadBalancer") {
        return;
    }
    for p in spec.get("ports").map_or(&[][..], Node::items) {
        let port = p.get("port").and_then(Node::scalar).unwrap_or_default();
        if port == "443" {
            continue;
        }
        let at = p.get("port").unwrap_or(p);
        out.push(DeployFinding::new(
            &r::SERVICE_EXPOSED,
            at.line,
            at.column,
            format!("{what}: {ty} Service exposes port {port} outside the cluster"),
            &format!("type: {ty}, port: {port}"),
            format!("{what}:{port}"),
        ));
    }
}

pub fn ingress(d: &Node, what: &str, out: &mut Vec<DeployFinding>) {
    let spec = d.get("spec");
    let tls = spec.and_then(|s| s.get("tls")).map_or(&[][..], Node::items);
    if tls.is_empty() {
        let at = at_kind(d);
        out.push(DeployFinding::new(
            &r::INGRESS_NO_TLS,
            at.line,
            at.column,
            format!("{what} has no tls section: traffic is served over plain HTTP"),
            "kind: Ingress",
            format!("{what}:tls"),
        ));
        return;
    }
    let covered: Vec<&str> = tls
        .iter()
        .flat_map(|t| t.get("hosts").map_or(&[][..], Node::items))
        .filter_map(Node::as_str)
        .collect();
    for rule in spec
        .and_then(|s| s.get("rules"))
        .map_or(&[][..], Node::items)
    {
        let Some(h) = rule.get("host") else { continue };
        let host = h.as_str().unwrap_or("");
        let ok = covered.iter().any(|c| {
            *c == host
                || c.strip_prefix("*.")
                    .is_some_and(|dom| host.split_once('.').is_some_and(|(_, rest)| rest == dom))
        });
        if !ok {
            out.push(DeployFinding::new(
                &r::INGRESS_NO_TLS,
                h.line,
                h.column,
                format!("{what}: host {host} is not covered by any tls entry"),
                host,
                format!("{what}:{host}"),
            ));
        }
    }
}

fn words(n: Option<&Node>) -> Vec<String> {
    n.map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_ascii_lowercase)
        .collect()
}

pub fn role(d: &Node, what: &str, out: &mut Vec<DeployFinding>) {
    for rule in d.get("rules").map_or(&[][..], Node::items) {
        let verbs = words(rule.get("verbs"));
        let resources = words(rule.get("resources"));
        let at = rule
            .get("resources")
            .or_else(|| rule.get("verbs"))
            .unwrap_or(rule);
        super::hardening::role_rule(&verbs, &resources, at, what, out);
        let has_v = |v: &[&str]| verbs.iter().any(|x| x == "*" || v.contains(&x.as_str()));
        if verbs.iter().any(|v| v == "*") || resources.iter().any(|x| x == "*") {
            out.push(DeployFinding::new(
                &r::RBAC_WILDCARD,
                at.line,
                at.column,
                format!(
                    "{what} grants verbs [{}] on resources [{}]",
                    verbs.join(", "),
                    resources.join(", ")
                ),
                &format!("resources: {resources:?} verbs: {verbs:?}"),
                format!("{what}:{resources:?}:{verbs:?}"),
            ));
        }
        if resources.iter().any(|x| x == "secrets") && has_v(&["get", "list", "watch"]) {
            out.push(DeployFinding::new(
                &r::RBAC_SECRETS,
                at.line,
                at.column,
                format!("{what} can read Secrets ({})", verbs.join(", ")),
                &format!("resources: {resources:?} verbs: {verbs:?}"),
                format!("{what}:secrets"),
            ));
        }
        let pods_create = resources.iter().any(|x| x == "pods") && has_v(&["create"]);
        let exec = resources
            .iter()
            .any(|x| x == "pods/exec" || x == "pods/attach")
            && has_v(&["create", "get"]);
        if pods_create || exec {
            out.push(DeployFinding::new(
                &r::RBAC_POD_EXEC,
                at.line,
                at.column,
                format!(
                    "{what} can {}",
                    if exec {
                        "exec into pods"
                    } else {
                        "create pods"
                    }
                ),
                &format!("resources: {resources:?} verbs: {verbs:?}"),
                format!("{what}:pods"),
            ));
        }
    }
}

pub fn binding(d: &Node, what: &str, out: &mut Vec<DeployFinding>) {
    let Some(name) = d.path(&["roleRef", "name"]) else {
        return;
    };
    if name.as_str() == Some("cluster-admin") {
        out.push(DeployFinding::new(
            &r::CLUSTER_ADMIN_BINDING,
            name.line,
            name.column,
            format!("{what} grants cluster-admin"),
            "roleRef: cluster-admin",
            format!("{what}:cluster-admin"),
        ));
    }
}
