//! Kubernetes manifests: every document of a stream (Helm and Kustomize
//! output, `kind: List`) dispatched by kind. Workloads (and KServe
//! InferenceService predictors) go to `workload`, Services, Ingresses and
//! RBAC to `access`; NetworkPolicies are collected so that model servers in
//! a namespace without one can be reported once the stream is read.

mod access;
mod hardening;
mod workload;

use crate::finding::DeployFinding;
use crate::rules::k8s as r;
use crate::yaml::{self, Node};

/// Nesting of `kind: List` items followed.
const MAX_LIST_DEPTH: usize = 4;

/// What the whole stream tells about namespaces.
#[derive(Default)]
pub(crate) struct Stream {
    /// Namespaces with a NetworkPolicy (`""`: no namespace given).
    policies: Vec<String>,
    /// Model servers: namespace, where, description.
    servers: Vec<(String, u32, u32, String)>,
    /// Namespaces defined by the stream, and where.
    namespaces: Vec<(String, u32, u32)>,
    /// Namespaces of the LimitRanges and ResourceQuotas (`""`: none given).
    limit_ranges: Vec<String>,
    quotas: Vec<String>,
}

pub fn analyze(text: &str) -> Vec<DeployFinding> {
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => return vec![crate::compose::inconclusive(&e)],
    };
    let mut out = Vec::new();
    let mut stream = Stream::default();
    for d in &docs {
        document(d, &mut stream, &mut out, 0);
    }
    for (ns, line, column, what) in &stream.servers {
        if !stream.policies.iter().any(|p| p == ns) {
            let shown = if ns.is_empty() {
                "its namespace"
            } else {
                ns.as_str()
            };
            out.push(DeployFinding::new(
                &r::NO_NETWORK_POLICY,
                *line,
                *column,
                format!(
                    "{what} serves a model but no NetworkPolicy for {shown} is in the manifests"
                ),
                what,
                format!("{ns}:{what}"),
            ));
        }
    }
    hardening::namespaces(
        &stream.namespaces,
        &stream.limit_ranges,
        &stream.quotas,
        &mut out,
    );
    out
}

fn document(d: &Node, stream: &mut Stream, out: &mut Vec<DeployFinding>, depth: usize) {
    let (Some(kind), Some(_)) = (d.get("kind").and_then(Node::as_str), d.get("apiVersion")) else {
        return;
    };
    let name = d
        .path(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or("?");
    let ns = d
        .path(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let what = format!("{kind} {name}");
    let spec = d.get("spec");
    if matches!(
        kind,
        "Pod"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "ReplicationController"
            | "CronJob"
            | "InferenceService"
    ) {
        hardening::namespace(d, &what, out);
    }
    match kind {
        "List" if depth < MAX_LIST_DEPTH => {
            for item in d.get("items").map_or(&[][..], Node::items) {
                document(item, stream, out, depth + 1);
            }
        }
        "Pod" => pod(spec, d, &what, &ns, stream, out),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => {
            let tpl = spec.and_then(|s| s.get("template"));
            pod(
                tpl.and_then(|t| t.get("spec")),
                tpl.unwrap_or(d),
                &what,
                &ns,
                stream,
                out,
            );
        }
        "CronJob" => {
            let tpl = spec.and_then(|s| s.path(&["jobTemplate", "spec", "template"]));
            pod(
                tpl.and_then(|t| t.get("spec")),
                tpl.unwrap_or(d),
                &what,
                &ns,
                stream,
                out,
            );
        }
        "InferenceService" => {
            for part in ["predictor", "transformer", "explainer"] {
                if let Some(p) = spec.and_then(|s| s.get(part)) {
                    let w = format!("{what} {part}");
                    workload::check_pod(p, d, &w, true, out);
                }
            }
            let at = d.key("kind").unwrap_or(d);
            stream.servers.push((ns, at.line, at.column, what));
        }
        "ServingRuntime" | "ClusterServingRuntime" => {
            if let Some(s) = spec {
                workload::check_pod(s, d, &what, false, out);
            }
        }
        "NetworkPolicy" => stream.policies.push(ns),
        "Namespace" => {
            let at = d.path(&["metadata", "name"]).unwrap_or(d);
            stream
                .namespaces
                .push((name.to_string(), at.line, at.column));
        }
        "LimitRange" => stream.limit_ranges.push(ns),
        "ResourceQuota" => stream.quotas.push(ns),
        "Service" => access::service(d, &what, out),
        "Ingress" => access::ingress(d, &what, out),
        "Role" | "ClusterRole" => access::role(d, &what, out),
        "RoleBinding" | "ClusterRoleBinding" => access::binding(d, &what, out),
        _ => {}
    }
}

/// A pod spec with `meta` holding its metadata (annotations for AppArmor).
fn pod(
    spec: Option<&Node>,
    meta: &Node,
    what: &str,
    ns: &str,
    stream: &mut Stream,
    out: &mut Vec<DeployFinding>,
) {
    let Some(spec) = spec else { return };
    workload::check_pod(spec, meta, what, false, out);
    if workload::serves_model(spec) {
        stream
            .servers
            .push((ns.to_string(), spec.line, spec.column, what.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(&'static str, u32)> {
        crate::finding::finish(analyze(text))
            .iter()
            .map(|f| (f.rule.id, f.line))
            .collect()
    }

    #[test]
    fn lists_are_followed_and_policies_count_only_in_their_namespace() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: a}\n  spec:\n    hostPID: true\n    containers: [{name: c, image: \"ollama/ollama:0.3.12\"}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: b}\n";
        let got = ids(text);
        assert!(got.contains(&("AIG478", 8)), "{got:?}");
        assert!(got.iter().any(|(id, _)| *id == "AIG520"), "{got:?}");
    }

    #[test]
    fn a_broken_document_makes_the_stream_inconclusive() {
        let got = ids("apiVersion: v1\nkind: Pod\n---\nkind: [\n");
        assert_eq!(got.first().map(|x| x.0), Some("AIG400"));
    }
}
