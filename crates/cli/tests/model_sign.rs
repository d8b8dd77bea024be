//! `aigis model hash | sign | verify` through the built binary: output forms,
//! exit codes (0 ok, 1 verification failed, 2 bad usage) and the signature
//! file left out of its own model.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../integrity/tests/data")
        .join(name)
}

fn aigis(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

fn model() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("m/sub")).unwrap();
    std::fs::write(d.path().join("m/a.txt"), b"hello\n").unwrap();
    std::fs::write(d.path().join("m/sub/w.bin"), vec![0u8; 5000]).unwrap();
    d
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn hash_prints_sha256sum_lines_and_json() {
    let d = model();
    let o = aigis(&["model", "hash", "m"], d.path());
    assert_eq!(o.status.code(), Some(0));
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0],
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a.txt"
    );
    assert!(
        lines[1].ends_with("  sub/w.bin") && lines[1].len() == 64 + 2 + 9,
        "{text}"
    );
    let o = aigis(
        &[
            "model", "hash", "m", "--format", "json", "--output", "h.json",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("h.json")).unwrap()).unwrap();
    assert_eq!(j["resources"][1]["path"], "sub/w.bin");
    assert_eq!(j["resources"][1]["size"], 5000);
}

#[test]
fn sign_then_verify_and_tamper_exit_codes() {
    let d = model();
    let key = format!("file:{}", data("p256-pkcs8.pem").display());
    let public = data("p256-pub.pem");
    // Default signature path is ./model.sig; inside the model it is left out.
    let o = aigis(&["model", "sign", ".", "--key", &key], &d.path().join("m"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let m = d.path().join("m");
    let v = |extra: &[&str]| {
        let mut a = vec!["model", "verify", ".", "--signature", "model.sig"];
        a.extend_from_slice(extra);
        aigis(&a, &m)
    };
    assert_eq!(
        v(&["--key", public.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let o = v(&["--key", data("other-pub.pem").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("wrong key"));
    std::fs::write(m.join("a.txt"), b"changed\n").unwrap();
    let o = v(&["--key", public.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["problems"][0]["kind"], "modified");
    assert_eq!(j["problems"][0]["path"], "a.txt");
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    let d = model();
    let o = aigis(
        &[
            "model",
            "verify",
            "m",
            "--signature",
            "nope.sig",
            "--key",
            data("p256-pub.pem").to_str().unwrap(),
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("nope.sig") && err.lines().count() == 1,
        "{err}"
    );
    let o = aigis(
        &["model", "sign", "m", "--key", "env:SIGNING_KEY"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let o = aigis(
        &[
            "model",
            "sign",
            "m",
            "--key",
            data("p256-pub.pem").to_str().unwrap(),
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("a.txt", d.path().join("m/link")).unwrap();
        let o = aigis(&["model", "hash", "m"], d.path());
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains("symbolic link"));
        assert_eq!(
            aigis(&["model", "hash", "m", "--allow-symlinks"], d.path())
                .status
                .code(),
            Some(0)
        );
    }
}
