//! The bundled demo, as the README's first command scans it: every manifest
//! entry gets its verdict with every domain on, the committed files are what
//! the generator writes, and the demo project's report is snapshotted in
//! text, JSON and SARIF (review a changed snapshot before accepting it:
//! `INSTA_UPDATE=always cargo test -p aigis --test demo`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo")
}

fn aigis(args: &[&str]) -> Output {
    let none = tempfile::tempdir().expect("tempdir");
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(demo())
        .env("XDG_CONFIG_HOME", none.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("json output")
}

#[test]
fn every_demo_entry_gets_its_manifest_verdict() {
    let manifest = std::fs::read_to_string(demo().join("manifest.json")).expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest json");
    let out = aigis(&["scan", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1), "malicious files mean exit 1");
    let report = json(&out);
    let files = report["files"].as_array().cloned().unwrap_or_default();
    let mut wrong = Vec::new();
    let entries = manifest.as_array().cloned().unwrap_or_default();
    for e in &entries {
        let path = e["path"].as_str().unwrap_or("");
        let got = files
            .iter()
            .find(|f| f["path"].as_str().map(|p| p.trim_start_matches("./")) == Some(path))
            .and_then(|f| f["verdict"].as_str());
        if got != e["expect"].as_str() {
            wrong.push(format!("{path}: expected {}, got {got:?}", e["expect"]));
        }
    }
    assert!(entries.len() >= 15, "the demo has models and a project");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn committed_demo_project_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = demo().join("../samples/generate.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(dir.path())
        .arg("--demo")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success());
    for name in [
        "train.py",
        "serve.py",
        "safe_helpers.py",
        "settings.yaml",
        "explore.ipynb",
    ] {
        let fresh = std::fs::read(dir.path().join("project").join(name)).expect("generated");
        let committed = std::fs::read(demo().join("project").join(name)).expect("committed");
        assert!(
            fresh == committed,
            "demo/project/{name} differs from the generator's"
        );
    }
    let fresh = std::fs::read(dir.path().join("manifest.json")).expect("generated");
    let committed = std::fs::read(demo().join("manifest.json")).expect("committed");
    assert!(
        fresh == committed,
        "demo/manifest.json differs from the generator's"
    );
}

#[test]
fn demo_project_text_report() {
    let out = aigis(&["scan", "--color", "never", "project"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn demo_project_json_report() {
    let out = aigis(&["scan", "--format", "json", "project"]);
    insta::assert_snapshot!(serde_json::to_string_pretty(&json(&out)).expect("json"));
}

/// The results only: the rule descriptors list every rule and are covered by
/// aigis-render's own snapshots.
#[test]
fn demo_project_sarif_results() {
    let out = aigis(&["scan", "--format", "sarif", "project"]);
    let sarif = json(&out);
    let results = &sarif["runs"][0]["results"];
    assert!(results.as_array().is_some_and(|r| r.len() >= 10));
    insta::assert_snapshot!(serde_json::to_string_pretty(results).expect("json"));
}
