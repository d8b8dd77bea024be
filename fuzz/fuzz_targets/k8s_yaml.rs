#![no_main]
//! Analyse any text as a Kubernetes manifest stream, a compose file and a
//! daemon.json (all read through the budgeted YAML reader): nothing may
//! panic, and every finding has a 1-based position.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let all = [
        aigis_deploy::analyze_kubernetes(&text),
        aigis_deploy::analyze_compose(&text),
        aigis_deploy::analyze_daemon_json(&text),
    ];
    for f in all.iter().flatten() {
        assert!(f.line >= 1 && f.column >= 1 && !f.key.is_empty());
    }
});
