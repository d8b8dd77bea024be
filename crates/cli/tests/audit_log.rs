//! `aigis audit-log verify` through the built binary: exit 0 intact, 1
//! broken (with the place named), 2 unreadable file or key.

use aigis_audit::{AuditLog, AuditRecord, CheckpointSigner, Decision, FsyncPolicy, WriterConfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../integrity/tests/data")
        .join(name)
}

fn aigis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .output()
        .expect("runs")
}

fn write_log(dir: &Path) -> PathBuf {
    let path = dir.join("audit.log");
    let pem = std::fs::read_to_string(data("p256-pkcs8.pem")).unwrap();
    let mut cfg = WriterConfig::new(&path);
    cfg.fsync = FsyncPolicy::Never;
    cfg.checkpoint_every = Some(4);
    cfg.signer = Some(CheckpointSigner::from_pem(&pem).unwrap());
    let log = AuditLog::open(cfg).unwrap();
    for i in 0..10 {
        let mut r = AuditRecord::now(format!("r{i}"), Decision::Allow);
        r.route = "/v1/models".into();
        r.status = 200;
        log.log(r).unwrap();
    }
    log.close().unwrap();
    path
}

#[test]
fn intact_log_exits_0_and_says_whether_signatures_were_checked() {
    let d = tempfile::tempdir().unwrap();
    let log = write_log(d.path());
    let log = log.to_str().unwrap();
    let o = aigis(&["audit-log", "verify", log]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("INTACT: 10 records"), "{text}");
    assert!(text.contains("NOT checked"), "{text}");
    let key = data("p256-pub.pem");
    let o = aigis(&[
        "audit-log",
        "verify",
        log,
        "--public-key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("checkpoint signatures verified"));
    let o = aigis(&["audit-log", "verify", "--format", "json", log]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["intact"], true);
}

#[test]
fn broken_log_exits_1_naming_the_line() {
    let d = tempfile::tempdir().unwrap();
    let log = write_log(d.path());
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("\"status\":200", "\"status\":500", 1)).unwrap();
    let o = aigis(&["audit-log", "verify", log.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("BROKEN") && out.contains("audit.log:3"),
        "{out}"
    );
}

#[test]
fn wrong_key_exits_1() {
    let d = tempfile::tempdir().unwrap();
    let log = write_log(d.path());
    let other = data("p384-pub.pem");
    let o = aigis(&[
        "audit-log",
        "verify",
        log.to_str().unwrap(),
        "--public-key",
        other.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("signed by key"));
}

#[test]
fn unreadable_file_or_key_exits_2_with_one_line() {
    let o = aigis(&["audit-log", "verify", "/nonexistent/audit.log"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/audit.log"), "{err}");
    let d = tempfile::tempdir().unwrap();
    let log = write_log(d.path());
    let o = aigis(&[
        "audit-log",
        "verify",
        log.to_str().unwrap(),
        "--public-key",
        "/nonexistent/k.pem",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = aigis(&["audit-log", "verify"]);
    assert_eq!(o.status.code(), Some(2));
}
