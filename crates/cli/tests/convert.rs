//! `aigis model convert`, run as a binary over the fixtures that
//! samples/convert_cases.py writes: every case converts to exactly the
//! tensors the generator intended (checked here byte by byte), or is refused
//! with its reason and exit code, leaving nothing behind. With
//! `PYTHON_FOR_FIXTURES` (scripts/test) the outputs are also loaded with the
//! real `safetensors` package (samples/check_safetensors.py) and real
//! `np.save`/`np.savez` files are included.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> String {
    std::env::var("PYTHON_FOR_FIXTURES").unwrap_or_else(|_| "python3".into())
}

fn aigis(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join(".none"))
        .output()
        .expect("runs")
}

fn generate(dir: &Path) -> Option<Vec<Value>> {
    let script = repo().join("samples/convert_cases.py");
    let status = Command::new(python()).arg(&script).arg(dir).status().ok()?;
    assert!(status.success(), "convert_cases.py failed");
    let text = std::fs::read_to_string(dir.join("cases.json")).expect("cases.json");
    serde_json::from_str(&text).ok()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Read a safetensors file by hand and compare it with the case.
fn check_output(path: &Path, case: &Value) -> Vec<String> {
    let data = std::fs::read(path).expect("output");
    let n = u64::from_le_bytes(data[..8].try_into().unwrap()) as usize;
    let mut bad = Vec::new();
    if !n.is_multiple_of(8) {
        bad.push(format!("header length {n} is not a multiple of 8"));
    }
    let header: serde_json::Map<String, Value> =
        serde_json::from_slice(&data[8..8 + n]).expect("header json");
    let body = &data[8 + n..];
    let want = case["tensors"].as_object().unwrap();
    let mut end = 0u64;
    let mut offsets = Vec::new();
    for (name, t) in &header {
        if name == "__metadata__" {
            if t != &case["metadata"] {
                bad.push(format!("metadata {t} != {}", case["metadata"]));
            }
            continue;
        }
        let Some(w) = want.get(name) else {
            bad.push(format!("unexpected tensor {name}"));
            continue;
        };
        let (a, b) = (
            t["data_offsets"][0].as_u64().unwrap(),
            t["data_offsets"][1].as_u64().unwrap(),
        );
        offsets.push((a, b));
        end = end.max(b);
        let got = hex(&body[a as usize..b as usize]);
        if t["dtype"] != w["dtype"] || t["shape"] != w["shape"] || got != w["hex"] {
            bad.push(format!(
                "{name}: got {} {} {got}, want {w}",
                t["dtype"], t["shape"]
            ));
        }
    }
    if header.get("__metadata__").is_none() && !case["metadata"].as_object().unwrap().is_empty() {
        bad.push("metadata missing".into());
    }
    if offsets.len() != want.len() {
        bad.push(format!("{} tensors, want {}", offsets.len(), want.len()));
    }
    offsets.sort();
    let contiguous = offsets.windows(2).all(|w| w[0].1 == w[1].0);
    if !contiguous || offsets.first().is_some_and(|o| o.0 != 0) || end as usize != body.len() {
        bad.push("data offsets do not tile the data section".into());
    }
    bad
}

#[test]
fn fixtures_convert_or_are_refused_with_their_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(cases) = generate(dir.path()) else {
        eprintln!("skipped: python3 not available");
        return;
    };
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut wrong = Vec::new();
    for case in &cases {
        let file = case["file"].as_str().unwrap();
        let out = out_dir.join(format!("{file}.safetensors"));
        let o = aigis(
            &[
                "model",
                "convert",
                file,
                out.to_str().unwrap(),
                "--format",
                "json",
            ],
            dir.path(),
        );
        let code = o.status.code();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        let reason = case["reason"].as_str().unwrap();
        match case["expect"].as_str().unwrap() {
            "converted" => {
                if code != Some(0) {
                    wrong.push(format!("{file}: exit {code:?}: {stdout}{stderr}"));
                    continue;
                }
                let report: Value = serde_json::from_str(&stdout).expect("json");
                assert_eq!(report["status"], "converted");
                for b in check_output(&out, case) {
                    wrong.push(format!("{file}: {b}"));
                }
            }
            expect => {
                let want = if expect == "refused" { 1 } else { 2 };
                if code != Some(want) || !(stdout.contains(reason) || stderr.contains(reason)) {
                    wrong.push(format!(
                        "{file}: exit {code:?} (want {want}, {reason:?}): {stdout}{stderr}"
                    ));
                }
                if out.exists() {
                    wrong.push(format!("{file}: refused but wrote {}", out.display()));
                }
            }
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("aigis-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The real safetensors package must load every output to the same arrays.
    if let Ok(py) = std::env::var("PYTHON_FOR_FIXTURES") {
        let o = Command::new(py)
            .arg(repo().join("samples/check_safetensors.py"))
            .arg(dir.path())
            .output()
            .expect("python runs");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        eprintln!("{text}");
    }
}

/// One converted fixture in a fresh folder.
fn setup() -> Option<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path())?;
    let input = dir.path().join("benign_zip.pt");
    Some((dir, input))
}

#[test]
fn refuses_to_overwrite_without_force() {
    let Some((dir, input)) = setup() else { return };
    let out = dir.path().join("model.safetensors");
    std::fs::write(&out, b"keep me").unwrap();
    let args = [
        "model",
        "convert",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
    ];
    let o = aigis(&args, dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("model.safetensors: already exists"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    let o = aigis(&[&args[..], &["--force"]].concat(), dir.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("converted "), "{text}");
    assert!(
        text.contains("(pytorch-zip)") && text.contains("4 tensors"),
        "{text}"
    );
    assert_ne!(std::fs::read(&out).unwrap(), b"keep me");
}

#[test]
fn usage_errors_exit_2_naming_the_path() {
    let Some((dir, input)) = setup() else { return };
    let o = aigis(
        &["model", "convert", "missing.pt", "x.safetensors"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.pt: not a file"));
    let o = aigis(
        &[
            "model",
            "convert",
            input.to_str().unwrap(),
            "no/such/dir/x.safetensors",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("failed to write no/such/dir/x.safetensors"),
        "{err}"
    );
    assert!(!dir.path().join("x.safetensors").exists());
}

#[test]
fn refusal_in_text_format_is_one_line_on_stderr() {
    let Some((dir, _)) = setup() else { return };
    let o = aigis(
        &["model", "convert", "malicious_zip.pt", "m.safetensors"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("aigis: refused: malicious_zip.pt: the scanner calls it malicious"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1);
    assert!(o.stdout.is_empty());
    assert!(!dir.path().join("m.safetensors").exists());
}
