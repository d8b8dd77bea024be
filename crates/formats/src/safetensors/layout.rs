//! The header as read, checked: duplicates, entry fields, dtypes and sizes
//! (checked arithmetic), then the layout — ranges sorted by start must tile
//! the data section from its first byte to the input's end.

use super::header::{RawEntry, RawHeader};
use super::{AnomalyKind, Header, MetaValue, Tensor, dtype};

/// Record duplicates among `names` (sorted copies of references).
fn duplicates<'a>(names: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut sorted: Vec<&str> = names.collect();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(first) = sorted.get(i) {
        let run = sorted
            .get(i..)
            .map_or(0, |r| r.iter().take_while(|n| *n == first).count());
        if run > 1 {
            out.push((*first, run));
        }
        i += run.max(1);
    }
    out
}

/// Check the raw header and fill `h`: entries, metadata, anomalies, layout.
pub(super) fn check(raw: RawHeader, h: &mut Header, file_len: u64) {
    for (name, n) in duplicates(raw.entries.iter().map(|e| e.name.as_str())) {
        h.note(
            AnomalyKind::DuplicateKey,
            None,
            format!("tensor '{name}' is declared {n} times (the reference reader keeps the last)"),
        );
    }
    if raw.metadata_seen > 1 {
        h.note(
            AnomalyKind::DuplicateKey,
            None,
            format!("__metadata__ appears {} times", raw.metadata_seen),
        );
    }
    for (key, n) in duplicates(raw.metadata.iter().map(|(k, _)| k.as_str())) {
        h.note(
            AnomalyKind::DuplicateKey,
            None,
            format!("__metadata__ key '{key}' appears {n} times"),
        );
    }
    if let Some(p) = raw.metadata_problem {
        h.note(AnomalyKind::BadMetadata, None, p);
    }
    for (key, v) in &raw.metadata {
        if let MetaValue::Other(kind) = v {
            h.note(
                AnomalyKind::BadMetadata,
                None,
                format!("__metadata__ value of '{key}' is a {kind}, not a string"),
            );
        }
    }
    h.metadata = raw.metadata;
    let mut layout_ok = true;
    for e in raw.entries {
        layout_ok &= check_entry(&e, h);
        let file_offset = e.offsets.and_then(|(s, _)| h.data_start.checked_add(s));
        h.tensors.push(Tensor {
            name: e.name,
            dtype: e.dtype.unwrap_or_default(),
            shape: e.shape.unwrap_or_default(),
            data_offsets: e.offsets,
            file_offset,
        });
    }
    check_layout(h, file_len, layout_ok);
}

/// Field-level checks of one entry; false when its range cannot be trusted.
fn check_entry(e: &RawEntry, h: &mut Header) -> bool {
    let name = &e.name;
    for field in &e.duplicate_fields {
        h.note(
            AnomalyKind::DuplicateKey,
            None,
            format!("tensor '{name}' has {field} twice"),
        );
    }
    for p in &e.problems {
        h.note(AnomalyKind::BadEntry, None, format!("tensor '{name}': {p}"));
    }
    let (Some(dt), Some(shape), Some((start, end))) = (&e.dtype, &e.shape, e.offsets) else {
        return false;
    };
    let Some(dtype) = dtype(dt) else {
        h.note(
            AnomalyKind::UnknownDtype,
            None,
            format!("tensor '{name}' has unknown dtype '{}'", shorten(dt)),
        );
        return end >= start;
    };
    let bits = shape
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .and_then(|n| n.checked_mul(dtype.bits));
    let size = match bits {
        Some(b) if b % 8 == 0 => b / 8,
        Some(_) => {
            h.note(
                AnomalyKind::SizeOverflow,
                None,
                format!(
                    "tensor '{name}': {shape:?} of {} is not a whole number of bytes",
                    dt
                ),
            );
            return end >= start;
        }
        None => {
            h.note(
                AnomalyKind::SizeOverflow,
                None,
                format!("tensor '{name}': shape {shape:?} × {dt} overflows 64 bits"),
            );
            return end >= start;
        }
    };
    if end < start || end - start != size {
        h.note(
            AnomalyKind::SizeMismatch,
            h.data_start.checked_add(start),
            format!(
                "tensor '{name}': {dt} {shape:?} needs {size} bytes but data_offsets [{start}, {end}] span {}",
                if end < start { "a negative range".to_string() } else { (end - start).to_string() }
            ),
        );
    }
    end >= start
}

/// Ranges must tile the data section: sorted by start, each starting where
/// the previous ended, the last ending at the end of the input.
fn check_layout(h: &mut Header, file_len: u64, layout_ok: bool) {
    let data_len = file_len.saturating_sub(h.data_start);
    let mut ranges: Vec<(u64, u64, usize)> = h
        .tensors
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.data_offsets.map(|(s, e)| (s, e.max(s), i)))
        .collect();
    ranges.sort_unstable();
    let name = |h: &Header, i: usize| h.tensors.get(i).map(|t| t.name.clone()).unwrap_or_default();
    let mut expected = 0u64;
    let mut reached_by: Option<usize> = None;
    let mut past_end = 0usize;
    let mut first_past_end = None;
    for &(start, end, i) in &ranges {
        let at = h.data_start.checked_add(start);
        if start > expected && layout_ok {
            h.note(
                AnomalyKind::Gap,
                h.data_start.checked_add(expected),
                format!(
                    "{} bytes before tensor '{}' belong to no tensor",
                    start - expected,
                    name(h, i)
                ),
            );
        } else if start < expected {
            let other = reached_by.map(|j| name(h, j)).unwrap_or_default();
            h.note(
                AnomalyKind::Overlap,
                at,
                format!(
                    "tensor '{}' [{start}, {end}] overlaps tensor '{other}' (ends at {expected})",
                    name(h, i)
                ),
            );
        }
        if end > data_len {
            past_end += 1;
            first_past_end.get_or_insert((i, end, at));
        }
        if end > expected {
            expected = end;
            reached_by = Some(i);
        }
    }
    if let Some((i, end, at)) = first_past_end {
        let others = match past_end {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        h.note(
            AnomalyKind::DataPastEnd,
            at,
            format!(
                "tensor '{}' ends at data offset {end} but the data section holds {data_len} bytes{others}",
                name(h, i)
            ),
        );
    }
    if expected < data_len && layout_ok {
        let at = h.data_start.saturating_add(expected);
        h.trailing = Some((at, data_len - expected));
        h.note(
            AnomalyKind::TrailingBytes,
            Some(at),
            format!(
                "{} bytes after the last tensor's end (the reference reader refuses the file)",
                data_len - expected
            ),
        );
    }
}

/// At most 64 characters of a hostile string, for messages.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
