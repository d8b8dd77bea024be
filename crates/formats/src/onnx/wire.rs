//! Protobuf wire-format walks over untrusted bytes, before prost sees them.
//!
//! prost checks every length against the input, but it materialises every
//! repeated message it declares: two bytes of input (`0a 00`) become a whole
//! `NodeProto`, so a file of empty nodes would cost a hundred times its size.
//! [`prewalk`] walks the same fields prost will decode — by key and length
//! only, copying nothing — and counts messages, copied text and dimension
//! values against the limits first. It also finds truncation, bad varints
//! and excessive nesting with the offset where they happen.
//!
//! [`looks_like_model`] recognises a `ModelProto` by its first fields, and
//! accepts a prefix (the scanner sniffs members by their first bytes, and a
//! truncated model must still be recognised so that it is not called clean).

use super::{Limits, OnnxError};

/// Protobuf wire types.
const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const START_GROUP: u8 = 3;
const END_GROUP: u8 = 4;
const FIXED32: u8 = 5;

/// Longest varint (a u64 in 7-bit groups).
const MAX_VARINT_LEN: usize = 10;

/// Highest IR version accepted when sniffing (14 is current; room to grow).
pub const MAX_IR_VERSION: u64 = 64;

/// Fields of the graph that sniffing checks before it is satisfied.
const SNIFF_GRAPH_FIELDS: usize = 16;

/// The messages that `proto` declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Msg {
    Model,
    Graph,
    Node,
    Attribute,
    Tensor,
    SparseTensor,
    Function,
    TrainingInfo,
    OpsetId,
    Entry,
}

/// What a field of a message is to the prewalk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Field {
    /// A declared sub-message: counted and walked.
    Sub(Msg),
    /// A declared string or bytes field: its length is copied.
    Text,
    /// `TensorProto.dims`: each value is kept.
    Dims,
    /// Tensor contents (`raw_data`, typed data): skipped, bytes counted.
    TensorData,
    /// A scalar or an undeclared field: skipped by prost too.
    Skip,
}

/// The schema of `proto`'s structs, by field number.
pub(super) fn field(msg: Msg, tag: u32) -> Field {
    use Field::*;
    match (msg, tag) {
        (Msg::Model, 2 | 3 | 4 | 6) => Text,
        (Msg::Model, 7) => Sub(Msg::Graph),
        (Msg::Model, 8) => Sub(Msg::OpsetId),
        (Msg::Model, 14) => Sub(Msg::Entry),
        (Msg::Model, 20) => Sub(Msg::TrainingInfo),
        (Msg::Model, 25) => Sub(Msg::Function),
        (Msg::Graph, 1) => Sub(Msg::Node),
        (Msg::Graph, 2 | 10) => Text,
        (Msg::Graph, 5) => Sub(Msg::Tensor),
        (Msg::Graph, 15) => Sub(Msg::SparseTensor),
        (Msg::Graph, 16) => Sub(Msg::Entry),
        (Msg::Node, 3 | 4 | 7 | 8) => Text,
        (Msg::Node, 5) => Sub(Msg::Attribute),
        (Msg::Node, 9) => Sub(Msg::Entry),
        (Msg::Attribute, 1 | 4) => Text,
        (Msg::Attribute, 5 | 10) => Sub(Msg::Tensor),
        (Msg::Attribute, 6 | 11) => Sub(Msg::Graph),
        (Msg::Attribute, 22 | 23) => Sub(Msg::SparseTensor),
        (Msg::Tensor, 1) => Dims,
        (Msg::Tensor, 4 | 5 | 6 | 7 | 9 | 10 | 11) => TensorData,
        (Msg::Tensor, 8) => Text,
        (Msg::Tensor, 13 | 16) => Sub(Msg::Entry),
        (Msg::SparseTensor, 1 | 2) => Sub(Msg::Tensor),
        (Msg::Function, 1 | 8 | 10 | 13) => Text,
        (Msg::Function, 7) => Sub(Msg::Node),
        (Msg::Function, 9) => Sub(Msg::OpsetId),
        (Msg::Function, 11) => Sub(Msg::Attribute),
        (Msg::Function, 14) => Sub(Msg::Entry),
        (Msg::TrainingInfo, 1 | 2) => Sub(Msg::Graph),
        (Msg::OpsetId, 1) => Text,
        (Msg::Entry, 1 | 2) => Text,
        _ => Skip,
    }
}

/// One field's key and where its value is.
#[derive(Clone, Copy, Debug)]
struct Key {
    tag: u32,
    wire: u8,
}

/// A cursor over a byte slice with absolute offsets for errors.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data[0]` in the whole input.
    base: u64,
}

/// Why a read stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// The value runs past the end of the input.
    Truncated,
    Malformed(&'static str),
}

impl<'a> Cursor<'a> {
    fn new(data: &'a [u8], base: u64) -> Self {
        Cursor { data, pos: 0, base }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn offset(&self) -> u64 {
        self.base.saturating_add(self.pos as u64)
    }

    fn varint(&mut self) -> Result<u64, Stop> {
        let mut value = 0u64;
        for i in 0..MAX_VARINT_LEN {
            let byte = *self.data.get(self.pos).ok_or(Stop::Truncated)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Stop::Malformed("varint longer than 10 bytes"))
    }

    fn key(&mut self) -> Result<Key, Stop> {
        let k = self.varint()?;
        let wire = (k & 7) as u8;
        let tag = u32::try_from(k >> 3).map_err(|_| Stop::Malformed("field number too large"))?;
        if tag == 0 {
            return Err(Stop::Malformed("field number 0"));
        }
        Ok(Key { tag, wire })
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Stop> {
        let n = usize::try_from(n).map_err(|_| Stop::Truncated)?;
        let end = self.pos.checked_add(n).ok_or(Stop::Truncated)?;
        let out = self.data.get(self.pos..end).ok_or(Stop::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    /// Skip a value that is not length-delimited.
    fn skip_scalar(&mut self, wire: u8) -> Result<(), Stop> {
        match wire {
            VARINT => self.varint().map(|_| ()),
            FIXED64 => self.take(8).map(|_| ()),
            FIXED32 => self.take(4).map(|_| ()),
            START_GROUP | END_GROUP => Err(Stop::Malformed(
                "protobuf group (ONNX uses none; deprecated wire type)",
            )),
            _ => Err(Stop::Malformed("invalid wire type")),
        }
    }
}

/// What the prewalk counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Messages prost will build.
    pub messages: u64,
    /// Bytes of strings prost will copy.
    pub text_bytes: u64,
    /// `dims` values prost will keep.
    pub dim_values: u64,
    /// Bytes of tensor contents stored in the file (skipped, not copied).
    pub inline_tensor_bytes: u64,
    /// Deepest message nesting seen (the model is depth 1).
    pub max_depth: u32,
}

/// Walk a `ModelProto` against `limits`, copying nothing.
pub(super) fn prewalk(data: &[u8], limits: &Limits) -> Result<Counts, OnnxError> {
    let mut counts = Counts::default();
    walk(Cursor::new(data, 0), Msg::Model, 1, limits, &mut counts)?;
    Ok(counts)
}

fn error_at(stop: Stop, offset: u64, msg: Msg) -> OnnxError {
    match stop {
        Stop::Truncated => OnnxError::Truncated { offset },
        Stop::Malformed(reason) => OnnxError::Malformed {
            offset,
            reason: format!("{reason} in {msg:?}Proto"),
        },
    }
}

fn walk(
    mut c: Cursor<'_>,
    msg: Msg,
    depth: u32,
    limits: &Limits,
    counts: &mut Counts,
) -> Result<(), OnnxError> {
    if depth > limits.max_depth {
        return Err(OnnxError::TooDeep {
            offset: c.offset(),
            limit: limits.max_depth,
        });
    }
    counts.max_depth = counts.max_depth.max(depth);
    while !c.at_end() {
        let at = c.offset();
        let key = c.key().map_err(|s| error_at(s, at, msg))?;
        if key.wire != LEN {
            let before = c.pos;
            c.skip_scalar(key.wire).map_err(|s| error_at(s, at, msg))?;
            match field(msg, key.tag) {
                Field::Dims => {
                    counts.dim_values += 1;
                    check(counts.dim_values, limits.max_dim_values, "dims values", at)?;
                }
                Field::TensorData => {
                    let n = c.pos.saturating_sub(before) as u64;
                    counts.inline_tensor_bytes = counts.inline_tensor_bytes.saturating_add(n);
                }
                _ => {}
            }
            continue;
        }
        let len = c.varint().map_err(|s| error_at(s, at, msg))?;
        let value_at = c.offset();
        let value = c.take(len).map_err(|s| error_at(s, at, msg))?;
        match field(msg, key.tag) {
            Field::Sub(inner) => {
                counts.messages += 1;
                check(counts.messages, limits.max_messages, "messages", at)?;
                walk(
                    Cursor::new(value, value_at),
                    inner,
                    depth + 1,
                    limits,
                    counts,
                )?;
            }
            Field::Text => {
                counts.text_bytes = counts.text_bytes.saturating_add(len);
                check(counts.text_bytes, limits.max_text_bytes, "string bytes", at)?;
            }
            Field::Dims => {
                // Packed: one value per byte without the continuation bit.
                let n = value.iter().filter(|&&b| b & 0x80 == 0).count() as u64;
                counts.dim_values = counts.dim_values.saturating_add(n);
                check(counts.dim_values, limits.max_dim_values, "dims values", at)?;
            }
            Field::TensorData => {
                counts.inline_tensor_bytes = counts.inline_tensor_bytes.saturating_add(len);
            }
            Field::Skip => {}
        }
    }
    Ok(())
}

fn check(count: u64, limit: u64, what: &'static str, offset: u64) -> Result<(), OnnxError> {
    if count > limit {
        return Err(OnnxError::LimitExceeded {
            what,
            limit,
            offset,
        });
    }
    Ok(())
}

/// Whether `data` (a whole file or its first bytes) is a `ModelProto`.
///
/// ONNX has no magic number. Serializers write fields in field-number order,
/// but a loader accepts any order, so the top-level fields are walked in any
/// order: every one must be a `ModelProto` field with its wire type, an IR
/// version in 1..=[`MAX_IR_VERSION`] and a graph must be present, and the
/// graph's first fields must be `GraphProto` fields. The walk may end
/// inside a field (a prefix, or a truncated file) once both were seen —
/// or, when the prefix ends inside the graph, once its start checked out.
pub fn looks_like_model(data: &[u8]) -> bool {
    let mut c = Cursor::new(data, 0);
    let mut ir_version = false;
    let mut graph = false;
    while !c.at_end() {
        let Ok(key) = c.key() else {
            return ir_version && graph;
        };
        let expected = match key.tag {
            1 | 5 => VARINT,
            2 | 3 | 4 | 6 | 7 | 8 | 14 | 20 | 25 | 26 => LEN,
            _ => return false,
        };
        if key.wire != expected {
            return false;
        }
        if key.wire == VARINT {
            match c.varint() {
                Ok(v) if key.tag == 1 => {
                    if !(1..=MAX_IR_VERSION).contains(&v) {
                        return false;
                    }
                    ir_version = true;
                }
                Ok(_) => {}
                Err(_) => return ir_version && graph,
            }
            continue;
        }
        let Ok(len) = c.varint() else {
            return ir_version && graph;
        };
        let start = c.pos;
        let avail = c.data.get(start..).unwrap_or_default();
        let complete = usize::try_from(len).is_ok_and(|l| l <= avail.len());
        let value = if complete {
            c.data.get(start..start + len as usize).unwrap_or_default()
        } else {
            avail
        };
        if key.tag == 7 {
            if !graph_prefix_ok(value, complete) {
                return false;
            }
            graph = true;
        }
        if !complete {
            return ir_version && graph;
        }
        c.pos = start + value.len();
    }
    ir_version && graph
}

/// The first fields of a `GraphProto` (all of them length-delimited).
fn graph_prefix_ok(value: &[u8], complete: bool) -> bool {
    let mut c = Cursor::new(value, 0);
    for _ in 0..SNIFF_GRAPH_FIELDS {
        if c.at_end() {
            return true;
        }
        let key = match c.key() {
            Ok(k) => k,
            Err(Stop::Truncated) => return !complete,
            Err(_) => return false,
        };
        if !matches!(key.tag, 1 | 2 | 5 | 10 | 11 | 12 | 13 | 14 | 15 | 16) || key.wire != LEN {
            return false;
        }
        match c.varint().map(|len| c.take(len)) {
            Ok(Ok(_)) => {}
            Ok(Err(Stop::Truncated)) | Err(Stop::Truncated) => return !complete,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
pub(super) mod write {
    //! A protobuf writer for tests: fields the prost structs do not declare.

    pub fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    pub fn key(out: &mut Vec<u8>, tag: u32, wire: u8) {
        varint(out, (u64::from(tag) << 3) | u64::from(wire));
    }

    /// A length-delimited field.
    pub fn bytes(out: &mut Vec<u8>, tag: u32, value: &[u8]) {
        key(out, tag, 2);
        varint(out, value.len() as u64);
        out.extend_from_slice(value);
    }
}
