//! TFLite (LiteRT) models: the FlatBuffer tables read by
//! `aigis_formats::tflite` (never tensor data or operator options) and each
//! operator code judged:
//!
//! - builtin codes of schema.fbs are fine; codes outside it are
//!   `tflite-unknown-builtin-operator` (AIG177, low: maybe just newer);
//! - custom codes are `tflite-custom-operator` (AIG175), except the few the
//!   stock interpreter registers itself;
//! - `Flex<Op>` codes run TensorFlow kernels through the Select-TF-ops
//!   delegate: judged with the TensorFlow op knowledge — file and Python ops
//!   are `tflite-flex-dangerous-operator` (AIG176), ops outside TensorFlow's
//!   set are custom (AIG175), standard ops are listed by inspect only.
//!
//! A model that cannot be read to its end is inconclusive with the reason,
//! after judging the operator codes read before the break.

use super::inspect::{TfliteCode, TfliteInfo, TfliteMetadata, TfliteSubgraph};
use super::tensorflow::{OpClass, classify};
use super::{ModelScanner, inconclusive};
use crate::rules::models::{
    tflite_custom_operator, tflite_flex_dangerous_operator, tflite_unknown_builtin_operator,
};
use aigis_findings::{Finding, Location, Rule};
use aigis_formats::tflite::{self, OperatorCode, Tflite};
use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

const FORMAT: &str = "tflite";
/// Custom operators the stock `BuiltinOpResolver` registers itself
/// (tensorflow/lite/core/kernels/register.cc).
const STOCK_CUSTOM: &[&str] = &[
    "TFLite_Detection_PostProcess",
    "Mfcc",
    "AudioSpectrogram",
    "NumericVerify",
];
/// Custom operators whose kernels a well-known runtime ships and registers
/// (MediaPipe's `mediapipe/util/tflite/operations`): listed by inspect,
/// not reported, since models of those solutions carry them by design.
const VENDOR_CUSTOM: &[(&str, &str)] = &[
    ("Convolution2DTransposeBias", "MediaPipe"),
    ("MaxPoolingWithArgmax2D", "MediaPipe"),
    ("MaxUnpooling2D", "MediaPipe"),
    ("TransformLandmarks", "MediaPipe"),
    ("TransformTensorBilinear", "MediaPipe"),
    ("Landmarks2TransformMatrix", "MediaPipe"),
];
/// Custom codes that name a TensorFlow op for the Flex delegate.
const FLEX_PREFIX: &str = "Flex";
/// `PLACEHOLDER_FOR_GREATER_OP_CODES`: a marker in the deprecated byte, not an operator.
const PLACEHOLDER: i32 = 127;
/// Operators named in a finding's evidence.
const SHOWN_USES: usize = 3;

/// What an operator code is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Status {
    Builtin(&'static str),
    StockCustom(String),
    /// A custom op of a known runtime (the runtime's name).
    VendorCustom(String, &'static str),
    Flex {
        name: String,
        op: String,
        class: OpClass,
    },
    Custom(String),
    Unknown(i32),
}

fn status(c: &OperatorCode<'_>) -> Status {
    let code = c.code();
    if code == tflite::CUSTOM {
        let name = c
            .custom_code
            .map(|t| t.lossy().into_owned())
            .unwrap_or_default();
        if STOCK_CUSTOM.contains(&name.as_str()) {
            return Status::StockCustom(name);
        }
        if let Some((_, vendor)) = VENDOR_CUSTOM.iter().find(|(n, _)| *n == name) {
            return Status::VendorCustom(name, vendor);
        }
        return match name.strip_prefix(FLEX_PREFIX) {
            Some(op) if !op.is_empty() => Status::Flex {
                class: classify(op),
                op: op.to_string(),
                name,
            },
            _ => Status::Custom(name),
        };
    }
    match tflite::builtin_name(code) {
        Some(n) if code != PLACEHOLDER => Status::Builtin(n),
        _ => Status::Unknown(code),
    }
}

impl Status {
    fn name(&self) -> String {
        match self {
            Status::Builtin(n) => (*n).to_string(),
            Status::StockCustom(n)
            | Status::VendorCustom(n, _)
            | Status::Custom(n)
            | Status::Flex { name: n, .. } => n.clone(),
            Status::Unknown(code) => format!("builtin code {code}"),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Status::Builtin(_) => "builtin",
            Status::StockCustom(_) => "custom, registered by the stock interpreter",
            Status::VendorCustom(..) => "custom, a kernel MediaPipe ships",
            Status::Flex { class, .. } => match class {
                OpClass::Standard => "flex: TensorFlow op",
                OpClass::File => "flex: TensorFlow file op",
                OpClass::Python => "flex: TensorFlow Python callback",
                OpClass::Unknown => "flex: not a TensorFlow op",
            },
            Status::Custom(_) => "custom",
            Status::Unknown(_) => "not a builtin operator",
        }
    }

    /// The rule this code fires, if any.
    fn rule(&self) -> Option<&'static Rule> {
        match self {
            Status::Builtin(_) | Status::StockCustom(_) | Status::VendorCustom(..) => None,
            Status::Flex { class, .. } => match class {
                OpClass::File | OpClass::Python => Some(&tflite_flex_dangerous_operator::RULE),
                OpClass::Unknown => Some(&tflite_custom_operator::RULE),
                OpClass::Standard => None,
            },
            Status::Custom(_) => Some(&tflite_custom_operator::RULE),
            Status::Unknown(_) => Some(&tflite_unknown_builtin_operator::RULE),
        }
    }

    fn message(&self, uses: &str) -> String {
        match self {
            Status::Flex { name, op, class } => match class {
                OpClass::File => {
                    format!("Flex operator '{name}' runs TensorFlow's file op {op} ({uses})")
                }
                OpClass::Python => {
                    format!(
                        "Flex operator '{name}' calls back into Python through TensorFlow's {op} ({uses})"
                    )
                }
                _ => format!(
                    "Flex operator '{name}' names '{op}', which is not a TensorFlow op ({uses})"
                ),
            },
            Status::Unknown(code) => {
                format!("builtin code {code} is not a TFLite builtin operator ({uses})")
            }
            other => format!("custom operator '{}' ({uses})", other.name()),
        }
    }
}

/// The operators that use one operator code.
#[derive(Default)]
struct Uses {
    count: usize,
    first: Vec<String>,
}

fn uses_by_code(m: &Tflite<'_>) -> Vec<Uses> {
    let mut uses: Vec<Uses> = m.operator_codes.iter().map(|_| Uses::default()).collect();
    for (g, sub) in m.subgraphs.iter().enumerate() {
        for (i, op) in sub.operators.iter().enumerate() {
            let Some(u) = uses.get_mut(op.opcode_index as usize) else {
                continue;
            };
            u.count += 1;
            if u.first.len() < SHOWN_USES {
                let mut w = format!("subgraph {g}");
                if let Some(n) = sub.name {
                    w.push_str(&format!(" '{}'", n.lossy()));
                }
                w.push_str(&format!(", operator {i}"));
                if let Some(o) = op.output {
                    w.push_str(&format!(", output '{}'", o.lossy()));
                }
                u.first.push(w);
            }
        }
    }
    uses
}

fn describe_uses(u: &Uses) -> String {
    match u.count {
        0 => "declared, used by no operator".to_string(),
        1 => format!("1 operator: {}", u.first.join("; ")),
        n => format!("{n} operators, first: {}", u.first.join("; ")),
    }
}

/// Scan a TFLite model held in `data`; returns the format name.
pub(super) fn scan(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    out: &mut Vec<Finding>,
) -> &'static str {
    let m = match tflite::parse(data) {
        Ok(m) => m,
        Err(e) => {
            out.push(inconclusive(
                loc,
                &format!("TFLite model cannot be read: {e}"),
            ));
            return FORMAT;
        }
    };
    let uses = uses_by_code(&m);
    let statuses: Vec<Status> = m.operator_codes.iter().map(status).collect();
    // One finding per (rule, name): a name declared twice (two versions) is one.
    let mut hits: BTreeMap<(&str, String), (&'static Rule, usize, Uses)> = BTreeMap::new();
    for (i, st) in statuses.iter().enumerate() {
        let (Some(rule), Some(u)) = (st.rule(), uses.get(i)) else {
            continue;
        };
        let e = hits
            .entry((rule.id, st.name()))
            .or_insert((rule, i, Uses::default()));
        e.2.count += u.count;
        e.2.first.extend(
            u.first
                .iter()
                .take(SHOWN_USES - e.2.first.len().min(SHOWN_USES))
                .cloned(),
        );
    }
    for ((_, name), (rule, i, u)) in hits {
        let (Some(st), Some(code)) = (statuses.get(i), m.operator_codes.get(i)) else {
            continue;
        };
        let evidence = format!(
            "operator code {i} at {:#x}: {}",
            code.offset,
            describe_uses(&u)
        );
        let msg = st.message(&match u.count {
            0 => "declared; no operator read uses it".to_string(),
            1 => "1 operator".to_string(),
            n => format!("{n} operators"),
        });
        out.push(
            Finding::new(rule, loc.clone().at_offset(code.offset), msg, &name)
                .with_evidence(evidence),
        );
    }
    if let Some(e) = &m.stop {
        out.push(inconclusive(
            loc,
            &format!("TFLite model is truncated or malformed: {e}"),
        ));
    }
    if s.recording() {
        let info = info(&m, &statuses, &uses, loc);
        s.record_with(|ins| ins.tflite.push(info));
    }
    FORMAT
}

/// What `aigis model inspect` shows.
fn info(m: &Tflite<'_>, statuses: &[Status], uses: &[Uses], loc: &Location) -> TfliteInfo {
    let text = |t: Option<tflite::Text<'_>>| {
        t.map(|t| super::inspect::shorten(&t.lossy(), 200))
            .unwrap_or_default()
    };
    let mut buffer_bytes = (0u64, 0u64);
    for b in &m.buffers {
        match b {
            tflite::BufferData::Inline { size, .. } => {
                buffer_bytes.0 = buffer_bytes.0.saturating_add(*size)
            }
            tflite::BufferData::External { size, .. } => {
                buffer_bytes.1 = buffer_bytes.1.saturating_add(*size)
            }
            tflite::BufferData::Empty => {}
        }
    }
    TfliteInfo {
        location: loc.display(),
        schema_version: m.version,
        description: text(m.description),
        operator_codes: m
            .operator_codes
            .iter()
            .zip(statuses)
            .zip(uses)
            .enumerate()
            .map(|(index, ((c, st), u))| TfliteCode {
                index,
                name: super::inspect::shorten(&st.name(), 200),
                builtin_code: c.code(),
                version: c.version,
                operators: u.count,
                status: st.describe(),
            })
            .collect(),
        subgraphs: m
            .subgraphs
            .iter()
            .map(|g| TfliteSubgraph {
                name: text(g.name),
                tensors: g.tensor_count,
                operators: g.operators.len(),
            })
            .collect(),
        metadata: m
            .metadata
            .iter()
            .map(|e| TfliteMetadata {
                name: text(e.name),
                buffer: e.buffer,
                bytes: m.buffers.get(e.buffer as usize).map(|b| b.size()),
            })
            .collect(),
        buffers: m.buffers.len(),
        inline_buffer_bytes: buffer_bytes.0,
        external_buffer_bytes: buffer_bytes.1,
        signatures: m.signature_defs,
        end: m
            .stop
            .as_ref()
            .map_or("complete".to_string(), ToString::to_string),
    }
}
