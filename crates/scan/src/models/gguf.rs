//! GGUF: the header judged (fields of the llama.cpp parser CVE class are
//! `gguf-invalid-header`, a file cut short is inconclusive) and every chat
//! template checked for sandbox escapes. Tensor data is never read.

use super::inspect::{self, MetadataEntry, TemplateEntry, TensorEntry, TensorFileInfo};
use super::{ModelScanner, inconclusive, payload, template};
use crate::rules::models::{gguf_invalid_header, gguf_metadata_payload};
use aigis_findings::{Finding, Location};
use aigis_formats::gguf::{self, AnomalyKind, Endian, Gguf, GgufError, Value};

const FORMAT: &str = "gguf";
/// Longest metadata string decoded for payloads (scalar strings only:
/// token lists are arrays and are not read for this).
const MAX_PAYLOAD_CHECKED: usize = 16 << 20;
/// The key of the default chat template; named ones are `KEY.name`.
const TEMPLATE_KEY: &str = "tokenizer.chat_template";

fn invalid(loc: &Location, offset: u64, detail: &str, key: &str) -> Finding {
    Finding::new(
        &gguf_invalid_header::RULE,
        loc.clone().at_offset(offset),
        format!("GGUF header: {detail}"),
        key,
    )
    .with_evidence(detail.to_string())
}

fn error_finding(e: &GgufError, loc: &Location) -> Finding {
    match e {
        GgufError::Truncated { offset, .. } => inconclusive(
            &loc.clone().at_offset(*offset),
            &format!("GGUF file is truncated: {e}"),
        ),
        GgufError::BadMagic | GgufError::UnsupportedVersion { .. } => {
            invalid(loc, 0, &e.to_string(), "preamble")
        }
        GgufError::CountOverLimit { offset, what, .. }
        | GgufError::Oversized { offset, what, .. } => invalid(loc, *offset, &e.to_string(), what),
        GgufError::UnknownValueType { offset, .. } | GgufError::ArrayTooDeep { offset, .. } => {
            invalid(loc, *offset, &e.to_string(), &format!("{e:?}"))
        }
    }
}

fn anomaly_finding(a: &gguf::Anomaly, loc: &Location) -> Finding {
    let key = format!("{:?}\0{}", a.kind, a.detail);
    match a.kind {
        AnomalyKind::DataPastEnd => inconclusive(
            &loc.clone().at_offset(a.offset),
            &format!(
                "GGUF tensor data is truncated (or an offset is out of range): {}",
                a.detail
            ),
        ),
        _ => invalid(loc, a.offset, &a.detail, &key),
    }
}

/// Is `key` a chat template key?
fn is_template_key(key: &[u8]) -> bool {
    key == TEMPLATE_KEY.as_bytes()
        || key
            .strip_prefix(TEMPLATE_KEY.as_bytes())
            .is_some_and(|rest| rest.starts_with(b"."))
}

/// Scan a GGUF file.
pub(super) fn scan(
    s: &ModelScanner<'_>,
    data: &[u8],
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) -> &'static str {
    let g = match gguf::parse(data) {
        Ok(g) => g,
        Err(e) => {
            out.push(error_finding(&e, loc));
            return FORMAT;
        }
    };
    // Templates first: one read before a broken field is still judged.
    for kv in &g.kvs {
        let Value::Str(t) = &kv.value else { continue };
        let where_ = format!("metadata['{}']", kv.key.lossy());
        payload::secrets_in(s, &where_, t.bytes, loc, out);
        if is_template_key(kv.key.bytes) {
            template::check(&t.lossy(), &kv.key.lossy(), loc, t.offset, out);
        } else if t.bytes.len() <= MAX_PAYLOAD_CHECKED {
            let key = kv.key.lossy();
            let field = payload::Field {
                rule: &gguf_metadata_payload::RULE,
                label: "metadata",
                key: &key,
            };
            payload::check_string(s, &field, &t.lossy(), loc, depth, out);
        }
    }
    if let Some(e) = &g.stop {
        out.push(error_finding(e, loc));
    }
    out.extend(g.anomalies.iter().map(|a| anomaly_finding(a, loc)));
    if g.anomalies_omitted > 0 {
        let detail = format!("{} more anomalies not listed", g.anomalies_omitted);
        out.push(invalid(loc, 0, &detail, "omitted"));
    }
    if s.recording() {
        s.record_tensor_file(info(&g));
    }
    FORMAT
}

/// A value for display: scalars in full, strings and arrays shortened.
fn show(v: &Value<'_>) -> String {
    match v {
        Value::U8(x) => x.to_string(),
        Value::I8(x) => x.to_string(),
        Value::U16(x) => x.to_string(),
        Value::I16(x) => x.to_string(),
        Value::U32(x) => x.to_string(),
        Value::I32(x) => x.to_string(),
        Value::U64(x) => x.to_string(),
        Value::I64(x) => x.to_string(),
        Value::F32(x) => x.to_string(),
        Value::F64(x) => x.to_string(),
        Value::Bool(b) => match b {
            0 => "false".into(),
            1 => "true".into(),
            other => format!("invalid bool {other}"),
        },
        Value::Str(t) => inspect::shorten(&t.lossy(), inspect::MAX_VALUE_CHARS),
        Value::Array(a) => {
            let items: Vec<String> = a
                .items
                .iter()
                .take(8)
                .map(|i| inspect::shorten(&show(i), 24))
                .collect();
            let more = if a.len > items.len() as u64 {
                ", …"
            } else {
                ""
            };
            format!("[{}{more}] ({} items)", items.join(", "), a.len)
        }
    }
}

fn type_name(v: &Value<'_>) -> String {
    match v {
        Value::Array(a) => format!("array of {}", gguf::value_type_name(a.elem_type)),
        other => gguf::value_type_name(other.type_id()).to_string(),
    }
}

/// What `aigis model inspect` shows for the header.
fn info(g: &Gguf<'_>) -> TensorFileInfo {
    let mut i = TensorFileInfo::default();
    i.fact("version", g.version);
    i.fact(
        "byte order",
        match g.endian {
            Endian::Little => "little-endian",
            Endian::Big => "big-endian",
        },
    );
    i.fact("alignment", g.alignment);
    if let Some(d) = g.data_start {
        i.fact("data starts at", d);
    }
    if let Some(e) = &g.stop {
        i.fact("header read until", e);
    }
    i.tensor_count = g.tensor_count;
    i.tensors = g
        .tensors
        .iter()
        .take(inspect::MAX_LISTED_TENSORS)
        .map(|t| TensorEntry {
            name: inspect::shorten(&t.name.lossy(), 200),
            dtype: gguf::ggml_type_name(t.ggml_type),
            shape: t.dims.clone(),
            offset: g.data_start.and_then(|d| d.checked_add(t.offset)),
            bytes: t.nbytes,
        })
        .collect();
    i.metadata_count = g.kv_count;
    for kv in &g.kvs {
        let key = kv.key.lossy();
        match (&kv.value, is_template_key(kv.key.bytes)) {
            (Value::Str(t), true) => i.templates.push(TemplateEntry {
                key: key.to_string(),
                bytes: t.bytes.len(),
                text: inspect::truncate(&t.lossy(), inspect::MAX_TEMPLATE_CHARS),
            }),
            _ if i.metadata.len() < inspect::MAX_LISTED_METADATA => {
                i.metadata.push(MetadataEntry {
                    key: inspect::shorten(&key, 200),
                    kind: type_name(&kv.value),
                    value: show(&kv.value),
                })
            }
            _ => {}
        }
    }
    i
}
