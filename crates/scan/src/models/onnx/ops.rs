//! Operators: which domain a node is in, whether ONNX defines its operator,
//! whether it runs Python, and the findings for the ones that need code from
//! outside the model. One finding per (domain, operator), not per node.

use super::walk::{NodeRef, Walk, node_label};
use crate::models::ModelScanner;
use crate::policy::Judgement;
use crate::rules::models::{
    onnx_custom_operator_domain, onnx_python_operator, onnx_python_operator_dangerous_call,
    onnx_unknown_standard_operator,
};
use aigis_findings::{Finding, Location};
use aigis_formats::onnx::{NodeProto, attribute_type, text};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

/// ONNX's operator set, every version (see `data/onnx/regenerate.py`).
static STANDARD_OPS: &str = include_str!("../../../data/onnx/standard_ops.txt");

/// Domains whose operators ONNX defines (checked against `STANDARD_OPS`).
const STANDARD_DOMAINS: &[&str] = &[
    "ai.onnx",
    "ai.onnx.ml",
    "ai.onnx.training",
    "ai.onnx.preview",
    "ai.onnx.preview.training",
];

/// Contrib domains of onnxruntime and the PyTorch exporter: known, not
/// checked operator by operator (the lists move with every release).
const RUNTIME_DOMAINS: &[(&str, &str)] = &[
    ("com.microsoft", "onnxruntime contrib operators"),
    ("com.microsoft.nchwc", "onnxruntime NCHWc layout operators"),
    ("com.microsoft.mlfeaturizers", "onnxruntime ML featurizers"),
    (
        "org.pytorch.aten",
        "PyTorch ATen fallback (onnxruntime ATen kernel)",
    ),
];

/// onnxruntime-extensions: native operators, or Python functions registered
/// with `@onnx_op`.
const EXTENSIONS_DOMAIN: &str = "ai.onnx.contrib";

/// Nodes named in a finding's evidence.
const EXAMPLE_NODES: usize = 3;

/// How an operator is classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum OpStatus {
    Standard,
    Runtime,
    Function,
    UnknownStandard,
    Custom,
    Python,
}

impl OpStatus {
    pub(super) fn describe(self) -> &'static str {
        match self {
            OpStatus::Standard => "standard",
            OpStatus::Runtime => "runtime contrib",
            OpStatus::Function => "model-local function",
            OpStatus::UnknownStandard => "not an ONNX operator",
            OpStatus::Custom => "custom domain",
            OpStatus::Python => "python",
        }
    }
}

/// The default domain is spelled `""` or `ai.onnx`.
pub(super) fn canonical_domain(d: &str) -> &str {
    if d.is_empty() { "ai.onnx" } else { d }
}

/// What a domain is, for `model inspect`.
pub(super) fn domain_note(d: &str) -> &'static str {
    let d = canonical_domain(d);
    if STANDARD_DOMAINS.contains(&d) {
        "onnx standard"
    } else if let Some((_, note)) = RUNTIME_DOMAINS.iter().find(|(n, _)| *n == d) {
        note
    } else if d == EXTENSIONS_DOMAIN {
        "onnxruntime-extensions (custom, may be Python)"
    } else {
        "custom"
    }
}

fn standard_ops() -> &'static HashSet<(&'static str, &'static str)> {
    static SET: OnceLock<HashSet<(&'static str, &'static str)>> = OnceLock::new();
    SET.get_or_init(|| {
        STANDARD_OPS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
            .collect()
    })
}

/// The Python callable a node runs, if it is a Python operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PythonOp {
    pub module: String,
    pub name: String,
}

fn string_attr(node: &NodeProto, name: &str) -> Option<String> {
    node.attribute
        .iter()
        .find(|a| {
            a.name == name.as_bytes() && (a.r#type == attribute_type::STRING || !a.s.is_empty())
        })
        .map(|a| text(&a.s).into_owned())
}

/// onnxruntime's `PyOp` (attributes `module`, `class_name`, `compute`) and
/// training `PythonOp` (attribute `func_name`).
pub(super) fn python_op(node: &NodeProto) -> Option<PythonOp> {
    let op = text(&node.op_type);
    let module = string_attr(node, "module");
    let class = string_attr(node, "class_name");
    if op == "PyOp" || (module.is_some() && class.is_some()) {
        return Some(PythonOp {
            module: module.unwrap_or_default(),
            name: class.unwrap_or_default(),
        });
    }
    let runtime = canonical_domain(&text(&node.domain)) == "com.microsoft";
    if runtime && (op == "PythonOp" || op == "PythonOpGrad") {
        let func = string_attr(node, "func_name").unwrap_or_default();
        let (module, name) = func.rsplit_once('.').unwrap_or(("", func.as_str()));
        return Some(PythonOp {
            module: module.to_string(),
            name: name.to_string(),
        });
    }
    None
}

/// `domain:op` with the default domain spelled `ai.onnx`.
pub(super) fn qualified(domain: &str, op: &str) -> String {
    format!("{}:{op}", canonical_domain(domain))
}

/// Classify one node; `functions` are the model's own, as `domain:name`.
/// Allocates nothing for valid UTF-8 names (this runs once per node).
pub(super) fn status(node: &NodeProto, functions: &HashSet<String>) -> OpStatus {
    if python_op(node).is_some() {
        return OpStatus::Python;
    }
    let domain = text(&node.domain);
    let domain = canonical_domain(&domain);
    let op = text(&node.op_type);
    if !functions.is_empty() && functions.contains(&qualified(domain, &op)) {
        OpStatus::Function
    } else if STANDARD_DOMAINS.contains(&domain) {
        if standard_ops().contains(&(domain, op.as_ref())) {
            OpStatus::Standard
        } else {
            OpStatus::UnknownStandard
        }
    } else if RUNTIME_DOMAINS.iter().any(|(d, _)| *d == domain) {
        OpStatus::Runtime
    } else {
        OpStatus::Custom
    }
}

/// Findings for the operators of `walk`.
pub(super) fn findings(
    s: &ModelScanner<'_>,
    walk: &Walk<'_>,
    loc: &Location,
    out: &mut Vec<Finding>,
) {
    // (domain, op) -> nodes, for the classes that need a finding.
    type Key<'a> = (Cow<'a, str>, Cow<'a, str>);
    let mut flagged: BTreeMap<Key<'_>, Vec<&NodeRef<'_>>> = BTreeMap::new();
    for n in &walk.nodes {
        match n.status {
            OpStatus::Custom | OpStatus::UnknownStandard => {
                let domain = match text(&n.node.domain) {
                    Cow::Borrowed(d) => Cow::Borrowed(canonical_domain(d)),
                    Cow::Owned(d) => Cow::Owned(canonical_domain(&d).to_string()),
                };
                let key = (domain, text(&n.node.op_type));
                flagged.entry(key).or_default().push(n);
            }
            OpStatus::Python => python_finding(s, walk, n, loc, out),
            _ => {}
        }
    }
    for ((domain, op), nodes) in flagged {
        let examples = example_nodes(walk, &nodes);
        let count = plural(nodes.len(), "node");
        let key = format!("{domain}:{op}");
        let f = if nodes
            .first()
            .is_some_and(|n| n.status == OpStatus::UnknownStandard)
        {
            Finding::new(
                &onnx_unknown_standard_operator::RULE,
                loc.clone(),
                format!(
                    "operator '{op}' is not a standard operator of domain '{domain}' ({count}); only a custom-op library can run it"
                ),
                &key,
            )
        } else {
            let hint = if domain == EXTENSIONS_DOMAIN {
                " (onnxruntime-extensions: a native operator, or a Python function registered with @onnx_op)"
            } else {
                ""
            };
            Finding::new(
                &onnx_custom_operator_domain::RULE,
                loc.clone(),
                format!(
                    "operator '{op}' in custom domain '{domain}' ({count}){hint}: running it needs a custom-op library"
                ),
                &key,
            )
        };
        out.push(f.with_evidence(examples));
    }
}

fn python_finding(
    s: &ModelScanner<'_>,
    walk: &Walk<'_>,
    n: &NodeRef<'_>,
    loc: &Location,
    out: &mut Vec<Finding>,
) {
    let Some(py) = python_op(n.node) else {
        return;
    };
    let op = text(&n.node.op_type);
    let node = node_label(n.node);
    let target = if py.module.is_empty() {
        py.name.clone()
    } else {
        format!("{}.{}", py.module, py.name)
    };
    let graph = walk.graph_name(n.graph);
    let evidence = format!(
        "{node} in {graph}: module={:?} class_name={:?}",
        py.module, py.name
    );
    let denied = !py.module.is_empty()
        && matches!(
            s.policy.judge(&py.module, &py.name, false),
            Judgement::Denied { .. }
        );
    let f = if denied {
        Finding::new(
            &onnx_python_operator_dangerous_call::RULE,
            loc.clone(),
            format!("{op}: {node} calls {target}, a known code-execution function"),
            &target,
        )
    } else {
        Finding::new(
            &onnx_python_operator::RULE,
            loc.clone(),
            format!("{op}: {node} imports and runs Python: {target}"),
            &format!("{op}:{target}"),
        )
    };
    out.push(f.with_evidence(evidence));
}

fn example_nodes(walk: &Walk<'_>, nodes: &[&NodeRef<'_>]) -> String {
    let mut names: Vec<String> = nodes
        .iter()
        .take(EXAMPLE_NODES)
        .map(|n| format!("{} in {}", node_label(n.node), walk.graph_name(n.graph)))
        .collect();
    if nodes.len() > EXAMPLE_NODES {
        names.push(format!("and {} more", nodes.len() - EXAMPLE_NODES));
    }
    format!("nodes: {}", names.join(", "))
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_list_has_both_default_and_ml_domains() {
        let ops = standard_ops();
        assert!(ops.contains(&("ai.onnx", "Conv")));
        assert!(ops.contains(&("ai.onnx", "ImageScaler")));
        assert!(ops.contains(&("ai.onnx.ml", "TreeEnsembleClassifier")));
        assert!(!ops.contains(&("ai.onnx", "PyOp")));
        assert!(ops.len() > 200);
    }

    #[test]
    fn domains_are_classified() {
        assert_eq!(domain_note(""), "onnx standard");
        assert_eq!(
            domain_note("com.microsoft"),
            "onnxruntime contrib operators"
        );
        assert_eq!(domain_note("evil.ops"), "custom");
    }
}
