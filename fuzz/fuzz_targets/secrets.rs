#![no_main]
//! Scan any bytes for secrets and personal data; nothing may panic, and
//! what the scanner reports must hold: spans inside the input, sorted and
//! disjoint, at most `MAX_MATCHES`, 1-based positions that agree with the
//! span, and a redacted form that never holds the secret.

use aigis_secrets::{Kinds, MAX_MATCHES, SecretScanner};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn scanner() -> &'static SecretScanner {
    static S: OnceLock<SecretScanner> = OnceLock::new();
    S.get_or_init(|| SecretScanner::new().expect("builtin rules load"))
}

fuzz_target!(|data: &[u8]| {
    let found = scanner().scan(data, Kinds::ALL);
    assert!(found.len() <= MAX_MATCHES);
    let mut prev_end = 0;
    for m in &found {
        assert!(m.start < m.end && m.end <= data.len());
        assert!(m.start >= prev_end, "sorted and disjoint");
        prev_end = m.end;
        let before = &data[..m.start];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        assert_eq!(m.line as usize, line);
        assert_eq!(m.column as usize, m.start - line_start + 1);
        let secret = String::from_utf8_lossy(&data[m.start..m.end]);
        if secret.chars().count() >= 8 {
            assert!(!m.redacted.contains(secret.as_ref()));
        }
        assert_eq!(m.fingerprint_key().len(), 64);
    }
    let secrets_only = scanner().scan(data, Kinds::SECRETS);
    assert!(secrets_only.len() <= MAX_MATCHES);
});
