#![no_main]
//! Parse any bytes as one audit log line (the verifier's entry point for
//! hostile input); nothing may panic, and what parses must hold: one body,
//! a 64-hex `prev`, a checkpoint only with a bounded signature.

use aigis_audit::line::{Kind, MAX_LINE_BYTES, MAX_SIG_CHARS, line_hash, parse_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let hash = line_hash(data);
    assert_eq!(hash.len(), 64);
    for limit in [MAX_LINE_BYTES, 64] {
        if let Ok(line) = parse_line(data, limit) {
            assert!(data.len() <= limit);
            assert_eq!(line.prev.len(), 64);
            match line.kind() {
                Kind::Checkpoint => {
                    let sig = line.sig.as_deref().unwrap_or_default();
                    assert!(!sig.is_empty() && sig.len() <= MAX_SIG_CHARS);
                }
                _ => assert!(line.sig.is_none()),
            }
        }
    }
});
