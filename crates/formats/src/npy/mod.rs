//! The `.npy` header: magic, version, header length, and the Python dict
//! literal that says the dtype, memory order and shape.
//!
//! Its job for the scanner is to say whether the data section is a pickle
//! (`has_object_dtype`: numpy pickles object arrays, structured dtypes with
//! an object field, and StringDType), and otherwise how long the raw data
//! should be, so truncation and appended payloads show up. It follows
//! numpy's `lib/_format_impl.py` (numpy 2.4): versions 1.0 and 2.0 have
//! latin-1 headers with a u16 / u32 length, 3.0 a UTF-8 header with a u32
//! length; numpy parses the dict with `ast.literal_eval` and, with
//! `allow_pickle=False` only, refuses headers over 10000 characters.
//!
//! It must not evaluate anything or trust the shape for an allocation: it
//! parses a bounded literal subset and computes sizes with checked
//! arithmetic. `.npz` files are zips of `.npy` members (see
//! [`crate::zip`]); nothing here is specific to them.

mod dtype;
mod literal;

#[cfg(test)]
mod tests;

use literal::Value;

/// The six bytes every `.npy` file starts with.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Most header bytes parsed; numpy's own cap can be lifted by the loader
/// (`allow_pickle=True` sets it to 2**64), so ours is well above it.
pub const MAX_HEADER_LEN: u64 = 1 << 20;
/// numpy's `_MAX_HEADER_SIZE`: longer headers load only with `allow_pickle=True`.
pub const NUMPY_MAX_HEADER_SIZE: usize = 10_000;
/// numpy's `ARRAY_ALIGN`: writers pad the header so data starts on it.
pub const ARRAY_ALIGN: u64 = 64;
/// The alignment numpy before 1.14 used; less than this is an anomaly.
pub const MIN_ARRAY_ALIGN: u64 = 16;
/// Deepest nesting of brackets in the header literal.
pub const MAX_LITERAL_DEPTH: usize = 32;
/// Most values (strings, numbers, containers) in the header literal.
pub const MAX_LITERAL_NODES: usize = 65_536;
/// Most dimensions in a shape (numpy 2's `NPY_MAXDIMS`).
pub const MAX_DIMS: usize = 64;
/// Largest data section accepted for a plain dtype (1 TiB).
pub const MAX_DATA_LEN: u64 = 1 << 40;

/// Why a header could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpyError {
    /// Fewer bytes than the magic, version and header length need.
    #[error("too short for an .npy preamble")]
    TooShort,
    /// The first six bytes are not `\x93NUMPY`.
    #[error("bad magic")]
    BadMagic,
    /// A version other than 1.0, 2.0 or 3.0 (numpy refuses them too).
    #[error("unsupported format version {major}.{minor}")]
    UnsupportedVersion {
        /// Major version byte.
        major: u8,
        /// Minor version byte.
        minor: u8,
    },
    /// The header length field exceeds [`MAX_HEADER_LEN`].
    #[error("header of {len} bytes, over the limit of {limit}")]
    HeaderTooLong {
        /// Claimed header length.
        len: u64,
        /// The limit, [`MAX_HEADER_LEN`].
        limit: u64,
    },
    /// The input ends inside the header.
    #[error("header claims {claimed} bytes, only {available} present")]
    HeaderTruncated {
        /// Claimed header length.
        claimed: u64,
        /// Bytes present after the length field.
        available: u64,
    },
    /// A version 3.0 header that is not UTF-8.
    #[error("version 3.0 header is not UTF-8")]
    NotUtf8,
    /// The header is not a Python literal of the accepted subset.
    #[error("header syntax error at {offset}: {message}")]
    Syntax {
        /// Character offset in the header text.
        offset: usize,
        /// What was wrong.
        message: String,
    },
    /// The literal nests deeper than [`MAX_LITERAL_DEPTH`].
    #[error("header literal nested deeper than {limit}")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The literal has more than [`MAX_LITERAL_NODES`] values.
    #[error("header literal has more than {limit} values")]
    TooManyNodes {
        /// The limit.
        limit: usize,
    },
    /// The literal is not a dict with exactly `descr`, `fortran_order`, `shape`.
    #[error("header is not a dict of descr, fortran_order and shape: {0}")]
    BadKeys(String),
    /// `fortran_order` is not `True` or `False`.
    #[error("fortran_order is not a bool")]
    BadFortranOrder,
    /// `shape` is not a tuple of non-negative integers within [`MAX_DIMS`].
    #[error("bad shape: {0}")]
    BadShape(String),
    /// `descr` is not a dtype description numpy accepts.
    #[error("bad descr: {0}")]
    BadDescr(String),
    /// The data length of a plain dtype overflows or exceeds [`MAX_DATA_LEN`].
    #[error("data section over limit: {0}")]
    DataTooLarge(String),
}

/// What kind of oddity an anomaly records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NpyAnomalyKind {
    /// Fewer data bytes than shape × item size: numpy fails to load it.
    Truncated,
    /// More data bytes than shape × item size: numpy ignores them, so they
    /// can hide a payload for another reader.
    TrailingData,
    /// Header longer than [`NUMPY_MAX_HEADER_SIZE`]: numpy loads it only
    /// with `allow_pickle=True`.
    HeaderOverNumpyLimit,
    /// The data offset is not a multiple of [`MIN_ARRAY_ALIGN`]; no numpy
    /// writer produces that.
    Misaligned,
    /// The dtype string is not one this parser knows; the item size is
    /// unknown and the data may hold anything.
    UnrecognisedDtype,
    /// The header dict repeats a key; the last value wins, as in Python.
    DuplicateKey,
    /// An integer with a Python 2 `L` suffix (numpy filters these for
    /// versions 1.0 and 2.0 only; version 3.0 refuses them).
    Python2Long,
}

/// One oddity, with a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyAnomaly {
    /// What kind of oddity.
    pub kind: NpyAnomalyKind,
    /// What exactly.
    pub detail: String,
}

/// A dtype description as written in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Descr {
    /// A type string such as `<f8`, `|O` or `i4, O`.
    Simple(String),
    /// A list of named fields.
    Structured(Vec<Field>),
    /// `(base, shape)`: each item is an array of `base`.
    Subarray {
        /// The element type.
        base: Box<Descr>,
        /// The subarray shape.
        shape: Vec<u64>,
    },
}

/// One field of a structured dtype.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Field name (`''` for padding).
    pub name: String,
    /// Optional title, from a `(title, name)` pair.
    pub title: Option<String>,
    /// Field type.
    pub descr: Descr,
    /// Subarray shape, from a three-element field tuple.
    pub shape: Option<Vec<u64>>,
}

/// A shape as Python writes a tuple: `(2,)`, `(2, 3)`, `()`.
fn fmt_shape(f: &mut std::fmt::Formatter<'_>, shape: &[u64]) -> std::fmt::Result {
    match shape {
        [one] => write!(f, "({one},)"),
        _ => {
            f.write_str("(")?;
            for (i, d) in shape.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{d}")?;
            }
            f.write_str(")")
        }
    }
}

/// Python-like, as numpy prints a `descr`: `'|O'`, `[('a', '<f8'), ('b', '|O', (2,))]`.
impl std::fmt::Display for Descr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Descr::Simple(s) => write!(f, "'{}'", s.escape_debug()),
            Descr::Structured(fields) => {
                f.write_str("[")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str("(")?;
                    match &field.title {
                        Some(t) => write!(
                            f,
                            "('{}', '{}')",
                            t.escape_debug(),
                            field.name.escape_debug()
                        )?,
                        None => write!(f, "'{}'", field.name.escape_debug())?,
                    }
                    write!(f, ", {}", field.descr)?;
                    if let Some(shape) = &field.shape {
                        f.write_str(", ")?;
                        fmt_shape(f, shape)?;
                    }
                    f.write_str(")")?;
                }
                f.write_str("]")
            }
            Descr::Subarray { base, shape } => {
                write!(f, "({base}, ")?;
                fmt_shape(f, shape)?;
                f.write_str(")")
            }
        }
    }
}

/// A parsed `.npy` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Format version (major, minor).
    pub version: (u8, u8),
    /// The dtype description.
    pub descr: Descr,
    /// Whether the data is in Fortran (column-major) order.
    pub fortran_order: bool,
    /// Array shape; empty for a scalar.
    pub shape: Vec<u64>,
    /// Where the data section starts.
    pub data_offset: u64,
    /// The dtype holds Python objects: the data section is a pickle that
    /// `numpy.load(allow_pickle=True)` unpickles.
    pub has_object_dtype: bool,
    /// Bytes per item, when the dtype is plain and recognised.
    pub item_size: Option<u64>,
    /// Expected data section length (`item_size` × number of items).
    pub data_len: Option<u64>,
    /// Oddities found.
    pub anomalies: Vec<NpyAnomaly>,
}

/// Parses a whole `.npy` file (or mapped bytes): header, plus the check that
/// the data section is as long as the header implies.
pub fn parse(data: &[u8]) -> Result<Header, NpyError> {
    parse_head(data, data.len() as u64)
}

/// Parses the header from the first bytes of a file whose total length is
/// `file_len` (e.g. a streamed `.npz` member, whose length the zip gives).
pub fn parse_head(head: &[u8], file_len: u64) -> Result<Header, NpyError> {
    let preamble = head.get(..8).ok_or(NpyError::TooShort)?;
    if preamble.get(..6) != Some(&MAGIC[..]) {
        return Err(NpyError::BadMagic);
    }
    let (major, minor) = match preamble {
        [.., major, minor] => (*major, *minor),
        _ => return Err(NpyError::TooShort),
    };
    let (len_bytes, utf8) = match (major, minor) {
        (1, 0) => (2u64, false),
        (2, 0) => (4, false),
        (3, 0) => (4, true),
        _ => return Err(NpyError::UnsupportedVersion { major, minor }),
    };
    let header_len = match len_bytes {
        2 => crate::bytes::u16_at(head, 8).map(u64::from),
        _ => crate::bytes::u32_at(head, 8).map(u64::from),
    }
    .ok_or(NpyError::TooShort)?;
    if header_len > MAX_HEADER_LEN {
        return Err(NpyError::HeaderTooLong {
            len: header_len,
            limit: MAX_HEADER_LEN,
        });
    }
    let text_at = 8 + len_bytes;
    let raw = crate::bytes::slice(head, text_at, header_len).ok_or(NpyError::HeaderTruncated {
        claimed: header_len,
        available: (head.len() as u64).saturating_sub(text_at),
    })?;
    let text: String = if utf8 {
        std::str::from_utf8(raw)
            .map_err(|_| NpyError::NotUtf8)?
            .to_string()
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    };
    let mut header = interpret(&text, (major, minor))?;
    header.data_offset = text_at + header_len;
    header
        .anomalies
        .extend(layout_anomalies(&header, &text, file_len));
    Ok(header)
}

/// The dict literal to a header (data offset and layout filled in later).
fn interpret(text: &str, version: (u8, u8)) -> Result<Header, NpyError> {
    let (value, notes) = literal::parse(text)?;
    let mut anomalies = Vec::new();
    if notes.long_suffix {
        if version.0 >= 3 {
            return Err(NpyError::Syntax {
                offset: 0,
                message: "Python 2 long suffix in a version 3.0 header".into(),
            });
        }
        anomalies.push(anomaly(
            NpyAnomalyKind::Python2Long,
            "integer with an `L` suffix (Python 2 writer, or crafted)",
        ));
    }
    let Value::Dict(pairs) = value else {
        return Err(NpyError::BadKeys("not a dict".into()));
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    for (key, value) in pairs {
        let slot = match &key {
            Value::Str(k) if k == "descr" => &mut descr,
            Value::Str(k) if k == "fortran_order" => &mut fortran,
            Value::Str(k) if k == "shape" => &mut shape,
            other => return Err(NpyError::BadKeys(format!("unexpected key {other:?}"))),
        };
        if slot.replace(value).is_some() {
            anomalies.push(anomaly(
                NpyAnomalyKind::DuplicateKey,
                format!("key {key:?} repeated; the last value is used"),
            ));
        }
    }
    let missing = |k: &str| NpyError::BadKeys(format!("missing {k:?}"));
    let (descr, class) = dtype::interpret(&descr.ok_or_else(|| missing("descr"))?)?;
    let fortran_order = match fortran.ok_or_else(|| missing("fortran_order"))? {
        Value::Bool(b) => b,
        _ => return Err(NpyError::BadFortranOrder),
    };
    let shape = match shape.ok_or_else(|| missing("shape"))? {
        tuple @ Value::Tuple(_) => dtype::dims(&tuple)?,
        other => return Err(NpyError::BadShape(format!("{other:?} is not a tuple"))),
    };
    let (has_object_dtype, item_size) = match class {
        dtype::Class::Object => (true, None),
        dtype::Class::Plain(n) => (false, Some(n)),
        dtype::Class::Unrecognised => {
            anomalies.push(anomaly(
                NpyAnomalyKind::UnrecognisedDtype,
                format!("dtype {descr:?} is not recognised"),
            ));
            (false, None)
        }
    };
    // Object arrays are unpickled whatever the shape says, so an absurd
    // shape there is no reason to stop looking at the pickle.
    let data_len = match item_size {
        Some(size) => Some(data_len(&shape, size)?),
        None => None,
    };
    Ok(Header {
        version,
        descr,
        fortran_order,
        shape,
        data_offset: 0,
        has_object_dtype,
        item_size,
        data_len,
        anomalies,
    })
}

fn data_len(shape: &[u64], item_size: u64) -> Result<u64, NpyError> {
    let len = dtype::product(shape)
        .and_then(|n| n.checked_mul(item_size))
        .ok_or_else(|| NpyError::DataTooLarge(format!("shape {shape:?} overflows")))?;
    if len > MAX_DATA_LEN {
        return Err(NpyError::DataTooLarge(format!(
            "{len} bytes, over the limit of {MAX_DATA_LEN}"
        )));
    }
    Ok(len)
}

fn layout_anomalies(header: &Header, text: &str, file_len: u64) -> Vec<NpyAnomaly> {
    let mut out = Vec::new();
    let chars = text.chars().count();
    if chars > NUMPY_MAX_HEADER_SIZE {
        out.push(anomaly(
            NpyAnomalyKind::HeaderOverNumpyLimit,
            format!(
                "header of {chars} characters; numpy refuses over {NUMPY_MAX_HEADER_SIZE} unless allow_pickle=True"
            ),
        ));
    }
    if !header.data_offset.is_multiple_of(MIN_ARRAY_ALIGN) {
        out.push(anomaly(
            NpyAnomalyKind::Misaligned,
            format!(
                "data starts at {}, not a multiple of {MIN_ARRAY_ALIGN}",
                header.data_offset
            ),
        ));
    }
    if let Some(expected) = header.data_len {
        let present = file_len.saturating_sub(header.data_offset);
        if present < expected {
            out.push(anomaly(
                NpyAnomalyKind::Truncated,
                format!("{present} data bytes, shape and dtype need {expected}"),
            ));
        } else if present > expected {
            out.push(anomaly(
                NpyAnomalyKind::TrailingData,
                format!(
                    "{} bytes after the {expected} data bytes",
                    present - expected
                ),
            ));
        }
    }
    out
}

fn anomaly(kind: NpyAnomalyKind, detail: impl Into<String>) -> NpyAnomaly {
    NpyAnomaly {
        kind,
        detail: detail.into(),
    }
}
