//! GGUF, the llama.cpp model format: magic `GGUF`, a version (1–3), a
//! tensor count and a key/value count, the key/values (typed, arrays
//! nested), the tensor infos (name, dims, ggml type, offset), then the
//! tensor data, aligned to `general.alignment` (32 by default).
//!
//! Every field the llama.cpp parser CVEs abused is checked before it is
//! used: counts against named limits and against what the remaining bytes
//! could hold, string and array lengths against the bytes left, dims
//! products with checked arithmetic, types against the known tables,
//! tensor offsets for alignment, bounds and overlap. Big-endian files
//! (v3) are read as such; v1 files use 32-bit lengths and dims.
//!
//! Strings are borrowed from the input (never copied), arrays keep only
//! their first [`MAX_KEPT_ITEMS`] items, and tensor data is never read: a
//! 10 GB file costs its header pages. Parsing stops at the first field that
//! cannot be read and says why in [`Gguf::stop`], keeping what came before
//! (a chat template read before a broken tensor info is still judged).

mod layout;
mod parse;
mod reader;
pub mod types;

#[cfg(test)]
mod tests;

use reader::Reader;
pub use types::{GgmlType, ggml_type, ggml_type_name, value_type, value_type_name};

/// The four bytes every GGUF file starts with.
pub const MAGIC: &[u8; 4] = b"GGUF";
/// Most tensor infos accepted (real files hold a few thousand).
pub const MAX_TENSORS: u64 = 1 << 20;
/// Most key/value pairs accepted (real files hold a few dozen).
pub const MAX_KVS: u64 = 1 << 16;
/// Most elements in one array (vocabularies hold a few hundred thousand).
pub const MAX_ARRAY_LEN: u64 = 1 << 26;
/// Deepest nesting of arrays in arrays.
pub const MAX_ARRAY_DEPTH: u32 = 8;
/// Most dimensions of a tensor (`GGML_MAX_DIMS`).
pub const MAX_DIMS: u32 = 4;
/// Longest tensor name llama.cpp accepts (`GGML_MAX_NAME` with its NUL).
pub const MAX_TENSOR_NAME: usize = 63;
/// Items kept per array for display; the rest are read and checked only.
pub const MAX_KEPT_ITEMS: usize = 16;
/// `general.alignment` when the key is absent (`GGUF_DEFAULT_ALIGNMENT`).
pub const DEFAULT_ALIGNMENT: u64 = 32;
/// Most anomalies recorded; the rest are counted in `anomalies_omitted`.
pub const MAX_ANOMALIES: usize = 100;
/// The key that sets the data alignment.
pub const ALIGNMENT_KEY: &str = "general.alignment";

/// Byte order of the file's numbers (v3 allows big-endian files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// Why parsing stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GgufError {
    /// The first four bytes are not `GGUF`.
    #[error("bad magic")]
    BadMagic,
    /// A version other than 1, 2 or 3, in either byte order.
    #[error("unsupported GGUF version {version:#x}")]
    UnsupportedVersion {
        /// The version field as read little-endian.
        version: u32,
    },
    /// A count over its named limit ([`MAX_TENSORS`], [`MAX_KVS`], [`MAX_ARRAY_LEN`]).
    #[error("{what} of {count} at {offset:#x} is over the limit of {limit}")]
    CountOverLimit {
        offset: u64,
        what: &'static str,
        count: u64,
        limit: u64,
    },
    /// A length or count that claims more bytes than the whole input holds.
    #[error(
        "{what} at {offset:#x} claims {claimed} bytes, more than the file holds ({available} left)"
    )]
    Oversized {
        offset: u64,
        what: &'static str,
        claimed: u64,
        available: u64,
    },
    /// The input ends inside a field.
    #[error("file ends inside {what} at {offset:#x}")]
    Truncated { offset: u64, what: &'static str },
    /// A metadata value type outside 0–12.
    #[error("unknown metadata value type {ty} at {offset:#x}")]
    UnknownValueType { offset: u64, ty: u32 },
    /// Arrays nested deeper than [`MAX_ARRAY_DEPTH`].
    #[error("arrays nested deeper than {limit} at {offset:#x}")]
    ArrayTooDeep { offset: u64, limit: u32 },
}

/// A string field, borrowed from the input, with its absolute offset.
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

/// An array value: its element type, its length, and its first items.
#[derive(Debug, Clone, PartialEq)]
pub struct Array<'a> {
    pub elem_type: u32,
    pub len: u64,
    /// The first [`MAX_KEPT_ITEMS`] items.
    pub items: Vec<Value<'a>>,
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    /// The raw byte (anything but 0 and 1 is invalid, but is kept).
    Bool(u8),
    Str(Text<'a>),
    Array(Array<'a>),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value<'_> {
    /// The value as an unsigned integer, if it is one of the integer types.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The metadata value type this value was read as.
    pub fn type_id(&self) -> u32 {
        use value_type::*;
        match self {
            Value::U8(_) => U8,
            Value::I8(_) => I8,
            Value::U16(_) => U16,
            Value::I16(_) => I16,
            Value::U32(_) => U32,
            Value::I32(_) => I32,
            Value::F32(_) => F32,
            Value::Bool(_) => BOOL,
            Value::Str(_) => STRING,
            Value::Array(_) => ARRAY,
            Value::U64(_) => U64,
            Value::I64(_) => I64,
            Value::F64(_) => F64,
        }
    }
}

/// One key/value pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Kv<'a> {
    pub key: Text<'a>,
    pub value: Value<'a>,
}

/// One tensor info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo<'a> {
    pub name: Text<'a>,
    /// The `n_dims` field as written (may exceed [`MAX_DIMS`]).
    pub n_dims: u32,
    /// The first [`MAX_DIMS`] dims (ggml order: fastest-varying first).
    pub dims: Vec<u64>,
    pub ggml_type: u32,
    /// Offset relative to the data section.
    pub offset: u64,
    /// Data bytes, when the type's size is known and nothing overflows.
    pub nbytes: Option<u64>,
}

/// What kind of oddity an anomaly records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnomalyKind {
    /// A key appears twice (llama.cpp refuses the file).
    DuplicateKey,
    /// Two tensor infos share a name (llama.cpp refuses the file).
    DuplicateTensor,
    /// A tensor name longer than [`MAX_TENSOR_NAME`] (old llama.cpp copied it
    /// into a fixed 64-byte buffer).
    NameTooLong,
    /// `n_dims` over [`MAX_DIMS`].
    TooManyDims,
    /// A dimension over `i64::MAX`, or a product of dims that overflows.
    DimsOverflow,
    /// A ggml type that is unknown or removed.
    BadType,
    /// The first dimension is not a multiple of the type's block size.
    BlockMisfit,
    /// `general.alignment` that is not a u32 power of two.
    BadAlignment,
    /// A tensor offset that is not a multiple of the alignment.
    Unaligned,
    /// A tensor offset whose absolute position overflows 64 bits.
    OffsetOverflow,
    /// Tensor data that ends past the end of the input.
    DataPastEnd,
    /// Two tensors' data share bytes.
    Overlap,
}

/// One oddity, with the absolute offset of the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub offset: u64,
    pub detail: String,
}

/// A parsed GGUF header.
#[derive(Debug, Clone)]
pub struct Gguf<'a> {
    pub version: u32,
    pub endian: Endian,
    pub tensor_count: u64,
    pub kv_count: u64,
    pub kvs: Vec<Kv<'a>>,
    pub tensors: Vec<TensorInfo<'a>>,
    /// The alignment in force (`general.alignment` when valid).
    pub alignment: u64,
    /// Absolute offset of the data section, when the tensor infos were read.
    pub data_start: Option<u64>,
    pub anomalies: Vec<Anomaly>,
    pub anomalies_omitted: usize,
    /// Why parsing stopped early; `None` when the header was read to its end.
    pub stop: Option<GgufError>,
}

impl Gguf<'_> {
    fn note(&mut self, kind: AnomalyKind, offset: u64, detail: String) {
        if self.anomalies.len() < MAX_ANOMALIES {
            self.anomalies.push(Anomaly {
                kind,
                offset,
                detail,
            });
        } else {
            self.anomalies_omitted += 1;
        }
    }

    /// The value of `key`, if present (the first, when duplicated).
    pub fn get(&self, key: &str) -> Option<&Value<'_>> {
        self.kvs
            .iter()
            .find(|kv| kv.key.bytes == key.as_bytes())
            .map(|kv| &kv.value)
    }
}

/// Does `head` start with the GGUF magic?
pub fn looks_like(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// Parse the GGUF header of `data` (the whole file; tensor data is never
/// read). `Err` only when the preamble (magic, version) is unusable.
pub fn parse(data: &[u8]) -> Result<Gguf<'_>, GgufError> {
    if !looks_like(data) {
        return Err(GgufError::BadMagic);
    }
    let version_le = crate::bytes::u32_at(data, 4).ok_or(GgufError::Truncated {
        offset: 4,
        what: "the version",
    })?;
    let (version, endian) = match (version_le, version_le.swap_bytes()) {
        (v @ 1..=3, _) => (v, Endian::Little),
        (_, v @ 1..=3) => (v, Endian::Big),
        _ => {
            return Err(GgufError::UnsupportedVersion {
                version: version_le,
            });
        }
    };
    let mut g = Gguf {
        version,
        endian,
        tensor_count: 0,
        kv_count: 0,
        kvs: Vec::new(),
        tensors: Vec::new(),
        alignment: DEFAULT_ALIGNMENT,
        data_start: None,
        anomalies: Vec::new(),
        anomalies_omitted: 0,
        stop: None,
    };
    let mut r = Reader::new(data, 8, endian, version >= 2);
    if let Err(e) = parse::read_body(&mut r, &mut g, data.len() as u64) {
        g.stop = Some(e);
    }
    Ok(g)
}
