//! Round trip and one named test per way of tampering with a log.

mod common;

use aigis_audit::{Problem, VerifyOptions, verify};
use common::*;

fn opts_with(signer: &aigis_audit::CheckpointSigner) -> VerifyOptions {
    VerifyOptions {
        key: Some(signer.verifier()),
        ..VerifyOptions::default()
    }
}

#[test]
fn round_trip_is_intact_with_records_checkpoints_and_times() {
    let dir = tempfile::tempdir().unwrap();
    let s = signer();
    let opts = opts_with(&s);
    let path = write_log(dir.path(), 12, Some(s));
    let r = verify(&[&path], &opts).unwrap();
    assert!(r.intact, "{:?}", r.problem);
    assert!(r.signatures_checked);
    assert_eq!(r.records(), 12);
    // genesis + 12 records = 13 lines: checkpoints after 5, 10, and at close.
    assert_eq!(r.checkpoints(), 3);
    let f = &r.files[0];
    assert_eq!(f.unsigned_tail, 0);
    assert!(f.first_time.is_some() && f.last_time.is_some());
    assert_eq!(f.first_seq, Some(0));
    assert!(f.continues_from.is_none());
}

#[test]
fn without_a_key_signatures_are_reported_unchecked() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 7, Some(signer()));
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(r.intact);
    assert!(!r.signatures_checked);
}

#[test]
fn edited_field_is_a_hash_mismatch_on_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 12, None);
    let mut l = lines(&path);
    let i = find(&l, "record", 3);
    l[i] = l[i].replace("\"status\":200", "\"status\":403");
    write_lines(&path, &l);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(!r.intact);
    match r.problem.unwrap() {
        Problem::HashMismatch { line, .. } => assert_eq!(line as usize, i + 2),
        p => panic!("{p:?}"),
    }
}

#[test]
fn deleted_line_is_reported_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 12, None);
    let mut l = lines(&path);
    l.remove(4);
    write_lines(&path, &l);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(
        matches!(
            r.problem,
            Some(Problem::Missing {
                line: 5,
                expected_seq: 4,
                found_seq: 5,
                ..
            })
        ),
        "{:?}",
        r.problem
    );
}

#[test]
fn swapped_lines_are_reported_reordered() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 12, None);
    let mut l = lines(&path);
    l.swap(3, 4);
    write_lines(&path, &l);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(
        matches!(
            r.problem,
            Some(Problem::Reordered {
                line: 4,
                expected_seq: 3,
                found_seq: 4,
                ..
            })
        ),
        "{:?}",
        r.problem
    );
}

#[test]
fn truncated_last_line_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 6, None);
    let text = std::fs::read(&path).unwrap();
    std::fs::write(&path, &text[..text.len() - 10]).unwrap();
    let n = lines(&path).len() as u64;
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert_eq!(
        r.problem,
        Some(Problem::Truncated {
            path: path.clone(),
            line: n
        })
    );
}

#[test]
fn appended_garbage_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 6, None);
    let mut l = lines(&path);
    l.push("this is not json".into());
    write_lines(&path, &l);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(
        matches!(&r.problem, Some(Problem::NotJson { line, .. }) if *line as usize == l.len()),
        "{:?}",
        r.problem
    );
}

#[test]
fn appended_well_formed_line_that_does_not_chain_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 6, None);
    let mut l = lines(&path);
    let last: serde_json::Value = serde_json::from_str(l.last().unwrap()).unwrap();
    let seq = last["seq"].as_u64().unwrap() + 1;
    l.push(format!(
        r#"{{"seq":{seq},"prev":"{}","record":{{"time":"x"}}}}"#,
        "ab".repeat(32)
    ));
    write_lines(&path, &l);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(
        matches!(r.problem, Some(Problem::HashMismatch { .. })),
        "{:?}",
        r.problem
    );
}

#[test]
fn forged_checkpoint_after_rechaining_fails_signature_check() {
    let dir = tempfile::tempdir().unwrap();
    let s = signer();
    let opts = opts_with(&s);
    let path = write_log(dir.path(), 12, Some(s));
    let mut l = lines(&path);
    let i = find(&l, "record", 2);
    l[i] = l[i].replace("\"status\":200", "\"status\":201");
    rechain(&mut l, i);
    write_lines(&path, &l);
    // The chain is consistent again: only the signatures tell.
    let unchecked = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(unchecked.intact && !unchecked.signatures_checked);
    let r = verify(&[&path], &opts).unwrap();
    match r.problem {
        Some(Problem::BadSignature { why, .. }) => assert!(why.contains("invalid"), "{why}"),
        p => panic!("{p:?}"),
    }
}

#[test]
fn checkpoint_hash_not_matching_the_chain_is_a_bad_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 12, Some(signer()));
    let mut l = lines(&path);
    let i = find(&l, "checkpoint", 0);
    let mut v: serde_json::Value = serde_json::from_str(&l[i]).unwrap();
    v["checkpoint"]["hash"] = serde_json::Value::String("cd".repeat(32));
    l[i] = serde_json::to_string(&v).unwrap();
    rechain(&mut l, i);
    // rechain rewrote hashes only after i; put the bad hash back is not needed.
    write_lines(&path, &l);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(
        matches!(r.problem, Some(Problem::BadCheckpoint { .. })),
        "{:?}",
        r.problem
    );
}

#[test]
fn wrong_public_key_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 6, Some(signer()));
    let other = signer();
    let r = verify(&[&path], &opts_with(&other)).unwrap();
    match r.problem {
        Some(Problem::BadSignature { why, .. }) => assert!(why.contains("signed by key"), "{why}"),
        p => panic!("{p:?}"),
    }
}

#[test]
fn empty_file_and_missing_genesis_are_problems() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "").unwrap();
    let r = verify(&[&empty], &VerifyOptions::default()).unwrap();
    assert!(matches!(r.problem, Some(Problem::Empty { .. })));
    let path = write_log(dir.path(), 4, None);
    let mut l = lines(&path);
    l.remove(0);
    write_lines(&path, &l);
    let r = verify(&[&path], &VerifyOptions::default()).unwrap();
    assert!(
        matches!(r.problem, Some(Problem::Malformed { line: 1, .. })),
        "{:?}",
        r.problem
    );
}

#[test]
fn overlong_line_is_refused_without_reading_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 2, None);
    let mut l = lines(&path);
    l.push("x".repeat(5000));
    write_lines(&path, &l);
    let opts = VerifyOptions {
        max_line_bytes: 1000,
        ..VerifyOptions::default()
    };
    let r = verify(&[&path], &opts).unwrap();
    assert!(
        matches!(r.problem, Some(Problem::LineTooLong { max: 1000, .. })),
        "{:?}",
        r.problem
    );
}

#[test]
fn unreadable_file_is_an_error_naming_the_path() {
    let e = verify(&["/nonexistent/audit.log"], &VerifyOptions::default()).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/audit.log"));
}
