//! The audit end to end in the library: a database in a temp dir, files in
//! memory; no database and stale databases are inconclusive.

use super::*;
use crate::osv::import::import_path;
use std::path::Path;

fn nothing(p: &Path) -> Result<Vec<u8>, String> {
    Err(format!("{} not found", p.display()))
}

fn db_dir(imported_at: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv");
    let db = import_path(&src, imported_at).unwrap_or_else(|e| panic!("{e}"));
    crate::osv::save(&db, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn audit(opts: AuditOptions, name: &str, text: &str) -> Vec<Issue> {
    Auditor::new(opts)
        .audit(Path::new(name), name, text.as_bytes(), &nothing)
        .unwrap_or_default()
}

const REQS: &str = "jinja2==2.10\ntorch==2.1.0+cu121\nnumpy>=1.24\ngit+https://github.com/org/x@main#egg=x\n-e .\n";

#[test]
fn findings_with_lines_ids_and_severity() {
    let dir = db_dir(now_secs());
    let opts = AuditOptions {
        db_dir: Some(dir.path().to_path_buf()),
        ..AuditOptions::default()
    };
    let issues = audit(opts, "requirements.txt", REQS);
    let ids: Vec<(&str, Option<u32>)> = issues.iter().map(|i| (i.rule.id, i.line)).collect();
    assert_eq!(
        ids,
        vec![
            ("AIG600", Some(1)),
            ("AIG600", Some(1)),
            ("AIG600", Some(2)),
            ("AIG600", Some(2)),
            ("AIG602", Some(3)),
            ("AIG604", Some(4)),
            ("AIG604", Some(5)),
        ]
    );
    let first = issues.first().expect("issue");
    assert!(
        first.message.contains("PYSEC-2019-217") && first.message.contains("GHSA-462w-v97r-4m45"),
        "{}",
        first.message
    );
    assert!(
        first.message.contains("fixed in 2.10.1"),
        "{}",
        first.message
    );
    assert_eq!(first.severity, Some(Severity::High));
    let torch = issues
        .iter()
        .find(|i| i.message.contains("HAND-TORCH-0002"))
        .expect("torch");
    assert_eq!(torch.severity, Some(Severity::Critical));
    assert!(torch.message.contains("CVSS 9.8"), "{}", torch.message);
    let local = issues.last().expect("local");
    assert_eq!(
        (local.severity, local.verdict),
        (Some(Severity::Info), Some(Verdict::Clean))
    );
}

#[test]
fn no_database_is_inconclusive_never_clean() {
    let empty = tempfile::tempdir().expect("tempdir");
    let opts = AuditOptions {
        db_dir: Some(empty.path().to_path_buf()),
        ..AuditOptions::default()
    };
    let issues = audit(opts, "requirements.txt", "jinja2==2.10\n");
    assert_eq!(issues.len(), 1);
    let i = issues.first().expect("issue");
    assert_eq!(i.rule.id, "AIG603");
    assert_eq!(i.rule.verdict, Verdict::Inconclusive);
    assert!(i.message.contains("no advisory database"), "{}", i.message);
}

#[test]
fn stale_database_is_inconclusive_but_still_matches() {
    let dir = db_dir(now_secs() - 8 * 86_400);
    let opts = AuditOptions {
        db_dir: Some(dir.path().to_path_buf()),
        ..AuditOptions::default()
    };
    let issues = audit(opts, "requirements.txt", "jinja2==2.10\n");
    assert!(
        issues
            .iter()
            .any(|i| i.rule.id == "AIG603" && i.message.contains("8d 0h old"))
    );
    assert!(issues.iter().any(|i| i.rule.id == "AIG600"));
    let fresh = AuditOptions {
        db_dir: Some(dir.path().to_path_buf()),
        max_age: Duration::from_secs(30 * 86_400),
        check_ranges: false,
    };
    assert!(
        !audit(fresh, "requirements.txt", "jinja2==2.10\n")
            .iter()
            .any(|i| i.rule.id == "AIG603")
    );
}

#[test]
fn corrupt_database_is_inconclusive() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(crate::osv::DB_FILE), b"{not json").expect("write");
    let opts = AuditOptions {
        db_dir: Some(dir.path().to_path_buf()),
        ..AuditOptions::default()
    };
    let issues = audit(
        opts,
        "poetry.lock",
        "[[package]]\nname = \"jinja2\"\nversion = \"2.10\"\n",
    );
    assert!(
        issues
            .iter()
            .any(|i| i.rule.id == "AIG603" && i.message.contains("unreadable"))
    );
}

#[test]
fn range_checks_only_when_asked() {
    let dir = db_dir(now_secs());
    let base = AuditOptions {
        db_dir: Some(dir.path().to_path_buf()),
        ..AuditOptions::default()
    };
    let text = "jinja2>=2.7\n";
    assert!(
        !audit(base.clone(), "requirements.txt", text)
            .iter()
            .any(|i| i.rule.id == "AIG601")
    );
    let asked = AuditOptions {
        check_ranges: true,
        ..base
    };
    assert!(
        audit(asked, "requirements.txt", text)
            .iter()
            .any(|i| i.rule.id == "AIG601")
    );
}

#[test]
fn pyproject_ranges_are_info_and_files_without_deps_are_skipped() {
    let dir = db_dir(now_secs());
    let opts = AuditOptions {
        db_dir: Some(dir.path().to_path_buf()),
        ..AuditOptions::default()
    };
    let issues = audit(
        opts.clone(),
        "pyproject.toml",
        "[project]\ndependencies = [\"numpy>=1.24\"]\n",
    );
    assert_eq!(
        issues.first().map(|i| (i.rule.id, i.severity)),
        Some(("AIG602", Some(Severity::Info)))
    );
    let a = Auditor::new(opts);
    assert!(
        a.audit(
            Path::new("pyproject.toml"),
            "pyproject.toml",
            b"[tool.ruff]\nline-length = 100\n",
            &nothing
        )
        .is_none()
    );
    assert!(
        a.audit(Path::new("README.md"), "README.md", b"torch==1.0", &nothing)
            .is_none()
    );
}
