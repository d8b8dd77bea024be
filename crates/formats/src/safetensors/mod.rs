//! The safetensors header: an 8-byte little-endian length, then that many
//! bytes of JSON naming every tensor's dtype, shape and byte range in the
//! data section that follows, plus an optional `__metadata__` map of
//! strings.
//!
//! It follows the reference reader (`safetensors::SafeTensors::read_metadata`,
//! which `safetensors.torch.load_file` and `safe_open` use): a header of at
//! most 100 MB, a JSON object, known dtypes, `shape × dtype size` equal to
//! the byte range, ranges that tile the data section from its first byte to
//! the last with no gap, overlap or trailing byte. Where the reference
//! silently picks one reading (duplicate keys: the last wins), the oddity is
//! recorded as an anomaly, because another reader may pick the other.
//!
//! It reads only the header bytes and the input's length: tensor data is
//! never touched, so a 10 GB memory-mapped file costs its first pages. Every
//! count and length is bounded by a named limit before anything is
//! allocated for it.

mod header;
mod layout;

#[cfg(test)]
mod tests;

use crate::bytes::u64_at;

/// Longest header accepted: the reference reader's `MAX_HEADER_SIZE`.
pub const MAX_HEADER_LEN: u64 = 100_000_000;
/// Most tensors kept from one header (real files hold a few thousand).
pub const MAX_TENSORS: usize = 1 << 19;
/// Most dimensions of one tensor's shape (numpy's and PyTorch's maximum).
pub const MAX_RANK: usize = 64;
/// Longest tensor name or metadata key accepted.
pub const MAX_NAME_LEN: usize = 1 << 16;
/// Most anomalies recorded; the rest are counted in `anomalies_omitted`.
pub const MAX_ANOMALIES: usize = 100;

/// Why a header could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafetensorsError {
    /// Fewer than the eight bytes of the length field.
    #[error("file of {len} bytes is too short for the 8-byte header length")]
    TooShort {
        /// Bytes present.
        len: u64,
    },
    /// The length field exceeds [`MAX_HEADER_LEN`] (the reference refuses it).
    #[error("header length {len} is over the limit of {limit} bytes")]
    HeaderTooLarge {
        /// Claimed header length.
        len: u64,
        /// The limit, [`MAX_HEADER_LEN`].
        limit: u64,
    },
    /// The header runs past the end of the input.
    #[error("header claims {len} bytes but only {available} follow the length field")]
    HeaderTruncated {
        /// Claimed header length.
        len: u64,
        /// Bytes present after the length field.
        available: u64,
    },
    /// The header does not start with `{`.
    #[error("header does not start with '{{'")]
    NotAnObject,
    /// The header is not valid UTF-8 JSON, or violates a structural limit
    /// (nesting, [`MAX_TENSORS`], [`MAX_RANK`], [`MAX_NAME_LEN`]).
    #[error("header is not a valid JSON object: {0}")]
    Json(String),
}

/// A tensor dtype that safetensors knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dtype {
    /// The name used in the header (`F32`, `BF16`, ...).
    pub name: &'static str,
    /// Bits per element; sub-byte types pack several elements per byte.
    pub bits: u64,
}

/// Every dtype of the reference reader (0.6), with its element size.
pub const DTYPES: &[Dtype] = &[
    Dtype {
        name: "BOOL",
        bits: 8,
    },
    Dtype {
        name: "F4",
        bits: 4,
    },
    Dtype {
        name: "F6_E2M3",
        bits: 6,
    },
    Dtype {
        name: "F6_E3M2",
        bits: 6,
    },
    Dtype {
        name: "U8",
        bits: 8,
    },
    Dtype {
        name: "I8",
        bits: 8,
    },
    Dtype {
        name: "F8_E5M2",
        bits: 8,
    },
    Dtype {
        name: "F8_E4M3",
        bits: 8,
    },
    Dtype {
        name: "F8_E8M0",
        bits: 8,
    },
    Dtype {
        name: "F8_E4M3FNUZ",
        bits: 8,
    },
    Dtype {
        name: "F8_E5M2FNUZ",
        bits: 8,
    },
    Dtype {
        name: "I16",
        bits: 16,
    },
    Dtype {
        name: "U16",
        bits: 16,
    },
    Dtype {
        name: "F16",
        bits: 16,
    },
    Dtype {
        name: "BF16",
        bits: 16,
    },
    Dtype {
        name: "I32",
        bits: 32,
    },
    Dtype {
        name: "U32",
        bits: 32,
    },
    Dtype {
        name: "F32",
        bits: 32,
    },
    Dtype {
        name: "C64",
        bits: 64,
    },
    Dtype {
        name: "F64",
        bits: 64,
    },
    Dtype {
        name: "I64",
        bits: 64,
    },
    Dtype {
        name: "U64",
        bits: 64,
    },
];

/// The dtype named `name`, if safetensors knows it.
pub fn dtype(name: &str) -> Option<Dtype> {
    DTYPES.iter().copied().find(|d| d.name == name)
}

/// One tensor entry as the header declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tensor {
    pub name: String,
    /// The dtype string as written (known or not; see [`dtype`]).
    pub dtype: String,
    pub shape: Vec<u64>,
    /// `[start, end)` relative to the data section, when well-formed.
    pub data_offsets: Option<(u64, u64)>,
    /// Absolute byte offset of the data (data section start + `start`), when
    /// it does not overflow.
    pub file_offset: Option<u64>,
}

/// A `__metadata__` value: the reference accepts strings only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaValue {
    Str(String),
    /// Any other JSON value; the kind (`number`, `array`, ...) is kept.
    Other(&'static str),
}

/// What kind of oddity an anomaly records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnomalyKind {
    /// A key appears twice (top level, in a tensor entry, or in `__metadata__`);
    /// the reference keeps the last, other readers the first.
    DuplicateKey,
    /// A tensor entry is not an object of `dtype`, `shape`, `data_offsets`
    /// of the right JSON types.
    BadEntry,
    /// A dtype the reference does not know.
    UnknownDtype,
    /// `shape × dtype size` overflows, or is not a whole number of bytes.
    SizeOverflow,
    /// The byte range does not match `shape × dtype size`, or ends before it starts.
    SizeMismatch,
    /// Bytes of the data section that no tensor covers, between tensors.
    Gap,
    /// Two tensors share bytes.
    Overlap,
    /// A tensor ends past the end of the input (truncated download or a lie).
    DataPastEnd,
    /// Bytes after the last tensor's end.
    TrailingBytes,
    /// `__metadata__` is not an object of strings.
    BadMetadata,
}

/// One oddity, with the tensor or key it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub detail: String,
    /// Absolute file offset the anomaly is about, when there is one.
    pub offset: Option<u64>,
}

/// A parsed header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// The length field: JSON bytes after the first eight.
    pub header_len: u64,
    /// Absolute offset of the data section (`8 + header_len`).
    pub data_start: u64,
    /// Tensors in header order (duplicates included).
    pub tensors: Vec<Tensor>,
    /// `__metadata__` pairs in header order (duplicates included).
    pub metadata: Vec<(String, MetaValue)>,
    /// Bytes after the last tensor's end: `(absolute offset, length)`.
    pub trailing: Option<(u64, u64)>,
    pub anomalies: Vec<Anomaly>,
    /// Anomalies beyond [`MAX_ANOMALIES`], counted only.
    pub anomalies_omitted: usize,
}

impl Header {
    fn note(&mut self, kind: AnomalyKind, offset: Option<u64>, detail: String) {
        if self.anomalies.len() < MAX_ANOMALIES {
            self.anomalies.push(Anomaly {
                kind,
                detail,
                offset,
            });
        } else {
            self.anomalies_omitted += 1;
        }
    }
}

/// Does `head` start like a safetensors file (a length, then a JSON object)?
pub fn looks_like(head: &[u8]) -> bool {
    let len = u64_at(head, 0).unwrap_or(0);
    len >= 2
        && head.get(8) == Some(&b'{')
        && matches!(
            head.get(9),
            Some(b'"' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
        )
}

/// Parse the header of the safetensors file `data` (the whole file: only
/// its header bytes are read, and its length is compared with the ranges).
pub fn parse(data: &[u8]) -> Result<Header, SafetensorsError> {
    let file_len = data.len() as u64;
    let len = u64_at(data, 0).ok_or(SafetensorsError::TooShort { len: file_len })?;
    if len > MAX_HEADER_LEN {
        return Err(SafetensorsError::HeaderTooLarge {
            len,
            limit: MAX_HEADER_LEN,
        });
    }
    let available = file_len.saturating_sub(8);
    let json = crate::bytes::slice(data, 8, len)
        .ok_or(SafetensorsError::HeaderTruncated { len, available })?;
    if json.first() != Some(&b'{') {
        return Err(SafetensorsError::NotAnObject);
    }
    let raw = header::read(json).map_err(|e| SafetensorsError::Json(e.to_string()))?;
    let mut h = Header {
        header_len: len,
        data_start: 8 + len,
        ..Header::default()
    };
    layout::check(raw, &mut h, file_len);
    Ok(h)
}
