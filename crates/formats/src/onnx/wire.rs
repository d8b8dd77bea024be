//! Protobuf wire-format walks over untrusted bytes, before prost sees them.
//!
//! prost checks every length against the input, but it materialises every
//! repeated message it declares: two bytes of input (`0a 00`) become a whole
//! `NodeProto`, so a file of empty nodes would cost a hundred times its size.
//! [`prewalk`] walks the same fields prost will decode — by key and length
//! only, copying nothing — and adds up what prost will allocate (each
//! message's struct, each copied string, each dimension value) against the
//! limit first. It also finds truncation, bad varints
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
    /// A declared optional sub-message: counted and walked.
    One(Msg),
    /// A declared repeated sub-message (a `Vec` element).
    Many(Msg),
    /// A declared string or bytes field: its length is copied.
    Text,
    /// `TensorProto.dims`: each value is kept (in a `Vec<i64>`).
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
        (Msg::Model, 7) => One(Msg::Graph),
        (Msg::Model, 8) => Many(Msg::OpsetId),
        (Msg::Model, 14) => Many(Msg::Entry),
        (Msg::Model, 20) => Many(Msg::TrainingInfo),
        (Msg::Model, 25) => Many(Msg::Function),
        (Msg::Graph, 1) => Many(Msg::Node),
        (Msg::Graph, 2 | 10) => Text,
        (Msg::Graph, 5) => Many(Msg::Tensor),
        (Msg::Graph, 15) => Many(Msg::SparseTensor),
        (Msg::Graph, 16) => Many(Msg::Entry),
        (Msg::Node, 3 | 4 | 7) => Text,
        (Msg::Node, 5) => Many(Msg::Attribute),
        (Msg::Attribute, 1 | 4) => Text,
        (Msg::Attribute, 5) => One(Msg::Tensor),
        (Msg::Attribute, 10) => Many(Msg::Tensor),
        (Msg::Attribute, 6) => One(Msg::Graph),
        (Msg::Attribute, 11) => Many(Msg::Graph),
        (Msg::Attribute, 22) => One(Msg::SparseTensor),
        (Msg::Attribute, 23) => Many(Msg::SparseTensor),
        (Msg::Tensor, 1) => Dims,
        (Msg::Tensor, 4 | 5 | 6 | 7 | 9 | 10 | 11) => TensorData,
        (Msg::Tensor, 8) => Text,
        (Msg::Tensor, 13 | 16) => Many(Msg::Entry),
        (Msg::SparseTensor, 1 | 2) => One(Msg::Tensor),
        (Msg::Function, 1 | 8 | 10 | 13) => Text,
        (Msg::Function, 7) => Many(Msg::Node),
        (Msg::Function, 9) => Many(Msg::OpsetId),
        (Msg::Function, 11) => Many(Msg::Attribute),
        (Msg::Function, 14) => Many(Msg::Entry),
        (Msg::TrainingInfo, 1 | 2) => One(Msg::Graph),
        (Msg::OpsetId, 1) => Text,
        (Msg::Entry, 1 | 2) => Text,
        _ => Skip,
    }
}

/// Bytes of one message's struct (in its parent's `Vec`, box or field).
fn cost(msg: Msg) -> u64 {
    use super::proto::*;
    use std::mem::size_of;
    (match msg {
        Msg::Model => size_of::<ModelProto>(),
        Msg::Graph => size_of::<GraphProto>(),
        Msg::Node => size_of::<NodeProto>(),
        Msg::Attribute => size_of::<AttributeProto>(),
        Msg::Tensor => size_of::<TensorProto>(),
        Msg::SparseTensor => size_of::<SparseTensorProto>(),
        Msg::Function => size_of::<FunctionProto>(),
        Msg::TrainingInfo => size_of::<TrainingInfoProto>(),
        Msg::OpsetId => size_of::<OperatorSetIdProto>(),
        Msg::Entry => size_of::<StringStringEntryProto>(),
    }) as u64
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
    /// Heap bytes of all of that: structs, strings, dims (the limited sum).
    pub decoded_bytes: u64,
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
    let mut vecs = VecLens::default();
    while !c.at_end() {
        let at = c.offset();
        let key = c.key().map_err(|s| error_at(s, at, msg))?;
        if key.wire != LEN {
            let before = c.pos;
            c.skip_scalar(key.wire).map_err(|s| error_at(s, at, msg))?;
            match field(msg, key.tag) {
                Field::Dims => {
                    counts.dim_values += 1;
                    counts.spend(vecs.push(key.tag, 1, DIM_COST), limits, at)?;
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
            Field::One(inner) | Field::Many(inner) => {
                counts.messages += 1;
                let bytes = match field(msg, key.tag) {
                    Field::Many(_) => vecs.push(key.tag, 1, cost(inner)),
                    _ => cost(inner).saturating_add(MALLOC_OVERHEAD),
                };
                counts.spend(bytes, limits, at)?;
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
                if len > 0 {
                    counts.spend(len.saturating_add(MALLOC_OVERHEAD), limits, at)?;
                }
            }
            Field::Dims => {
                // Packed: one value per byte without the continuation bit.
                let n = value.iter().filter(|&&b| b & 0x80 == 0).count() as u64;
                counts.dim_values = counts.dim_values.saturating_add(n);
                counts.spend(vecs.push(key.tag, n, DIM_COST), limits, at)?;
            }
            Field::TensorData => {
                counts.inline_tensor_bytes = counts.inline_tensor_bytes.saturating_add(len);
            }
            Field::Skip => {}
        }
    }
    Ok(())
}

/// Bytes prost keeps per `dims` value (an i64).
const DIM_COST: u64 = 8;
/// What the allocator adds to each string or box (glibc: 16 bytes).
const MALLOC_OVERHEAD: u64 = 16;
/// The first capacity of a `Vec` that grows by pushes (Rust's `RawVec`
/// starts at 4 for elements of 1 KiB and below).
const MIN_VEC_CAPACITY: u64 = 4;

/// Lengths of the repeated fields of one message, to charge what their
/// `Vec`s hold — capacity, not length: a node with one attribute pays for
/// four.
#[derive(Default)]
struct VecLens {
    /// By field number; the declared repeated fields are all below 32.
    len: [u64; 32],
}

impl VecLens {
    /// Record `n` more elements of `size` bytes in field `tag`; returns the
    /// bytes by which the `Vec`'s capacity grew.
    fn push(&mut self, tag: u32, n: u64, size: u64) -> u64 {
        let capacity = |len: u64| {
            if len == 0 {
                0
            } else {
                len.max(MIN_VEC_CAPACITY)
                    .checked_next_power_of_two()
                    .unwrap_or(u64::MAX)
            }
        };
        let Some(len) = usize::try_from(tag).ok().and_then(|t| self.len.get_mut(t)) else {
            // Not a declared repeated field: charge it flat.
            return n.saturating_mul(size);
        };
        let before = capacity(*len);
        *len = len.saturating_add(n);
        capacity(*len).saturating_sub(before).saturating_mul(size)
    }
}

impl Counts {
    /// Add `bytes` to what decoding will cost; fail past the limit.
    fn spend(&mut self, bytes: u64, limits: &Limits, offset: u64) -> Result<(), OnnxError> {
        self.decoded_bytes = self.decoded_bytes.saturating_add(bytes);
        if self.decoded_bytes > limits.max_decoded_bytes {
            return Err(OnnxError::LimitExceeded {
                limit: limits.max_decoded_bytes,
                offset,
            });
        }
        Ok(())
    }
}

/// Whether `data` (a whole file or its first bytes) is a `ModelProto`.
///
/// ONNX has no magic number. Serializers write fields in field-number order,
/// but a loader accepts any order, so the top-level fields are walked in any
/// order: every one must be a `ModelProto` field with its wire type, an IR
/// version in 1..=[`MAX_IR_VERSION`] and a graph must be present, and the
/// graph's first fields must be `GraphProto` fields. The walk may end
/// inside a field (a prefix, or a truncated file) once both were seen —
/// when the prefix ends inside the graph, once its start checked out; and
/// after the IR version, inside a doc string or metadata entry.
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
            // A prefix may end in a long doc string or metadata value before
            // the graph (a model in an archive is sniffed by its first 4 KiB).
            return ir_version && (graph || matches!(key.tag, 6 | 14));
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
