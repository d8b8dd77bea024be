//! TensorFlow SavedModel, frozen GraphDef and Keras `keras_metadata.pb`:
//! every op of the graph and its function library is listed and judged.
//!
//! - ops that are neither standard (`data/tensorflow/ops.txt`) nor functions
//!   of the graph's own library are custom ops (AIG170);
//! - ops that touch files (AIG171) or call back into Python (AIG172) are
//!   reported with the node that runs them;
//! - `keras_metadata.pb` holds each Keras layer's config as JSON: it is
//!   judged like a `.keras` config (Lambda bytecode, external modules).
//!
//! One finding per (rule, op), with the first node as evidence and the number
//! of nodes, so a graph of ten thousand ReadFile nodes is one finding.

use super::{ModelScanner, inconclusive, keras};
use crate::rules::models::{tf_custom_op, tf_file_op, tf_python_op};
use aigis_findings::{Finding, Location, Rule};
use aigis_formats::tf::{self, Inventory, OpUse, TfKind};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

static STANDARD_OPS_TEXT: &str = include_str!("../../../data/tensorflow/ops.txt");

/// Ops that read, write, list or delete files (or stream to a path/URL).
const FILE_OPS: &[&str] = &[
    "ReadFile",
    "WriteFile",
    "MatchingFiles",
    "DeleteFile",
    "RecursiveCreateDir",
    "ImmutableConst",
    "WholeFileReader",
    "WholeFileReaderV2",
    "TextLineReader",
    "TextLineReaderV2",
    "FixedLengthRecordReader",
    "FixedLengthRecordReaderV2",
    "TFRecordReader",
    "TFRecordReaderV2",
    "LMDBReader",
    "TextLineDataset",
    "TFRecordDataset",
    "TFRecordDatasetV2",
    "FixedLengthRecordDataset",
    "FixedLengthRecordDatasetV2",
    "SaveDataset",
    "SaveDatasetV2",
    "LoadDataset",
    "InitializeTableFromTextFile",
    "InitializeTableFromTextFileV2",
    "LoadAndRemapMatrix",
    "CreateSummaryFileWriter",
    "WriteFile",
    "DebugIdentity",
    "DebugIdentityV2",
    "DebugIdentityV3",
    "DebugNanCount",
    "DebugNumericSummary",
    "DebugNumericSummaryV2",
    "PrintV2",
];

/// Checkpoint ops whose first input is the path they write or read.
const CHECKPOINT_OPS: &[&str] = &[
    "SaveV2",
    "RestoreV2",
    "Save",
    "Restore",
    "SaveSlices",
    "RestoreSlice",
    "MergeV2Checkpoints",
];

/// Ops that pass their first input through unchanged.
const PASS_THROUGH: &[&str] = &[
    "Identity",
    "Snapshot",
    "StopGradient",
    "PlaceholderWithDefault",
];

/// Links followed from a checkpoint op back to a constant.
const MAX_PATH_HOPS: usize = 8;

/// Ops that call a Python function registered in the loading process.
const PYTHON_OPS: &[&str] = &["PyFunc", "PyFuncStateless", "EagerPyFunc"];

/// Internal ops that graphs carry but the Python wrappers do not list.
const INTERNAL_OPS: &[&str] = &[
    "_Arg",
    "_Retval",
    "_DeviceArg",
    "_DeviceRetval",
    "_Send",
    "_Recv",
    "_HostSend",
    "_HostRecv",
    "_ArrayToList",
    "_ListToArray",
    "_FusedConv2D",
    "_FusedMatMul",
    "_FusedBatchNormEx",
    "_ParallelConcatStart",
    "_ParallelConcatUpdate",
    "_If",
    "_While",
    "_XlaCompile",
    "_XlaRun",
    "_XlaMerge",
];

fn standard_ops() -> &'static HashSet<&'static str> {
    static OPS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    OPS.get_or_init(|| {
        STANDARD_OPS_TEXT
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .chain(INTERNAL_OPS.iter().copied())
            .collect()
    })
}

/// What an op name is to aigis (shared with TFLite's Flex ops).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpClass {
    /// Calls a Python function of the loading process.
    Python,
    /// Reads, writes or lists files.
    File,
    /// In TensorFlow's own op set.
    Standard,
    /// Not a TensorFlow op: a custom op (or a function of the graph).
    Unknown,
}

/// Classify a TensorFlow op name.
pub(crate) fn classify(op: &str) -> OpClass {
    if PYTHON_OPS.contains(&op) {
        OpClass::Python
    } else if FILE_OPS.contains(&op) {
        OpClass::File
    } else if standard_ops().contains(op) {
        OpClass::Standard
    } else {
        OpClass::Unknown
    }
}

/// Scan a TensorFlow protobuf of `kind`; returns its format name.
pub fn scan(
    s: &ModelScanner<'_>,
    kind: TfKind,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> &'static str {
    match kind {
        TfKind::SavedModel => {
            match tf::decode_saved_model(data) {
                Ok(m) => {
                    let mut inv = Inventory::default();
                    for mg in &m.meta_graphs {
                        if let Some(g) = &mg.graph_def {
                            inv.add_graph(g);
                        }
                    }
                    judge(s, &inv, loc, out);
                }
                Err(e) => out.push(inconclusive(
                    loc,
                    &format!("SavedModel cannot be decoded: {e}"),
                )),
            }
            "tf-savedmodel"
        }
        TfKind::GraphDef => {
            match tf::decode_graph(data) {
                Ok(g) => {
                    let mut inv = Inventory::default();
                    inv.add_graph(&g);
                    judge(s, &inv, loc, out);
                }
                Err(e) => out.push(inconclusive(
                    loc,
                    &format!("GraphDef cannot be decoded: {e}"),
                )),
            }
            "tf-graphdef"
        }
        TfKind::KerasMetadata => {
            match tf::decode_keras_metadata(data) {
                Ok(meta) => {
                    for node in &meta.nodes {
                        if node.metadata.is_empty() {
                            continue;
                        }
                        let nloc = loc.member(format!("<{}>", node.node_path));
                        match serde_json::from_str::<serde_json::Value>(&node.metadata) {
                            Ok(v) => keras::scan_config(s, &v, &nloc, depth, out),
                            Err(e) => out.push(inconclusive(
                                &nloc,
                                &format!("Keras metadata is not valid JSON: {e}"),
                            )),
                        }
                    }
                }
                Err(e) => out.push(inconclusive(
                    loc,
                    &format!("keras_metadata.pb cannot be decoded: {e}"),
                )),
            }
            "keras-metadata"
        }
    }
}

fn where_(u: &OpUse) -> String {
    let mut w = format!("node '{}' runs op '{}'", u.node, u.op);
    if let Some(f) = &u.function {
        w.push_str(&format!(" in function '{f}'"));
    }
    if !u.strings.is_empty() {
        let attrs: Vec<String> = u
            .strings
            .iter()
            .take(4)
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        w.push_str(&format!(" ({})", attrs.join(", ")));
    }
    w
}

fn judge(s: &ModelScanner<'_>, inv: &Inventory, loc: &Location, out: &mut Vec<Finding>) {
    // (rule id, op) -> (rule, first use, count)
    let mut hits: BTreeMap<(&str, &str), (&'static Rule, &OpUse, usize)> = BTreeMap::new();
    for u in &inv.uses {
        let rule: &'static Rule = match classify(&u.op) {
            OpClass::Python => &tf_python_op::RULE,
            OpClass::File => &tf_file_op::RULE,
            OpClass::Unknown if !inv.functions.contains(&u.op) => &tf_custom_op::RULE,
            OpClass::Standard | OpClass::Unknown => continue,
        };
        hits.entry((rule.id, u.op.as_str()))
            .and_modify(|h| h.2 += 1)
            .or_insert((rule, u, 1));
    }
    checkpoint_paths(inv, loc, out);
    s.record_with(|ins| {
        let mut ops: BTreeMap<String, usize> = BTreeMap::new();
        for u in &inv.uses {
            *ops.entry(u.op.clone()).or_default() += 1;
        }
        ins.tf_ops.extend(ops);
    });
    for ((_, op), (rule, first, count)) in hits {
        let more = if count > 1 {
            format!(" (and {} more nodes)", count - 1)
        } else {
            String::new()
        };
        let msg = match rule.id {
            id if id == tf_python_op::RULE.id => {
                format!("the graph calls back into Python through {op}{more}")
            }
            id if id == tf_file_op::RULE.id => {
                format!("the graph accesses files through {op}{more}")
            }
            _ => format!("the graph runs the custom op {op}{more}"),
        };
        out.push(Finding::new(rule, loc.clone(), msg, op).with_evidence(where_(first)));
    }
    if inv.dropped > 0 {
        out.push(inconclusive(
            loc,
            &format!(
                "graph has more nodes than the op-listing limit ({} not judged)",
                inv.dropped
            ),
        ));
    }
}

/// Checkpoint ops (SaveV2, RestoreV2, ...) whose path is a constant of the
/// graph that leaves the checkpoint directory: absolute, `..`, `~` or a URL.
/// Savers take the path from a placeholder the loader feeds; a path fixed in
/// the graph is where the graph, not the user, chose to write or read.
fn checkpoint_paths(inv: &Inventory, loc: &Location, out: &mut Vec<Finding>) {
    let by_name: HashMap<(Option<&str>, &str), &OpUse> = inv
        .uses
        .iter()
        .map(|u| ((u.function.as_deref(), u.node.as_str()), u))
        .collect();
    // The literal a node's output carries, through pass-through ops and StringJoin.
    let literal = |start: &OpUse| -> Option<String> {
        let mut u = start;
        for _ in 0..MAX_PATH_HOPS {
            match u.op.as_str() {
                "Const" => return const_value(u),
                "StringJoin" => {
                    let sep = u
                        .strings
                        .iter()
                        .find(|(k, _)| k == "separator")
                        .map_or("", |(_, v)| v.as_str());
                    let mut parts = Vec::new();
                    for i in u.inputs.iter().filter(|i| !i.starts_with('^')) {
                        let p = by_name.get(&(u.function.as_deref(), node_of(i)))?;
                        if p.op != "Const" {
                            return None;
                        }
                        parts.push(const_value(p)?);
                    }
                    return Some(parts.join(sep));
                }
                op if PASS_THROUGH.contains(&op) => {
                    let first = u.inputs.first()?;
                    u = by_name.get(&(u.function.as_deref(), node_of(first)))?;
                }
                _ => return None,
            }
        }
        None
    };
    for u in inv
        .uses
        .iter()
        .filter(|u| CHECKPOINT_OPS.contains(&u.op.as_str()))
    {
        // MergeV2Checkpoints writes to its second input.
        let which = usize::from(u.op == "MergeV2Checkpoints");
        let Some(input) = u.inputs.get(which) else {
            continue;
        };
        let Some(source) = by_name.get(&(u.function.as_deref(), node_of(input))) else {
            continue;
        };
        let Some(path) = literal(source) else {
            continue;
        };
        if let Some(why) = escaping_path(&path) {
            out.push(
                Finding::new(
                    &tf_file_op::RULE,
                    loc.clone(),
                    format!(
                        "the graph's {} node '{}' uses a checkpoint path fixed in the graph that {why}: {path:?}",
                        u.op, u.node
                    ),
                    &format!("{}\0{path}", u.op),
                )
                .with_evidence(where_(u)),
            );
        }
    }
}

/// A string constant's (first) value.
fn const_value(u: &OpUse) -> Option<String> {
    u.strings
        .iter()
        .find(|(k, _)| k == "value")
        .map(|(_, v)| v.clone())
}

/// The node an input names (`node:1` and `^node` name `node`).
fn node_of(input: &str) -> &str {
    let name = input.trim_start_matches('^');
    name.split(':').next().unwrap_or(name)
}

/// Why a checkpoint path leaves the model's directory, if it does.
fn escaping_path(path: &str) -> Option<&'static str> {
    let p = path.trim();
    if p.contains("://") {
        return Some("is a URL");
    }
    if p.starts_with('/') || p.starts_with('\\') {
        return Some("is absolute");
    }
    if p.len() >= 2 && p.as_bytes().get(1) == Some(&b':') {
        return Some("is absolute");
    }
    if p.starts_with('~') {
        return Some("is in a home directory");
    }
    if p.split(['/', '\\']).any(|c| c == "..") {
        return Some("climbs out with '..'");
    }
    None
}

#[cfg(test)]
mod tests;
