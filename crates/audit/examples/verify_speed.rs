//! How fast `verify` reads a log: writes N records (default 1,000,000) with
//! checkpoints every 1,000 lines to a temporary directory (or the path
//! given), then times `verify` without and with the public key.
//!
//! `cargo run --release -p aigis-audit --example verify_speed [N] [PATH]`
//!
//! The same file can be checked with the CLI:
//! `time aigis audit-log verify PATH --public-key PATH.pub.pem`.

use aigis_audit::{
    AuditLog, AuditRecord, CheckpointSigner, Decision, FsyncPolicy, VerifyOptions, WhenFull,
    WriterConfig, verify,
};
use base64::Engine;
use std::time::Instant;

fn p256_pem() -> String {
    let rng = ring::rand::SystemRandom::new();
    let der = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &rng,
    )
    .expect("keygen");
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    // PEM bodies are wrapped at 64 columns (the p256 parser insists).
    let body: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        body.join("\n")
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("audit.log"));
    let signer = CheckpointSigner::from_pem(&p256_pem()).expect("key");
    let verifier = signer.verifier();
    std::fs::write(path.with_extension("pub.pem"), signer.public_key_pem()).expect("write key");
    let mut cfg = WriterConfig::new(&path);
    cfg.fsync = FsyncPolicy::Never;
    cfg.checkpoint_every = Some(1000);
    cfg.signer = Some(signer);
    cfg.when_full = WhenFull::Block;
    let t = Instant::now();
    let log = AuditLog::open(cfg).expect("open");
    for i in 0..n {
        let mut r = AuditRecord::now(format!("req-{i:08}"), Decision::Allow);
        r.identity = Some(format!("key-{}", i % 97));
        r.role = Some("reader".into());
        r.model = Some("llama-3-8b".into());
        r.route = "/v1/chat/completions".into();
        r.method = "POST".into();
        r.status = 200;
        r.latency_us = i % 50_000;
        r.bytes_in = 512;
        r.bytes_out = 2048;
        log.log(r).expect("log");
    }
    log.close().expect("close");
    let write_s = t.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {n} records ({:.1} MB) in {write_s:.2} s: {:.0} records/s (redaction, chaining, signing)",
        bytes as f64 / 1e6,
        n as f64 / write_s
    );
    for (label, key) in [("chain only", None), ("chain + signatures", Some(verifier))] {
        let opts = VerifyOptions {
            key,
            ..VerifyOptions::default()
        };
        let t = Instant::now();
        let r = verify(&[&path], &opts).expect("verify");
        let s = t.elapsed().as_secs_f64();
        assert!(r.intact, "{:?}", r.problem);
        println!(
            "verify ({label}): {} records, {} checkpoints in {s:.2} s: {:.0} records/s, {:.0} MB/s",
            r.records(),
            r.checkpoints(),
            r.records() as f64 / s,
            bytes as f64 / 1e6 / s
        );
    }
}
