//! Tensor views over storages: checking that a view fits its storage, and
//! writing its elements out contiguous, row-major and little-endian.
//!
//! safetensors holds contiguous row-major data, so a view with other strides
//! (a transposed weight, a strided slice, a Fortran-order `.npy`) is
//! materialised by walking its strides; several views of one storage (tied
//! weights, slices) each get their own copy. All arithmetic is checked
//! before any byte is written, so writing cannot index out of bounds.

use std::io::Write;

use crate::{ConvertError, Entry, View};

/// Bytes buffered before a write when gathering a strided view.
const CHUNK: usize = 1 << 20;

fn bad(name: &str, detail: impl Into<String>) -> ConvertError {
    ConvertError::View {
        name: name.to_string(),
        detail: detail.into(),
    }
}

fn numel(v: &View) -> Option<u64> {
    v.shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d))
}

/// Bytes the tensor takes in the output.
pub(crate) fn byte_len(v: &View) -> Option<u64> {
    numel(v)?.checked_mul(v.dtype.size())
}

/// Check that every element of the view lies inside a storage of
/// `storage_len` bytes.
pub(crate) fn check(e: &Entry, storage_len: u64) -> Result<(), ConvertError> {
    let v = &e.view;
    if v.shape.len() != v.strides.len() {
        return Err(bad(&e.name, "shape and strides differ in length"));
    }
    let n = numel(v).ok_or_else(|| bad(&e.name, "element count overflows"))?;
    byte_len(v).ok_or_else(|| bad(&e.name, "byte length overflows"))?;
    if n == 0 {
        return Ok(());
    }
    let last = v
        .shape
        .iter()
        .zip(&v.strides)
        .try_fold(v.offset, |acc, (&d, &s)| {
            d.checked_sub(1)?.checked_mul(s)?.checked_add(acc)
        })
        .ok_or_else(|| bad(&e.name, "view extent overflows"))?;
    let end = last
        .checked_add(1)
        .and_then(|x| x.checked_mul(v.dtype.size()))
        .ok_or_else(|| bad(&e.name, "view extent overflows"))?;
    if end > storage_len {
        return Err(bad(
            &e.name,
            format!("view reaches byte {end} of a storage of {storage_len} bytes"),
        ));
    }
    Ok(())
}

/// Row-major contiguous, ignoring dimensions of size 1.
fn contiguous(v: &View) -> bool {
    let mut expect = 1u64;
    for (&d, &s) in v.shape.iter().zip(&v.strides).rev() {
        if d != 1 && s != expect {
            return false;
        }
        expect = expect.saturating_mul(d);
    }
    true
}

fn emit(out: &mut dyn Write, bytes: &[u8], v: &View) -> std::io::Result<()> {
    if !v.swap || v.dtype.size() == 1 {
        return out.write_all(bytes);
    }
    let es = v.dtype.size() as usize;
    let mut buf = Vec::with_capacity(CHUNK.min(bytes.len()));
    for chunk in bytes.chunks(CHUNK - CHUNK % es) {
        buf.clear();
        buf.extend_from_slice(chunk);
        for el in buf.chunks_exact_mut(es) {
            el.reverse();
        }
        out.write_all(&buf)?;
    }
    Ok(())
}

/// Write the view's elements; `check` must have passed for this storage.
pub(crate) fn write_view(
    e: &Entry,
    storage: &[u8],
    out: &mut dyn Write,
) -> Result<(), ConvertError> {
    let v = &e.view;
    let overflow = || bad(&e.name, "view extent overflows");
    let es = v.dtype.size();
    let total = byte_len(v).ok_or_else(overflow)?;
    if total == 0 {
        return Ok(());
    }
    let at = |elem: u64| -> Result<usize, ConvertError> {
        elem.checked_mul(es)
            .and_then(|b| usize::try_from(b).ok())
            .ok_or_else(overflow)
    };
    if contiguous(v) {
        let start = at(v.offset)?;
        let end = start
            .checked_add(usize::try_from(total).map_err(|_| overflow())?)
            .ok_or_else(overflow)?;
        let bytes = storage.get(start..end).ok_or_else(overflow)?;
        return Ok(emit(out, bytes, v)?);
    }
    // Innermost dimension copied as one run when its stride is 1.
    let rank = v.shape.len();
    let (outer, run) = match (v.shape.last(), v.strides.last()) {
        (Some(&d), Some(1)) => (rank - 1, d),
        _ => (rank, 1),
    };
    let run_bytes =
        usize::try_from(run.checked_mul(es).ok_or_else(overflow)?).map_err(|_| overflow())?;
    let shape = v.shape.get(..outer).unwrap_or_default();
    let strides = v.strides.get(..outer).unwrap_or_default();
    let mut idx = vec![0u64; outer];
    let mut buf = Vec::with_capacity(CHUNK.max(run_bytes).min(total as usize));
    loop {
        let elem = idx
            .iter()
            .zip(strides)
            .try_fold(v.offset, |acc, (&i, &s)| i.checked_mul(s)?.checked_add(acc))
            .ok_or_else(overflow)?;
        let start = at(elem)?;
        let end = start.checked_add(run_bytes).ok_or_else(overflow)?;
        buf.extend_from_slice(storage.get(start..end).ok_or_else(overflow)?);
        if buf.len() >= CHUNK {
            emit(out, &buf, v)?;
            buf.clear();
        }
        // Odometer over the outer dimensions, last fastest.
        let mut k = outer;
        loop {
            let Some(k1) = k.checked_sub(1) else {
                emit(out, &buf, v)?;
                return Ok(());
            };
            k = k1;
            if let (Some(i), Some(&d)) = (idx.get_mut(k), shape.get(k)) {
                *i += 1;
                if *i < d {
                    break;
                }
                *i = 0;
            }
        }
    }
}
