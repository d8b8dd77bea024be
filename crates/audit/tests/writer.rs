//! The writer: file mode, rotation chains, resuming, redaction and drops.

mod common;

use aigis_audit::{AuditError, AuditLog, FsyncPolicy, Problem, VerifyOptions, WhenFull, verify};
use common::*;
use std::os::unix::fs::PermissionsExt;

#[test]
fn new_log_file_has_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 1, None);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn existing_file_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 1, None);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = AuditLog::open(config(&path, None)).unwrap_err();
    assert!(
        matches!(err, AuditError::LoosePermissions { mode: 0o644, .. }),
        "{err}"
    );
}

#[test]
fn symlink_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = write_log(dir.path(), 1, None);
    let link = dir.path().join("link.log");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(matches!(
        AuditLog::open(config(&link, None)),
        Err(AuditError::NotAFile(_))
    ));
}

#[test]
fn reopening_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let s = signer();
    let opts = VerifyOptions {
        key: Some(s.verifier()),
        ..VerifyOptions::default()
    };
    let path = write_log(dir.path(), 3, Some(s));
    let s2 = aigis_audit::CheckpointSigner::from_pem(&p256_pem()).unwrap();
    // Same file, new process, same key: reuse the first signer's verifier.
    drop(s2);
    let again = AuditLog::open(config(&path, None)).unwrap();
    again.log(record(100)).unwrap();
    again.close().unwrap();
    let r = verify(&[&path], &opts).unwrap();
    assert!(r.intact, "{:?}", r.problem);
    assert_eq!(r.records(), 4);
    assert_eq!(r.files[0].unsigned_tail, 1);
}

#[test]
fn crash_mid_line_rotates_aside_and_links_to_last_complete_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 3, None);
    let mut text = std::fs::read(&path).unwrap();
    text.extend_from_slice(b"{\"seq\":99,\"pre");
    std::fs::write(&path, &text).unwrap();
    let log = AuditLog::open(config(&path, None)).unwrap();
    log.log(record(7)).unwrap();
    log.close().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &path)
        .collect();
    assert_eq!(files.len(), 1);
    let old = files.pop().unwrap();
    // The old file shows its truncation; the new one chains on from it.
    let r_old = verify(&[&old], &VerifyOptions::default()).unwrap();
    assert!(matches!(r_old.problem, Some(Problem::Truncated { .. })));
    let first_new = lines(&path)[0].clone();
    assert!(
        first_new.contains("\"predecessor_damaged\":true"),
        "{first_new}"
    );
    let r_new = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(r_new.intact);
}

#[test]
fn rotation_by_size_makes_a_verifiable_chain_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let s = signer();
    let opts = VerifyOptions {
        key: Some(s.verifier()),
        ..VerifyOptions::default()
    };
    let mut cfg = config(&path, Some(s));
    cfg.rotate_bytes = Some(2000);
    let log = AuditLog::open(cfg).unwrap();
    for i in 0..40 {
        log.log(record(i)).unwrap();
    }
    log.close().unwrap();
    let mut rotated: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &path)
        .collect();
    rotated.sort();
    assert!(rotated.len() >= 2, "{rotated:?}");
    for p in &rotated {
        let mode = std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut chain = rotated.clone();
    chain.push(path.clone());
    let r = verify(&chain, &opts).unwrap();
    assert!(r.intact, "{:?}", r.problem);
    assert_eq!(r.records(), 40);
    // Verified alone, a later file says what it continues from.
    let alone = verify(&[&path], &opts).unwrap();
    assert!(alone.intact);
    let name = rotated
        .last()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        alone.files[0].continues_from.as_deref(),
        Some(name.as_str())
    );
    // Leaving a file out of the middle breaks the link.
    let mut gap = rotated.clone();
    gap.remove(1);
    gap.push(path);
    let r = verify(&gap, &opts).unwrap();
    assert!(
        matches!(
            r.problem,
            Some(Problem::Missing { .. } | Problem::NotLinked { .. })
        ),
        "{:?}",
        r.problem
    );
}

#[test]
fn secrets_in_fields_are_redacted_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let log = AuditLog::open(config(&path, None)).unwrap();
    let mut r = record(1);
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    r.reason = format!("invalid token Bearer {jwt}");
    r.identity = Some(format!("aig_{}", "k3Y9vQ2mX7pL4wR8"));
    log.log(r).unwrap();
    log.close().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(jwt));
    assert!(!text.contains("k3Y9vQ2mX7pL4wR8"));
    assert!(text.contains("[REDACTED]"));
    assert!(verify(&[&path], &VerifyOptions::default()).unwrap().intact);
}

#[test]
fn dropped_records_are_counted_and_recorded_as_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let mut cfg = config(&path, None);
    cfg.queue = 1;
    cfg.when_full = WhenFull::Drop;
    cfg.fsync = FsyncPolicy::Always;
    let log = AuditLog::open(cfg).unwrap();
    let total = 3000u64;
    for i in 0..total {
        log.log(record(i)).unwrap();
    }
    log.flush().unwrap();
    let dropped = log.dropped();
    let written = log.written();
    log.close().unwrap();
    assert!(
        dropped > 0,
        "a queue of 1 behind fsync=always should overflow"
    );
    assert_eq!(written + dropped, total);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(r.intact, "{:?}", r.problem);
    assert_eq!(r.files[0].dropped, dropped);
    assert_eq!(r.records(), written);
}
