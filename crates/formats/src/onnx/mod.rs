//! ONNX models (`ModelProto` protobufs), decoded under limits.
//!
//! [`decode`] first walks the wire format ([`wire`]) to check sizes, nesting
//! and how much prost would build, then lets prost decode the declared subset
//! of `onnx-ml.proto` ([`proto`]). Tensor contents are never copied: prost
//! skips them, so a 2 GB model with its weights inline costs its graph, not
//! its weights. Nothing here judges what a model does; the scanner does.
//!
//! Memory: at most [`MAX_DECODED_BYTES`] of decoded structs, strings and
//! dims (plus `Vec` growth slack), whatever the input claims.

pub mod proto;
#[cfg(test)]
mod tests;
mod wire;

use prost::Message;
pub use proto::*;
pub use wire::{Counts, MAX_IR_VERSION, looks_like_model};

/// Largest model file: protobuf messages are limited to 2 GiB (models over
/// that keep their weights in external data files).
pub const MAX_FILE_BYTES: u64 = (2 << 30) - 1;
/// Message nesting: a subgraph costs three levels (attribute, graph, node).
/// Below prost's own recursion limit of 100, so that ours is what trips.
pub const MAX_DEPTH: u32 = 64;
/// Heap bytes that decoding may allocate: the structs prost builds (96
/// bytes per node, 152 per attribute — and `Vec` capacity, so a node with
/// one attribute pays for four), the strings it copies and the dims it
/// keeps. A transformer graph of 100,000 nodes with an attribute each takes
/// about 85 MiB, of 10,000 nodes a tenth of that. Without this bound two
/// bytes of input (`0a 00`, an empty node) would cost a 96-byte struct.
pub const MAX_DECODED_BYTES: u64 = 128 << 20;

/// Limits of one decode; [`Limits::default`] is the named constants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_depth: u32,
    pub max_decoded_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: MAX_FILE_BYTES,
            max_depth: MAX_DEPTH,
            max_decoded_bytes: MAX_DECODED_BYTES,
        }
    }
}

/// Why a model could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnnxError {
    /// Larger than a protobuf message can be.
    #[error("{size} bytes, over the {limit}-byte protobuf limit")]
    TooLarge { size: u64, limit: u64 },
    /// A field's value runs past the end of the input.
    #[error("truncated: the field at 0x{offset:x} runs past the end of the file")]
    Truncated { offset: u64 },
    /// Not valid protobuf (bad varint, wire type, field number).
    #[error("malformed protobuf at 0x{offset:x}: {reason}")]
    Malformed { offset: u64, reason: String },
    /// Messages nested deeper than the limit (subgraphs in subgraphs).
    #[error("messages nested deeper than {limit} levels at 0x{offset:x}")]
    TooDeep { offset: u64, limit: u32 },
    /// Decoding would allocate more than the limit (structs, strings, dims).
    #[error("decoding would allocate more than the {limit}-byte limit (at 0x{offset:x})")]
    LimitExceeded { limit: u64, offset: u64 },
    /// prost rejected a field the walk accepted (e.g. a wrong wire type).
    #[error("protobuf decode failed: {0}")]
    Decode(String),
}

/// A decoded model and what the walk counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub model: ModelProto,
    pub counts: Counts,
}

/// Decode a whole `.onnx` file under the default limits.
pub fn decode(data: &[u8]) -> Result<Decoded, OnnxError> {
    decode_with_limits(data, &Limits::default())
}

/// Decode a whole `.onnx` file under `limits`.
pub fn decode_with_limits(data: &[u8], limits: &Limits) -> Result<Decoded, OnnxError> {
    let size = data.len() as u64;
    if size > limits.max_file_bytes {
        return Err(OnnxError::TooLarge {
            size,
            limit: limits.max_file_bytes,
        });
    }
    let counts = wire::prewalk(data, limits)?;
    let model = ModelProto::decode(data).map_err(|e| OnnxError::Decode(e.to_string()))?;
    Ok(Decoded { model, counts })
}

/// Bits per element of a `TensorProto.DataType`; `None` for strings and
/// unknown types.
pub fn element_bits(data_type: i32) -> Option<u64> {
    Some(match data_type {
        2 | 3 | 9 | 17..=20 | 24 => 8,
        4 | 5 | 10 | 16 => 16,
        1 | 6 | 12 => 32,
        7 | 11 | 13 | 14 => 64,
        15 => 128,
        21..=23 => 4,
        25 | 26 => 2,
        27 | 28 => 6,
        _ => return None,
    })
}

/// Bytes the tensor's dims and type say its data takes; `None` when the type
/// has no fixed size, a dimension is negative, or the product overflows.
pub fn declared_bytes(t: &TensorProto) -> Option<u64> {
    let bits = element_bits(t.data_type)?;
    let mut n: u64 = 1;
    for &d in &t.dims {
        n = n.checked_mul(u64::try_from(d).ok()?)?;
    }
    Some(n.checked_mul(bits)?.div_ceil(8))
}

/// A tensor's `external_data` entries, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExternalData {
    /// The `location` entry: a path relative to the model's directory.
    pub location: Option<String>,
    pub offset: Option<u64>,
    pub length: Option<u64>,
    /// Entries that are not what the ONNX spec says (non-numeric offsets,
    /// repeated keys), in words.
    pub problems: Vec<String>,
}

/// Whether the tensor's data lives in another file.
pub fn is_external(t: &TensorProto) -> bool {
    t.data_location == DATA_LOCATION_EXTERNAL || !t.external_data.is_empty()
}

/// Parse `t.external_data` (`location`, `offset`, `length`; `checksum` and
/// unknown keys are ignored, as onnx does).
pub fn external_data(t: &TensorProto) -> ExternalData {
    let mut out = ExternalData::default();
    for e in &t.external_data {
        let key = text(&e.key);
        let value = text(&e.value);
        let number = |out: &mut ExternalData| match value.trim().parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                out.problems
                    .push(format!("{key} '{value}' is not a non-negative integer"));
                None
            }
        };
        let repeated = match key.as_ref() {
            "location" => out.location.replace(value.to_string()).is_some(),
            "offset" => number(&mut out).is_some_and(|n| out.offset.replace(n).is_some()),
            "length" => number(&mut out).is_some_and(|n| out.length.replace(n).is_some()),
            _ => false,
        };
        if repeated {
            out.problems.push(format!("'{key}' given twice"));
        }
    }
    out
}
