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
use std::collections::{BTreeMap, HashSet};
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
    let standard = standard_ops();
    // (rule id, op) -> (rule, first use, count)
    let mut hits: BTreeMap<(&str, &str), (&'static Rule, &OpUse, usize)> = BTreeMap::new();
    for u in &inv.uses {
        let rule: &'static Rule = if PYTHON_OPS.contains(&u.op.as_str()) {
            &tf_python_op::RULE
        } else if FILE_OPS.contains(&u.op.as_str()) {
            &tf_file_op::RULE
        } else if !standard.contains(u.op.as_str()) && !inv.functions.contains(&u.op) {
            &tf_custom_op::RULE
        } else {
            continue;
        };
        hits.entry((rule.id, u.op.as_str()))
            .and_modify(|h| h.2 += 1)
            .or_insert((rule, u, 1));
    }
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

#[cfg(test)]
mod tests;
