//! The committed sample generator's files, scanned by the binary: every
//! sample must get the verdict its manifest expects. With
//! `PYTHON_FOR_FIXTURES` pointing at a Python that has numpy, scikit-learn and
//! joblib (scripts/test sets it up), models written by those real libraries
//! are included and must come out clean.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn generate(out: &Path, real: bool) -> Option<serde_json::Value> {
    let script = repo().join("samples/generate.py");
    if !script.is_file() {
        return None;
    }
    let python = match (real, std::env::var("PYTHON_FOR_FIXTURES")) {
        (true, Ok(p)) => p,
        (true, Err(_)) => return None,
        (false, _) => "python3".to_string(),
    };
    let mut cmd = Command::new(python);
    cmd.arg(&script).arg(out);
    if real {
        cmd.arg("--real");
    }
    let status = cmd.status().expect("python runs");
    assert!(status.success(), "generator failed");
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest");
    Some(serde_json::from_str(&text).expect("manifest json"))
}

fn check(real: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(manifest) = generate(dir.path(), real) else {
        eprintln!("skipped: generator or fixture Python not available");
        return;
    };
    let o = Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(["scan", "--only", "models", "--format", "json", "."])
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join(".none"))
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    let files = report["files"].as_array().cloned().unwrap_or_default();
    let file_of = |path: &str| {
        files.iter().find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.trim_start_matches("./") == path)
        })
    };
    let verdict_of =
        |path: &str| file_of(path).and_then(|f| f["verdict"].as_str().map(str::to_string));
    // A clean file carries notes only: `info`, or the object-array warning
    // (AIG113) that real numpy files with object dtypes deserve.
    let noise_of = |path: &str| -> Vec<String> {
        let findings = file_of(path)
            .and_then(|f| f["findings"].as_array().cloned())
            .unwrap_or_default();
        findings
            .iter()
            .filter(|x| x["severity"] != "info" && x["rule_id"] != "AIG113")
            .map(|x| format!("{} {}", x["rule_id"], x["message"]))
            .collect()
    };
    let mut wrong = Vec::new();
    let entries = manifest.as_array().cloned().unwrap_or_default();
    for s in &entries {
        let path = s["path"].as_str().unwrap_or("");
        let expect = s["expect"].as_str().unwrap_or("");
        let got = verdict_of(path);
        let ok = match (expect, got.as_deref()) {
            ("skip", None) => true,
            ("flagged", Some(v)) => v != "clean",
            (e, Some(v)) => e == v,
            _ => false,
        };
        if !ok {
            wrong.push(format!(
                "{path}: expected {expect}, got {got:?} ({})",
                s["technique"]
            ));
        } else if expect == "clean" {
            for n in noise_of(path) {
                wrong.push(format!("{path}: clean but reported {n}"));
            }
        }
    }
    assert!(!entries.is_empty(), "manifest lists samples");
    assert!(
        wrong.is_empty(),
        "{} of {} samples wrong:\n{}",
        wrong.len(),
        entries.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_generated_sample_gets_its_expected_verdict() {
    check(false);
}

#[test]
fn models_written_by_real_libraries_are_clean() {
    check(true);
}
