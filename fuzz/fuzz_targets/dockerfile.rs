#![no_main]
//! Analyse any text (bytes decoded lossily) as a Dockerfile: nothing may
//! panic, and every finding has a 1-based position and bounded evidence.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for f in aigis_deploy::analyze_dockerfile(&text) {
        assert!(f.line >= 1 && f.column >= 1 && !f.key.is_empty());
        assert!(f.evidence.chars().count() <= aigis_deploy::limits::MAX_EVIDENCE_CHARS);
    }
});
