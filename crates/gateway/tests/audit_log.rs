//! The gateway's real audit log (aigis-audit's hash-chained writer) end to
//! end: requests become chained, redacted lines that `verify` accepts, with
//! signed checkpoints; a writer that stops makes the gateway refuse service.

mod common;

use aigis_audit::{CheckpointSigner, CheckpointVerifier, VerifyOptions, verify};
use aigis_gateway::audit::AuditSink;
use common::{TestApp, body_string, post_json};
use http::StatusCode;
use std::os::unix::fs::PermissionsExt;

const CHAT: &str = "/v1/chat/completions";
const DEMO: &str = r#"{"model":"demo","messages":[]}"#;

fn lines(app: &TestApp) -> Vec<serde_json::Value> {
    app.flush_audit();
    std::fs::read_to_string(app.audit_path())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn requests_become_a_chain_that_verifies() {
    let app = TestApp::builder()
        .with_key("analyst", Some("acme"))
        .chained_audit()
        .build()
        .await;
    let key = app.key("analyst").to_string();
    for cred in [Some(key.as_str()), None, Some("aig_wrong_0123456789abcdef")] {
        let resp = app.send(post_json(CHAT, cred, DEMO)).await;
        let _ = body_string(resp).await;
    }
    let all = lines(&app);
    let records: Vec<&serde_json::Value> = all.iter().filter_map(|l| l.get("record")).collect();
    assert_eq!(records.len(), 3, "{all:?}");
    assert_eq!(records[0]["decision"], "allow");
    assert_eq!(records[0]["route"], "chat");
    assert_eq!(records[0]["tenant"], "acme");
    assert_eq!(records[0]["client"], "192.0.2.1");
    assert!(records[0]["latency_us"].as_u64().is_some());
    assert_eq!(
        (records[1]["status"].as_u64(), &records[1]["decision"]),
        (Some(401), &serde_json::json!("deny"))
    );
    let report = verify(&[app.audit_path()], &VerifyOptions::default()).unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.records(), 3);
    let text = std::fs::read_to_string(app.audit_path()).unwrap();
    let secret = key.rsplit_once('_').unwrap().1;
    assert!(!text.contains(secret), "{text}");
    assert!(!text.contains("0123456789abcdef"), "{text}");
    let mode = std::fs::metadata(app.audit_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test]
async fn model_name_that_looks_like_a_key_is_redacted_in_the_file() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .chained_audit()
        .replace("models = [\"demo\"]\nupstream", "models = []\nupstream")
        .replace(
            "[roles.analyst]\nmodels = [\"demo\"]",
            "[roles.analyst]\nmodels = [\"*\"]",
        )
        .build()
        .await;
    let key = app.key("analyst").to_string();
    let body = format!(r#"{{"model":"{key}"}}"#);
    let resp = app.send(post_json(CHAT, Some(&key), &body)).await;
    let _ = body_string(resp).await;
    let all = lines(&app);
    let rec = all.iter().find_map(|l| l.get("record")).unwrap();
    assert_eq!(rec["model"], aigis_audit::redact::REDACTED);
    let text = std::fs::read_to_string(app.audit_path()).unwrap();
    assert!(!text.contains(key.rsplit_once('_').unwrap().1), "{text}");
}

#[tokio::test]
async fn checkpoints_are_signed_with_the_configured_key() {
    let dir = tempfile::tempdir().unwrap();
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let pem = pair.serialize_pem();
    let key_path = dir.path().join("audit-signing.pem");
    std::fs::write(&key_path, &pem).unwrap();
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let app = TestApp::builder()
        .with_key("analyst", None)
        .chained_audit()
        .config(&format!(
            "\n[audit]\ncheckpoint_key = \"file:{}\"\ncheckpoint_every = 2\nfsync = \"always\"\n",
            key_path.display()
        ))
        .build()
        .await;
    let key = app.key("analyst").to_string();
    for _ in 0..4 {
        let _ = body_string(app.send(post_json(CHAT, Some(&key), DEMO)).await).await;
    }
    app.flush_audit();
    let public = CheckpointSigner::from_pem(&pem).unwrap().public_key_pem();
    let opts = VerifyOptions {
        key: Some(CheckpointVerifier::from_pem(&public).unwrap()),
        ..VerifyOptions::default()
    };
    let report = verify(&[app.audit_path()], &opts).unwrap();
    assert!(report.intact && report.signatures_checked, "{report:?}");
    assert_eq!((report.records(), report.checkpoints()), (4, 2));
    // Another key does not verify them.
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let other_pub = CheckpointSigner::from_pem(&other.serialize_pem())
        .unwrap()
        .public_key_pem();
    let opts = VerifyOptions {
        key: Some(CheckpointVerifier::from_pem(&other_pub).unwrap()),
        ..VerifyOptions::default()
    };
    assert!(!verify(&[app.audit_path()], &opts).unwrap().intact);
}

#[tokio::test]
async fn a_stopped_writer_makes_the_gateway_refuse_service() {
    // The log lives in a directory that is removed after the first request;
    // the next record's size rotation cannot rename the file and the writer
    // stops. From then on requests are refused with 503.
    let app = TestApp::builder()
        .with_key("analyst", None)
        .chained_audit()
        .replace(
            "audit_log = \"audit.jsonl\"",
            "audit_log = \"logs/audit.jsonl\"",
        )
        .config("\n[audit]\nrotate_bytes = 1\n")
        .build_with(|dir| std::fs::create_dir(dir.join("logs")).unwrap())
        .await;
    let key = app.key("analyst").to_string();
    let ok = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let _ = body_string(ok).await;
    app.flush_audit();
    std::fs::remove_dir_all(app.dir.path().join("logs")).unwrap();
    let _ = body_string(app.send(post_json(CHAT, Some(&key), DEMO)).await).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while app.audit.failure().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(
        app.audit.failure().is_some(),
        "the writer should have stopped"
    );
    let refused = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body_string(refused).await,
        r#"{"error":"service unavailable"}"#
    );
}

#[test]
fn audit_settings_errors_name_the_key() {
    for (extra, key) in [
        ("fsync = \"sometimes\"", "audit.fsync"),
        ("when_full = \"panic\"", "audit.when_full"),
        ("on_failure = \"ignore\"", "audit.on_failure"),
        ("queue = 0", "audit.queue"),
        ("checkpoint_every = 0", "audit.checkpoint_every"),
        (
            "checkpoint_key = \"plain-text-key\"",
            "audit.checkpoint_key",
        ),
    ] {
        let err = common::config_error(&format!("[audit]\n{extra}"));
        assert!(err.starts_with(key), "{extra}: {err}");
    }
}
