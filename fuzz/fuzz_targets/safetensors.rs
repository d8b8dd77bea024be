#![no_main]
//! Parse any bytes as a safetensors file — as given, and, when they start
//! with `{`, behind a length field that frames them as the header (so the
//! fuzzer works on the JSON). Nothing may panic, and what the parser
//! reports must hold: data starts after the header and inside the input,
//! trailing bytes end at the end, collections stay under their limits.

use aigis_formats::safetensors::{self, MAX_ANOMALIES, MAX_HEADER_LEN, MAX_RANK, MAX_TENSORS};
use libfuzzer_sys::fuzz_target;

fn check(data: &[u8]) {
    let Ok(h) = safetensors::parse(data) else {
        return;
    };
    let len = data.len() as u64;
    assert!(h.header_len <= MAX_HEADER_LEN);
    assert_eq!(h.data_start, 8 + h.header_len);
    assert!(h.data_start <= len);
    assert!(h.anomalies.len() <= MAX_ANOMALIES);
    assert!(h.tensors.len() <= MAX_TENSORS);
    if let Some((at, n)) = h.trailing {
        assert!(n > 0 && at >= h.data_start && at + n == len);
    }
    for t in &h.tensors {
        assert!(t.shape.len() <= MAX_RANK);
        if let (Some((start, _)), Some(at)) = (t.data_offsets, t.file_offset) {
            assert_eq!(at, h.data_start + start);
        }
    }
    for a in &h.anomalies {
        assert!(!a.detail.is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.first() == Some(&b'{') {
        let mut framed = (data.len() as u64).to_le_bytes().to_vec();
        framed.extend_from_slice(data);
        check(&framed);
    }
});
