#![no_main]
//! Parse any bytes as a TFLite FlatBuffer; nothing may panic, and what the
//! reader reports must hold: strings lie inside the input, counts stay
//! under their limits, every operator names an operator code that exists,
//! external buffers end inside the input. What sniffs as TFLite is also
//! scanned by the model scanner (operator judgement, inspect).

use std::sync::OnceLock;

use aigis_formats::tflite::{self, BufferData, MAX_OPERATOR_CODES, MAX_OPERATORS, MAX_SUBGRAPHS, Text};
use aigis_scan::models::ModelScanner;
use aigis_scan::policy::Policy;
use libfuzzer_sys::fuzz_target;

fn inside(data: &[u8], t: &Option<Text<'_>>) {
    if let Some(t) = t {
        let start = t.offset as usize;
        assert_eq!(data.get(start..start + t.bytes.len()), Some(t.bytes));
        assert_eq!(data.get(start + t.bytes.len()), Some(&0), "NUL-terminated");
    }
}

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::new(&[]).expect("built-in policy"))
}

fuzz_target!(|data: &[u8]| {
    let sniffed = tflite::looks_like(data);
    let Ok(m) = tflite::parse(data) else {
        return;
    };
    assert!((m.root as usize) < data.len());
    assert!(m.operator_codes.len() as u64 <= MAX_OPERATOR_CODES);
    assert!(m.subgraphs.len() as u64 <= MAX_SUBGRAPHS);
    assert!(m.operator_count() as u64 <= MAX_OPERATORS);
    for c in &m.operator_codes {
        inside(data, &c.custom_code);
        assert!(c.code() >= c.builtin_code);
    }
    for g in &m.subgraphs {
        inside(data, &g.name);
        for op in &g.operators {
            assert!((op.opcode_index as usize) < m.operator_codes.len());
            inside(data, &op.output);
        }
    }
    for e in &m.metadata {
        inside(data, &e.name);
    }
    inside(data, &m.description);
    for b in &m.buffers {
        match *b {
            BufferData::Inline { offset, size } | BufferData::External { offset, size } => {
                assert!(offset + size <= data.len() as u64)
            }
            BufferData::Empty => {}
        }
    }
    if sniffed {
        let _ = ModelScanner::new(policy()).scan(data, "fuzz.tflite");
        let _ = ModelScanner::new(policy()).inspect(data, "fuzz.tflite");
    }
});
