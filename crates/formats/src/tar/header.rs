//! One 512-byte tar header: checksum, numeric fields (octal or GNU
//! base-256), name fields, and the pax `key=value` records.
//!
//! Pure decoding over a fixed block; no I/O and no allocation beyond the
//! names it returns.

use super::{MAX_NAME_LEN, TarError};

pub(super) const BLOCK: usize = 512;

/// Header magic for POSIX ustar and for GNU tar.
const USTAR_POSIX: &[u8] = b"ustar\0";
const USTAR_GNU: &[u8] = b"ustar ";

fn field(block: &[u8; BLOCK], start: usize, len: usize) -> &[u8] {
    block.get(start..start + len).unwrap_or_default()
}

/// Bytes of a NUL-terminated field.
fn cstr(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    bytes.get(..end).unwrap_or_default()
}

/// True if all 512 bytes are zero: the end-of-archive marker.
pub(super) fn is_zero(block: &[u8; BLOCK]) -> bool {
    block.iter().all(|&b| b == 0)
}

/// True if the header's checksum matches, summing bytes as unsigned or (as
/// some old tars did) as signed, with the checksum field taken as spaces.
pub(super) fn checksum_ok(block: &[u8; BLOCK]) -> bool {
    let Some(stored) = number(field(block, 148, 8)) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// An octal field (spaces and NULs around the digits allowed) or a GNU
/// base-256 field (high bit of the first byte set). `None` if malformed or
/// over `u64`.
pub(super) fn number(bytes: &[u8]) -> Option<u64> {
    match bytes.split_first() {
        Some((&first, rest)) if first & 0x80 != 0 => {
            if first & 0x40 != 0 {
                return None; // negative
            }
            let mut v = u64::from(first & 0x3f);
            for &b in rest {
                v = v.checked_mul(256)?.checked_add(u64::from(b))?;
            }
            Some(v)
        }
        _ => {
            let text = cstr(bytes);
            let digits = text.trim_ascii();
            let mut v = 0u64;
            for &b in digits {
                if !(b'0'..=b'7').contains(&b) {
                    return None;
                }
                v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
            }
            Some(v)
        }
    }
}

/// The fields of one header that the reader needs.
pub(super) struct Raw {
    pub name: Vec<u8>,
    pub link: Vec<u8>,
    pub size: u64,
    pub typeflag: u8,
}

pub(super) fn decode(block: &[u8; BLOCK], offset: u64) -> Result<Raw, TarError> {
    if !checksum_ok(block) {
        return Err(TarError::BadChecksum { offset });
    }
    let size = number(field(block, 124, 12)).ok_or(TarError::BadNumber {
        field: "size",
        offset,
    })?;
    let mut name = cstr(field(block, 0, 100)).to_vec();
    if field(block, 257, 6) == USTAR_POSIX {
        let prefix = cstr(field(block, 345, 155));
        if !prefix.is_empty() {
            let mut full = prefix.to_vec();
            full.push(b'/');
            full.extend_from_slice(&name);
            name = full;
        }
    }
    Ok(Raw {
        name,
        link: cstr(field(block, 157, 100)).to_vec(),
        size,
        typeflag: block.get(156).copied().unwrap_or(0),
    })
}

/// True if `block` looks like a tar header: ustar magic, or a valid v7
/// checksum on a block that is not all zeros.
pub(super) fn looks_like_header(block: &[u8; BLOCK]) -> bool {
    let magic = field(block, 257, 6);
    (magic == USTAR_POSIX || magic == USTAR_GNU) || (!is_zero(block) && checksum_ok(block))
}

/// Values a pax extended header can override.
#[derive(Default)]
pub(super) struct Pax {
    pub path: Option<Vec<u8>>,
    pub linkpath: Option<Vec<u8>>,
    pub size: Option<u64>,
}

/// Parses `"<len> <key>=<value>\n"` records; lengths are checked against
/// the body so a record can never point outside it.
pub(super) fn pax(body: &[u8], offset: u64) -> Result<Pax, TarError> {
    let bad = |why: &str| TarError::BadPax {
        offset,
        reason: why.to_string(),
    };
    let mut out = Pax::default();
    let mut rest = body;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| bad("no length"))?;
        let len_text = rest.get(..space).ok_or_else(|| bad("no length"))?;
        let len: usize = std::str::from_utf8(len_text)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| bad("bad length"))?;
        let record = rest.get(..len).ok_or_else(|| bad("record past the end"))?;
        rest = rest.get(len..).unwrap_or_default();
        let kv = record
            .get(space + 1..)
            .and_then(|r| r.strip_suffix(b"\n"))
            .ok_or_else(|| bad("record not newline-terminated"))?;
        let eq = kv
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| bad("no '='"))?;
        let (key, value) = (
            kv.get(..eq).unwrap_or_default(),
            kv.get(eq + 1..).unwrap_or_default(),
        );
        match key {
            b"path" => out.path = Some(bounded_name(value, offset)?),
            b"linkpath" => out.linkpath = Some(bounded_name(value, offset)?),
            b"size" => {
                let size = std::str::from_utf8(value)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| bad("bad size"))?;
                out.size = Some(size);
            }
            _ => {}
        }
    }
    Ok(out)
}

pub(super) fn bounded_name(value: &[u8], offset: u64) -> Result<Vec<u8>, TarError> {
    let value = cstr(value);
    if value.len() > MAX_NAME_LEN {
        return Err(TarError::NameTooLong {
            offset,
            limit: MAX_NAME_LEN,
        });
    }
    Ok(value.to_vec())
}
