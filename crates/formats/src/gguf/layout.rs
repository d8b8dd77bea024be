//! Tensor infos checked against the type table, each other and the input's
//! length: what llama.cpp's `gguf_init_from_file` and model loader refuse,
//! and what its older versions trusted (the parser CVEs).

use super::{AnomalyKind, Gguf, ggml_type, ggml_type_name};

/// Largest dimension and element count ggml accepts (`ne` is `int64_t`).
const MAX_NE: u64 = i64::MAX as u64;

/// At most 64 characters of a hostile string, for messages.
pub(super) fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Data bytes of a tensor, or why they cannot be computed.
fn nbytes(dims: &[u64], type_id: u32) -> Result<Option<u64>, (AnomalyKind, String)> {
    if let Some(d) = dims.iter().find(|d| **d > MAX_NE) {
        return Err((
            AnomalyKind::DimsOverflow,
            format!("dimension {d} is over i64::MAX"),
        ));
    }
    let numel = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .filter(|n| *n <= MAX_NE)
        .ok_or((
            AnomalyKind::DimsOverflow,
            format!("dims {dims:?} multiply past i64::MAX"),
        ))?;
    let Some(ty) = ggml_type(type_id) else {
        return Err((
            AnomalyKind::BadType,
            format!("ggml type {}", ggml_type_name(type_id)),
        ));
    };
    let Some(size) = ty.size else {
        return Ok(None);
    };
    let ne0 = dims.first().copied().unwrap_or(1);
    if ne0 % ty.block != 0 {
        return Err((
            AnomalyKind::BlockMisfit,
            format!(
                "first dimension {ne0} is not a multiple of {}'s block of {}",
                ty.name, ty.block
            ),
        ));
    }
    // numel is a multiple of ne0, itself a multiple of the block.
    (numel / ty.block)
        .checked_mul(size)
        .map(Some)
        .ok_or((AnomalyKind::DimsOverflow, "byte size overflows".into()))
}

pub(super) fn check(g: &mut Gguf<'_>, file_len: u64) {
    let mut names: Vec<(&[u8], u64)> = g
        .tensors
        .iter()
        .map(|t| (t.name.bytes, t.name.offset))
        .collect();
    names.sort_unstable();
    let dups: Vec<(String, u64)> = names
        .windows(2)
        .filter_map(|w| match w {
            [(a, _), (b, off)] if a == b => Some((String::from_utf8_lossy(b).into_owned(), *off)),
            _ => None,
        })
        .collect();
    for (name, off) in dups {
        g.note(
            AnomalyKind::DuplicateTensor,
            off,
            format!("tensor name '{}' appears more than once", shorten(&name)),
        );
    }
    let Some(data_start) = g.data_start else {
        return;
    };
    let mut extents: Vec<(u64, u64, usize)> = Vec::new();
    let mut past_end = 0usize;
    let mut first_past_end = None;
    for i in 0..g.tensors.len() {
        let Some(t) = g.tensors.get(i) else { break };
        let (name, at, dims, ty, offset) = (
            shorten(&t.name.lossy()),
            t.name.offset,
            t.dims.clone(),
            t.ggml_type,
            t.offset,
        );
        let size = match nbytes(&dims, ty) {
            Ok(s) => s,
            Err((kind, why)) => {
                g.note(kind, at, format!("tensor '{name}': {why}"));
                None
            }
        };
        if let Some(t) = g.tensors.get_mut(i) {
            t.nbytes = size;
        }
        if offset % g.alignment != 0 {
            g.note(
                AnomalyKind::Unaligned,
                at,
                format!(
                    "tensor '{name}' offset {offset} is not a multiple of the alignment {}",
                    g.alignment
                ),
            );
        }
        let Some(start) = data_start.checked_add(offset) else {
            g.note(
                AnomalyKind::OffsetOverflow,
                at,
                format!("tensor '{name}' offset {offset} overflows past the data section"),
            );
            continue;
        };
        let end = start.checked_add(size.unwrap_or(0));
        if end.is_none_or(|e| e > file_len) {
            past_end += 1;
            first_past_end.get_or_insert((name, at, start, end));
        }
        if let (Some(end), Some(_)) = (end, size) {
            extents.push((start, end, i));
        }
    }
    if let Some((name, at, start, end)) = first_past_end {
        let others = match past_end {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        g.note(
            AnomalyKind::DataPastEnd,
            at,
            format!(
                "tensor '{name}' data [{start}, {}) is past the end of the {file_len}-byte file{others}",
                end.map_or("overflow".into(), |e| e.to_string())
            ),
        );
    }
    check_overlaps(g, extents);
}

fn check_overlaps(g: &mut Gguf<'_>, mut extents: Vec<(u64, u64, usize)>) {
    extents.sort_unstable();
    let name = |g: &Gguf<'_>, i: usize| {
        g.tensors
            .get(i)
            .map(|t| (shorten(&t.name.lossy()), t.name.offset))
            .unwrap_or_default()
    };
    let mut reach: Option<(u64, usize)> = None;
    for (start, end, i) in extents {
        if start == end {
            continue;
        }
        if let Some((prev_end, j)) = reach
            && start < prev_end
        {
            let ((a, at), (b, _)) = (name(g, i), name(g, j));
            g.note(
                AnomalyKind::Overlap,
                at,
                format!("tensor '{a}' data at {start} overlaps tensor '{b}' (ends at {prev_end})"),
            );
        }
        if reach.is_none_or(|(e, _)| end > e) {
            reach = Some((end, i));
        }
    }
}
