//! A realistic serving app, all findings in one snapshot: what fires, where,
//! and the keys fingerprints are made of.

use std::fmt::Write;

#[test]
fn serving_app_findings() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/serving_app.py");
    let src = std::fs::read_to_string(path).unwrap_or_default();
    let a = aigis_pycode::analyze(&src);
    assert!(a.parse_error.is_none());
    let mut out = String::new();
    for f in &a.findings {
        let _ = writeln!(
            out,
            "{}:{}-{} {} {} {} | {}",
            f.line, f.column, f.end_line, f.rule.id, f.rule.severity, f.key, f.evidence
        );
    }
    insta::assert_snapshot!(out);
}
