//! The safetensors file: an 8-byte little-endian header length, the JSON
//! header padded with spaces to a multiple of 8 (as safetensors ≥ 0.4
//! writes it), then each tensor's bytes in header order (sorted by name),
//! back to back, so the data offsets cover the data section exactly.

use std::io::Write;

use serde_json::{Map, Value, json};

use crate::{ConvertError, MAX_HEADER_BYTES, Plan, layout};

/// The padded header JSON and the length of the data section.
fn header(plan: &Plan<'_>) -> Result<(Vec<u8>, u64), ConvertError> {
    let mut map = Map::new();
    if !plan.metadata.is_empty() {
        map.insert("__metadata__".into(), json!(plan.metadata));
    }
    let mut offset = 0u64;
    for t in &plan.tensors {
        let len = layout::byte_len(&t.view).ok_or(ConvertError::LimitExceeded("data length"))?;
        let end = offset
            .checked_add(len)
            .ok_or(ConvertError::LimitExceeded("data length"))?;
        let entry = json!({
            "dtype": t.view.dtype.name(),
            "shape": t.view.shape,
            "data_offsets": [offset, end],
        });
        if map.insert(t.name.clone(), entry).is_some() {
            return Err(ConvertError::DuplicateName(t.name.clone()));
        }
        offset = end;
    }
    let mut bytes = serde_json::to_vec(&Value::Object(map))
        .map_err(|e| ConvertError::Layout(format!("header: {e}")))?;
    while !bytes.len().is_multiple_of(8) {
        bytes.push(b' ');
    }
    if bytes.len() as u64 > MAX_HEADER_BYTES {
        return Err(ConvertError::LimitExceeded("max_header_bytes"));
    }
    Ok((bytes, offset))
}

/// Count what passes through, to confirm the data section's length.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    n: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub(crate) fn write(plan: &Plan<'_>, out: &mut dyn Write) -> Result<u64, ConvertError> {
    let (head, data_len) = header(plan)?;
    out.write_all(&(head.len() as u64).to_le_bytes())?;
    out.write_all(&head)?;
    let mut counting = Counting { inner: out, n: 0 };
    for t in &plan.tensors {
        let storage = plan.storages.get(t.view.storage).map_or(&[][..], |s| s);
        layout::write_view(t, storage, &mut counting)?;
    }
    if counting.n != data_len {
        return Err(ConvertError::Layout(format!(
            "wrote {} data bytes, the header declares {data_len}",
            counting.n
        )));
    }
    counting.flush()?;
    Ok(8 + head.len() as u64 + data_len)
}
