//! ONNX models: decoded by `aigis_formats::onnx` (graph only, never the
//! weights), walked once, and judged — operators from custom domains or not
//! in ONNX's set, Python operators, external data that leaves the model's
//! directory or is missing, and payloads in metadata and doc strings.
//!
//! A model that does not decode completely is inconclusive with the reason;
//! nothing here loads a runtime or reads tensor data.

mod external;
mod ops;
mod payload;
#[cfg(test)]
mod tests;
mod walk;

use super::inspect::{DomainInfo, OnnxInfo, OpCount, OpsetInfo, TextEntry};
use super::{ModelScanner, inconclusive};
use aigis_findings::{Finding, Location};
use aigis_formats::onnx::{self, Counts, ModelProto, declared_bytes, is_external, text};
use std::collections::BTreeMap;
use walk::{MAX_GRAPH_DEPTH, Walk};

/// Characters of a metadata value or doc string that `model inspect` shows.
const MAX_SHOWN_TEXT: usize = 200;

/// Scan an ONNX model held in `data`; returns the format name.
pub(super) fn scan(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> &'static str {
    let decoded = match onnx::decode(data) {
        Ok(d) => d,
        Err(e) => {
            out.push(inconclusive(
                loc,
                &format!("ONNX model cannot be decoded: {e}"),
            ));
            return "onnx";
        }
    };
    let walk = Walk::model(&decoded.model);
    if walk.too_deep {
        out.push(inconclusive(
            loc,
            &format!("ONNX subgraphs nested deeper than {MAX_GRAPH_DEPTH} levels were not checked"),
        ));
    }
    ops::findings(s, &walk, loc, out);
    let external = external::check(&walk, loc, out);
    payload::findings(s, &walk, loc, depth, out);
    if let Some(m) = &s.record
        && let Ok(mut ins) = m.lock()
    {
        let mut info = info(&decoded.model, &walk, &decoded.counts, loc);
        info.external_data = external;
        ins.onnx.push(info);
    }
    "onnx"
}

fn info(m: &ModelProto, walk: &Walk<'_>, counts: &Counts, loc: &Location) -> OnnxInfo {
    let mut histogram: BTreeMap<(String, String), (usize, ops::OpStatus)> = BTreeMap::new();
    let mut domains: BTreeMap<String, usize> = BTreeMap::new();
    for n in &walk.nodes {
        let domain = ops::canonical_domain(&text(&n.node.domain)).to_string();
        *domains.entry(domain.clone()).or_default() += 1;
        let e = histogram
            .entry((domain, text(&n.node.op_type).into_owned()))
            .or_insert((0, n.status));
        e.0 += 1;
    }
    let mut op_counts: Vec<OpCount> = histogram
        .into_iter()
        .map(|((domain, op_type), (count, status))| OpCount {
            domain,
            op_type,
            count,
            status: status.describe(),
        })
        .collect();
    op_counts.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.op_type.cmp(&b.op_type))
    });
    let initializers: Vec<_> = walk.tensors.iter().filter(|t| t.initializer).collect();
    OnnxInfo {
        location: loc.display(),
        ir_version: m.ir_version,
        producer: format!("{} {}", text(&m.producer_name), text(&m.producer_version))
            .trim()
            .to_string(),
        model_version: m.model_version,
        opsets: m
            .opset_import
            .iter()
            .map(|o| OpsetInfo {
                domain: ops::canonical_domain(&text(&o.domain)).to_string(),
                version: o.version,
            })
            .collect(),
        graphs: walk.graphs.len(),
        nodes: walk.nodes.len(),
        ops: op_counts,
        domains: domains
            .into_iter()
            .map(|(domain, nodes)| DomainInfo {
                note: if walk
                    .functions
                    .iter()
                    .any(|f| f.rsplit_once(':').is_some_and(|(d, _)| d == domain))
                {
                    "model-local functions"
                } else {
                    ops::domain_note(&domain)
                },
                domain,
                nodes,
            })
            .collect(),
        functions: m
            .functions
            .iter()
            .map(|f| {
                format!(
                    "{}:{}",
                    ops::canonical_domain(&text(&f.domain)),
                    text(&f.name)
                )
            })
            .collect(),
        initializers: initializers.len(),
        initializer_bytes: initializers
            .iter()
            .filter_map(|t| declared_bytes(t.tensor))
            .fold(0u64, u64::saturating_add),
        external_initializers: initializers
            .iter()
            .filter(|t| is_external(t.tensor))
            .count(),
        inline_tensor_bytes: counts.inline_tensor_bytes,
        external_data: Vec::new(),
        metadata: m
            .metadata_props
            .iter()
            .map(|e| TextEntry {
                key: text(&e.key).into_owned(),
                value: shown(&e.value),
            })
            .collect(),
        doc_string: shown(&m.doc_string),
    }
}

/// A string for display: lossy UTF-8, cut at `MAX_SHOWN_TEXT` characters.
fn shown(b: &[u8]) -> String {
    let t = text(b);
    let mut s: String = t.chars().take(MAX_SHOWN_TEXT).collect();
    if t.chars().nth(MAX_SHOWN_TEXT).is_some() {
        s.push('…');
    }
    s
}
