//! safetensors: the header's layout judged (truncation is inconclusive,
//! malformation is `safetensors-invalid-header`, duplicates their own
//! rule), metadata strings decoded for payloads, and bytes after the last
//! tensor scanned like a file. Tensor data is never read.

use super::inspect::{self, MetadataEntry, TensorEntry, TensorFileInfo};
use super::{ModelScanner, inconclusive, payload, sniff};
use crate::rules::models::{
    safetensors_duplicate_key, safetensors_invalid_header, safetensors_metadata_payload,
};
use aigis_findings::{Finding, Location};
use aigis_formats::safetensors::{self as st, AnomalyKind, Header, MetaValue, SafetensorsError};

const FORMAT: &str = "safetensors";

fn invalid(loc: &Location, offset: Option<u64>, detail: &str, key: &str) -> Finding {
    let at = offset.map_or_else(|| loc.clone(), |o| loc.clone().at_offset(o));
    Finding::new(
        &safetensors_invalid_header::RULE,
        at,
        format!("safetensors header: {detail}"),
        key,
    )
    .with_evidence(detail.to_string())
}

fn error_finding(e: &SafetensorsError, loc: &Location) -> Finding {
    match e {
        SafetensorsError::TooShort { .. } | SafetensorsError::HeaderTruncated { .. } => {
            inconclusive(loc, &format!("safetensors file is truncated: {e}"))
        }
        _ => invalid(loc, Some(0), &e.to_string(), "unreadable"),
    }
}

fn anomaly_finding(a: &st::Anomaly, loc: &Location) -> Finding {
    let key = format!("{:?}\0{}", a.kind, a.detail);
    match a.kind {
        AnomalyKind::DuplicateKey => Finding::new(
            &safetensors_duplicate_key::RULE,
            loc.clone(),
            format!("safetensors header: {}", a.detail),
            &key,
        )
        .with_evidence(a.detail.clone()),
        AnomalyKind::DataPastEnd => inconclusive(
            &a.offset
                .map_or_else(|| loc.clone(), |o| loc.clone().at_offset(o)),
            &format!(
                "safetensors data is truncated (or an offset is out of range): {}",
                a.detail
            ),
        ),
        _ => invalid(loc, a.offset, &a.detail, &key),
    }
}

/// Scan a safetensors file.
pub(super) fn scan(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> &'static str {
    let h = match st::parse(data) {
        Ok(h) => h,
        Err(e) => {
            out.push(error_finding(&e, loc));
            return FORMAT;
        }
    };
    out.extend(h.anomalies.iter().map(|a| anomaly_finding(a, loc)));
    if h.anomalies_omitted > 0 {
        let detail = format!("{} more anomalies not listed", h.anomalies_omitted);
        out.push(invalid(loc, None, &detail, "omitted"));
    }
    if let Some((at, len)) = h.trailing {
        scan_trailing(s, data, at, len, loc, depth, out);
    }
    for (key, value) in &h.metadata {
        if let MetaValue::Str(v) = value {
            check_metadata(s, key, v, loc, depth, out);
        }
    }
    if s.recording() {
        s.record_tensor_file(info(&h));
    }
    FORMAT
}

/// Bytes after the last tensor: a second file for loaders that look there.
fn scan_trailing(
    s: &ModelScanner<'_>,
    data: &[u8],
    at: u64,
    len: u64,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    let (Ok(start), Ok(len)) = (usize::try_from(at), usize::try_from(len)) else {
        return;
    };
    let Some(tail) = start.checked_add(len).and_then(|end| data.get(start..end)) else {
        return;
    };
    if sniff::detect(tail).is_some() {
        let inner = loc.member("<trailing data>");
        let _ = s.scan_blob(tail, &inner, depth + 1, false, out);
    }
}

/// Decode one metadata string and report what it carries.
fn check_metadata(
    s: &ModelScanner<'_>,
    key: &str,
    value: &str,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    let field = payload::Field {
        rule: &safetensors_metadata_payload::RULE,
        label: "__metadata__",
        key,
    };
    payload::check_string(s, &field, value, loc, depth, out);
    let where_ = format!("__metadata__['{key}']");
    payload::secrets_in(s, &where_, value.as_bytes(), loc, out);
}

/// What `aigis model inspect` shows for the header.
fn info(h: &Header) -> TensorFileInfo {
    let mut i = TensorFileInfo::default();
    i.fact("header bytes", h.header_len);
    i.fact("data starts at", h.data_start);
    if let Some((at, len)) = h.trailing {
        i.fact("trailing bytes", format!("{len} at {at}"));
    }
    i.tensor_count = h.tensors.len() as u64;
    i.tensors = h
        .tensors
        .iter()
        .take(inspect::MAX_LISTED_TENSORS)
        .map(|t| TensorEntry {
            name: inspect::shorten(&t.name, 200),
            dtype: inspect::shorten(&t.dtype, 32),
            shape: t.shape.clone(),
            offset: t.file_offset,
            bytes: t.data_offsets.map(|(s, e)| e.saturating_sub(s)),
        })
        .collect();
    i.metadata_count = h.metadata.len() as u64;
    i.metadata = h
        .metadata
        .iter()
        .take(inspect::MAX_LISTED_METADATA)
        .map(|(k, v)| {
            let (kind, value) = match v {
                MetaValue::Str(s) => ("string", inspect::shorten(s, inspect::MAX_VALUE_CHARS)),
                MetaValue::Other(k) => (*k, String::new()),
            };
            MetadataEntry {
                key: inspect::shorten(k, 200),
                kind: kind.to_string(),
                value,
            }
        })
        .collect();
    i
}
