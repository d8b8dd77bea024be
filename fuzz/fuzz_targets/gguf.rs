#![no_main]
//! Parse any bytes as GGUF; nothing may panic, and what the parser reports
//! must hold: every string borrowed from the input lies inside it, counts
//! read never exceed the counts claimed, arrays keep at most their cap,
//! dims stay under ggml's maximum, sizes and offsets are consistent.

use aigis_formats::gguf::{self, MAX_ANOMALIES, MAX_DIMS, MAX_KEPT_ITEMS, Text, Value};
use libfuzzer_sys::fuzz_target;

fn inside(data: &[u8], t: &Text<'_>) {
    let start = t.offset as usize;
    assert_eq!(data.get(start..start + t.bytes.len()), Some(t.bytes));
}

fn value(data: &[u8], v: &Value<'_>) {
    match v {
        Value::Str(t) => inside(data, t),
        Value::Array(a) => {
            assert!(a.items.len() <= MAX_KEPT_ITEMS);
            assert!(a.items.len() as u64 <= a.len);
            for i in &a.items {
                assert_eq!(i.type_id(), a.elem_type);
                value(data, i);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(g) = gguf::parse(data) else {
        return;
    };
    assert!((1..=3).contains(&g.version));
    assert!(g.alignment.is_power_of_two());
    assert!(g.kvs.len() as u64 <= g.kv_count);
    assert!(g.tensors.len() as u64 <= g.tensor_count);
    assert!(g.anomalies.len() <= MAX_ANOMALIES);
    if g.stop.is_none() {
        assert_eq!(g.kvs.len() as u64, g.kv_count);
        assert_eq!(g.tensors.len() as u64, g.tensor_count);
        assert!(g.data_start.is_some_and(|d| d % g.alignment == 0));
    }
    for kv in &g.kvs {
        inside(data, &kv.key);
        value(data, &kv.value);
    }
    for t in &g.tensors {
        inside(data, &t.name);
        assert!(t.dims.len() as u32 <= MAX_DIMS && t.dims.len() as u32 <= t.n_dims);
        if let Some(n) = t.nbytes {
            let ty = gguf::ggml_type(t.ggml_type).expect("sized tensors have a known type");
            assert!(ty.size.is_some());
            assert!(n > 0 || t.dims.contains(&0));
        }
    }
});
