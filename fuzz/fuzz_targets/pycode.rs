#![no_main]
//! Analyse any text (bytes decoded lossily) as a Python module, and each of
//! its lines as a notebook shell line; nothing may panic or overflow, and
//! every finding has a 1-based position and bounded evidence. The prefilter
//! must be sound: a module `could_fire` clears has no finding.

use libfuzzer_sys::fuzz_target;

/// Evidence is cut at 200 characters plus an ellipsis.
const MAX_EVIDENCE_CHARS: usize = 201;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let a = aigis_pycode::analyze(&src);
    if !aigis_pycode::could_fire(&src) {
        assert!(a.findings.is_empty(), "could_fire cleared a module with findings");
    }
    for f in &a.findings {
        assert!(f.line >= 1 && f.column >= 1 && f.end_line >= f.line);
        assert!(f.evidence.chars().count() <= MAX_EVIDENCE_CHARS);
        assert!(!f.key.is_empty());
    }
    if let Some(p) = &a.parse_error {
        assert!(p.line >= 1 && p.column >= 1);
    }
    for (i, line) in src.lines().enumerate().take(64) {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for f in aigis_pycode::analyze_shell(line, n) {
            assert!(f.line >= n && f.column >= 1);
        }
    }
});
