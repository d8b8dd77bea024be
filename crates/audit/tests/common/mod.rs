//! Shared helpers for the audit log tests: test-time keys, writing a small
//! log, and rewriting lines the way an attacker would.
#![allow(dead_code)]

use aigis_audit::line::line_hash;
use aigis_audit::{AuditLog, AuditRecord, CheckpointSigner, Decision, FsyncPolicy, WriterConfig};
use base64::Engine;
use std::path::{Path, PathBuf};

/// A fresh P-256 key as PKCS#8 PEM, generated for this test run only.
pub fn p256_pem() -> String {
    let rng = ring::rand::SystemRandom::new();
    let der = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &rng,
    )
    .expect("keygen");
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        body.join("\n")
    )
}

pub fn signer() -> CheckpointSigner {
    CheckpointSigner::from_pem(&p256_pem()).expect("signer")
}

pub fn record(i: u64) -> AuditRecord {
    let mut r = AuditRecord::now(format!("req-{i}"), Decision::Allow);
    r.identity = Some(format!("key-{}", i % 3));
    r.role = Some("reader".into());
    r.model = Some("llama".into());
    r.route = "/v1/chat/completions".into();
    r.method = "POST".into();
    r.status = 200;
    r.latency_us = i;
    r
}

pub fn config(path: &Path, signer: Option<CheckpointSigner>) -> WriterConfig {
    let mut cfg = WriterConfig::new(path);
    cfg.fsync = FsyncPolicy::Never;
    cfg.checkpoint_every = Some(5);
    cfg.checkpoint_interval = None;
    cfg.signer = signer;
    cfg.when_full = aigis_audit::WhenFull::Block;
    cfg
}

/// Write `n` records with checkpoints every 5 lines; returns the path.
pub fn write_log(dir: &Path, n: u64, signer: Option<CheckpointSigner>) -> PathBuf {
    let path = dir.join("audit.log");
    let log = AuditLog::open(config(&path, signer)).expect("open");
    for i in 0..n {
        log.log(record(i)).expect("log");
    }
    log.close().expect("close");
    path
}

pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

pub fn write_lines(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

/// Re-chain every line after `from` (0-based), as someone who can rewrite
/// the file but has no signing key would: `prev` and checkpoint hashes are
/// recomputed, signatures are kept.
pub fn rechain(lines: &mut [String], from: usize) {
    for i in from + 1..lines.len() {
        let prev = line_hash(lines[i - 1].as_bytes());
        let mut v: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
        v["prev"] = serde_json::Value::String(prev.clone());
        if v.get("checkpoint").is_some() {
            v["checkpoint"]["hash"] = serde_json::Value::String(prev);
        }
        lines[i] = serde_json::to_string(&v).unwrap();
    }
}

/// Index of the first line whose body is `kind`, at or after `from`.
pub fn find(lines: &[String], kind: &str, from: usize) -> usize {
    (from..lines.len())
        .find(|&i| lines[i].contains(&format!("\"{kind}\":")))
        .expect("line of that kind")
}
