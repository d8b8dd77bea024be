//! Registry and fixture tests: every rule fires on its `bad` fixture and not
//! on its `good` one; the safe forms produce nothing.

use aigis_pycode::{CodeFinding, analyze, analyze_shell, rules};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Findings of a fixture: `.py` through `analyze`, `.sh` line by line through `analyze_shell`.
fn run_fixture(path: &Path) -> Vec<CodeFinding> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "sh") {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            out.extend(analyze_shell(
                line,
                u32::try_from(i + 1).unwrap_or(u32::MAX),
            ));
        }
        out
    } else {
        let a = analyze(&text);
        assert!(
            a.parse_error.is_none(),
            "{}: {:?}",
            path.display(),
            a.parse_error
        );
        a.findings
    }
}

fn fixture(name: &str, which: &str) -> PathBuf {
    let dir = fixtures().join(name);
    let py = dir.join(format!("{which}.py"));
    if py.exists() {
        py
    } else {
        dir.join(format!("{which}.sh"))
    }
}

#[test]
fn registry_ids_are_unique_sorted_and_documented() {
    let all = rules();
    assert!(all.len() >= 30);
    for pair in all.windows(2) {
        assert!(
            pair[0].id < pair[1].id,
            "{} before {}",
            pair[0].id,
            pair[1].id
        );
    }
    for r in all {
        let n: u32 = r.id.trim_start_matches("AIG").parse().unwrap_or(0);
        assert!((200..=239).contains(&n), "{}", r.id);
        assert!(
            r.name.split('-').all(|w| !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "{} is not kebab-case",
            r.name
        );
        let d = &r.docs;
        for (what, text) in [
            ("what", d.what),
            ("why", d.why),
            ("example", d.example),
            ("fix", d.fix),
            ("summary", r.summary),
        ] {
            assert!(!text.trim().is_empty(), "{}: empty {what}", r.id);
        }
        assert!(!r.checklist.is_empty(), "{}: no checklist item", r.id);
        assert_eq!(r.domain, aigis_findings::Domain::Code);
    }
    let mut names: Vec<_> = all.iter().map(|r| r.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "duplicate rule names");
}

#[test]
fn every_rule_fires_on_its_bad_fixture_and_not_on_its_good_one() {
    for r in rules() {
        let bad = run_fixture(&fixture(r.name, "bad"));
        assert!(
            bad.iter().any(|f| f.rule.id == r.id),
            "{} ({}) did not fire on bad: {bad:#?}",
            r.id,
            r.name
        );
        let good = run_fixture(&fixture(r.name, "good"));
        let fired: Vec<_> = good.iter().filter(|f| f.rule.id == r.id).collect();
        assert!(
            fired.is_empty(),
            "{} ({}) fired on good: {fired:#?}",
            r.id,
            r.name
        );
    }
}

#[test]
fn safe_forms_produce_no_findings() {
    let found = run_fixture(&fixtures().join("safe_forms.py"));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn every_finding_of_a_bad_fixture_has_position_evidence_and_key() {
    for r in rules() {
        for f in run_fixture(&fixture(r.name, "bad")) {
            assert!(
                f.line >= 1 && f.column >= 1 && f.end_line >= f.line,
                "{f:?}"
            );
            assert!(
                !f.evidence.is_empty() && !f.key.is_empty() && !f.message.is_empty(),
                "{f:?}"
            );
            assert!(!f.key.chars().any(|c| c == '\n'), "{f:?}");
        }
    }
}
