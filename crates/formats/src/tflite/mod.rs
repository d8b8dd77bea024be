//! TFLite (LiteRT) models: a FlatBuffer with the file identifier `TFL3` at
//! bytes 4..8, whose root table is a `Model` (tensorflow/lite/schema/
//! schema.fbs): operator codes, subgraphs of operators, buffers, metadata.
//!
//! Only the tables the scan needs are walked — operator codes (builtin code
//! and custom name), each operator's code and first output tensor name,
//! subgraph names, metadata names and buffer sizes — never tensor data,
//! builtin options or custom options. Weights can follow the FlatBuffer
//! (models over 2 GB keep them outside it, by offset): they are measured
//! against the input's length, not read.
//!
//! Every offset is checked before it is followed, vector lengths are checked
//! against the bytes left and against named limits, nothing recurses and
//! nothing is allocated in proportion to a claimed count. Parsing stops at
//! the first field that cannot be read and says why in [`Tflite::stop`],
//! keeping what came before (operator codes read before a broken subgraph
//! are still judged).

mod names;
mod reader;
mod walk;

pub mod builder;
#[cfg(test)]
mod tests;

pub use names::{BUILTIN_NAMES, builtin_name};

/// The FlatBuffers file identifier of TFLite models (schema version 3).
pub const IDENTIFIER: &[u8; 4] = b"TFL3";
/// The builtin code of operators whose kernel is named by `custom_code`.
pub const CUSTOM: i32 = 32;
/// Most operator codes accepted (real models use a few dozen).
pub const MAX_OPERATOR_CODES: u64 = 1 << 16;
/// Most subgraphs accepted (control flow and signatures add a few).
pub const MAX_SUBGRAPHS: u64 = 1 << 14;
/// Most operators accepted over all subgraphs.
pub const MAX_OPERATORS: u64 = 1 << 20;
/// Most tensors one subgraph may declare.
pub const MAX_TENSORS: u64 = 1 << 22;
/// Most buffers accepted.
pub const MAX_BUFFERS: u64 = 1 << 20;
/// Most metadata entries accepted.
pub const MAX_METADATA: u64 = 1 << 12;
/// Most signature definitions accepted.
pub const MAX_SIGNATURES: u64 = 1 << 12;
/// Longest string read (names, custom codes, the description).
pub const MAX_STRING_LEN: u64 = 1 << 16;
/// Most entries of an operator's `outputs` vector.
pub const MAX_OPERATOR_OUTPUTS: u64 = 1 << 16;

/// Why parsing stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TfliteError {
    /// Shorter than a root offset and identifier, or not `TFL3` at 4..8.
    #[error("not a TFLite model: no \"TFL3\" file identifier")]
    BadIdentifier,
    /// A read or an offset that lands outside the input (a cut file, or a
    /// forged offset).
    #[error("{what} at {at:#x} lies outside the file ({len} bytes)")]
    OutOfBounds {
        what: &'static str,
        at: u64,
        len: u64,
    },
    /// A table whose vtable is out of range or malformed.
    #[error("{what} at {at:#x}: {why}")]
    BadVtable {
        what: &'static str,
        at: u64,
        why: &'static str,
    },
    /// A vector longer than its named limit.
    #[error("{what} at {at:#x} claims {count} entries, over the limit of {limit}")]
    CountOverLimit {
        what: &'static str,
        at: u64,
        count: u64,
        limit: u64,
    },
    /// A vector that claims more bytes than the rest of the input holds.
    #[error(
        "{what} at {at:#x} claims {claimed} bytes, more than the file holds ({available} left)"
    )]
    Oversized {
        what: &'static str,
        at: u64,
        claimed: u64,
        available: u64,
    },
    /// A string without its NUL terminator.
    #[error("{what} at {at:#x} is not NUL-terminated")]
    Unterminated { what: &'static str, at: u64 },
    /// An operator that names an operator code the model does not have.
    #[error(
        "operator {operator} of subgraph {subgraph} uses operator code {index}, but the model has {count}"
    )]
    BadOpcodeIndex {
        subgraph: usize,
        operator: usize,
        index: u32,
        count: usize,
    },
    /// A buffer stored outside the FlatBuffer (by offset) that ends past the
    /// end of the input.
    #[error(
        "buffer {index} claims bytes {offset}..{offset}+{size}, past the end of the file ({len} bytes)"
    )]
    BufferOutOfRange {
        index: usize,
        offset: u64,
        size: u64,
        len: u64,
    },
}

/// A string borrowed from the input, with its absolute offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text<'a> {
    pub bytes: &'a [u8],
    pub offset: u64,
}

impl Text<'_> {
    /// The text, with invalid UTF-8 replaced.
    pub fn lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.bytes)
    }
}

/// One entry of `Model.operator_codes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorCode<'a> {
    /// The `deprecated_builtin_code` byte (codes up to 127).
    pub deprecated_builtin_code: i8,
    /// The `builtin_code` field (codes of 127 and over live only here).
    pub builtin_code: i32,
    pub custom_code: Option<Text<'a>>,
    pub version: i32,
    /// Absolute offset of the table.
    pub offset: u64,
}

impl OperatorCode<'_> {
    /// The operator's builtin code: the larger of the two fields, as the
    /// schema says readers must take it (old files set only the byte, new
    /// ones set both, with the byte capped at 127).
    pub fn code(&self) -> i32 {
        self.builtin_code.max(self.deprecated_builtin_code.into())
    }

    /// Is this a custom operator (its kernel named by `custom_code`)?
    pub fn is_custom(&self) -> bool {
        self.code() == CUSTOM
    }
}

/// One operator of a subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator<'a> {
    pub opcode_index: u32,
    /// The name of its first output tensor (TFLite operators have no names
    /// of their own; converters name outputs after the layer).
    pub output: Option<Text<'a>>,
    /// Absolute offset of the table.
    pub offset: u64,
}

/// One subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subgraph<'a> {
    pub name: Option<Text<'a>>,
    pub tensor_count: u64,
    pub operators: Vec<Operator<'a>>,
}

/// One `Model.metadata` entry: a name and the buffer holding its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata<'a> {
    pub name: Option<Text<'a>>,
    pub buffer: u32,
}

/// Where a buffer's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BufferData {
    /// No data (activations, or the always-present empty buffer 0).
    Empty,
    /// Inside the FlatBuffer, in the buffer's `data` vector.
    Inline { offset: u64, size: u64 },
    /// After the FlatBuffer, at an absolute offset (models over 2 GB).
    External { offset: u64, size: u64 },
}

impl BufferData {
    pub fn size(&self) -> u64 {
        match *self {
            BufferData::Empty => 0,
            BufferData::Inline { size, .. } | BufferData::External { size, .. } => size,
        }
    }
}

/// A parsed TFLite model (the tables the scan needs).
#[derive(Debug, Clone, Default)]
pub struct Tflite<'a> {
    /// Offset of the root `Model` table.
    pub root: u64,
    pub version: u32,
    pub description: Option<Text<'a>>,
    pub operator_codes: Vec<OperatorCode<'a>>,
    pub subgraphs: Vec<Subgraph<'a>>,
    pub buffers: Vec<BufferData>,
    pub metadata: Vec<Metadata<'a>>,
    pub signature_defs: u64,
    /// Why parsing stopped early; `None` when every table was read.
    pub stop: Option<TfliteError>,
}

impl Tflite<'_> {
    /// Operators over all subgraphs.
    pub fn operator_count(&self) -> usize {
        self.subgraphs.iter().map(|s| s.operators.len()).sum()
    }
}

/// Does `data` start like a TFLite model: the `TFL3` identifier, and a
/// root offset that points past it and inside the input?
pub fn looks_like(data: &[u8]) -> bool {
    data.get(4..8) == Some(IDENTIFIER.as_slice())
        && crate::bytes::u32_at(data, 0)
            .is_some_and(|root| root >= 8 && u64::from(root) + 4 <= data.len() as u64)
}

/// Parse the model tables of `data` (the whole file; buffer contents are
/// never read). `Err` only when the identifier or the root table is
/// unusable.
pub fn parse(data: &[u8]) -> Result<Tflite<'_>, TfliteError> {
    if data.get(4..8) != Some(IDENTIFIER.as_slice()) {
        return Err(TfliteError::BadIdentifier);
    }
    walk::model(data)
}
