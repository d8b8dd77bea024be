//! `aigis scan --host`: on this machine (structure only: CI containers have
//! different sockets), and against the `busy` fixture tree of
//! `crates/deploy/tests/fixtures/host` through the test-only
//! `AIGIS_HOST_ROOT`, whose JSON and SARIF reports are snapshotted (review a
//! changed snapshot before accepting it:
//! `INSTA_UPDATE=always cargo test -p aigis --test host`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn aigis(args: &[&str], cwd: &Path, host_root: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aigis"));
    c.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", cwd.join(".no-user-config"))
        .env_remove("AIGIS_HOST_ROOT");
    if let Some(root) = host_root {
        c.env("AIGIS_HOST_ROOT", root);
    }
    c.output().expect("runs")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&o.stderr));
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type().expect("type");
        if t.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).expect("link"), &dst)
                .expect("symlink");
        } else if t.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A temporary directory holding `root` (the busy fixture, socket 0666) and
/// `models/` with a world-writable pickle and a group-readable key.
fn busy_host() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/tests/fixtures/host/busy");
    let root = tmp.path().join("root");
    copy_tree(&fixture, &root);
    chmod(&root.join("var/run/docker.sock"), 0o666);
    let models = tmp.path().join("models");
    std::fs::create_dir(&models).expect("mkdir");
    // {'a': [1, 2]} at protocol 2: a clean model with a bad mode.
    let pickle = [
        0x80, 2, b'}', 0x8c, 1, b'a', b']', b'(', b'K', 1, b'K', 2, b'e', b's', b'.',
    ];
    std::fs::write(models.join("model.pt"), pickle).expect("write");
    chmod(&models.join("model.pt"), 0o666);
    std::fs::write(models.join("signing.key"), b"k\n").expect("write");
    chmod(&models.join("signing.key"), 0o640);
    (tmp, root)
}

#[test]
fn host_scan_of_this_machine_has_the_report_structure() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = aigis(
        &["scan", "--host", "--format", "json", "."],
        tmp.path(),
        None,
    );
    assert!(matches!(o.status.code(), Some(0..=2)), "{o:?}");
    let report = json(&o);
    let rules = json(&aigis(&["rules", "--format", "json"], tmp.path(), None));
    let known: Vec<&str> = rules
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for file in report["files"].as_array().expect("files") {
        let path = file["path"].as_str().expect("path");
        if file["format"] == "host" {
            assert!(path.starts_with("host:"), "{path}");
        }
        for f in file["findings"].as_array().expect("findings") {
            let id = f["rule_id"].as_str().expect("id");
            assert!(known.contains(&id), "{id} not in `aigis rules`");
            assert_eq!(f["location"]["path"].as_str(), Some(path));
            assert_eq!(f["fingerprint"].as_str().map(str::len), Some(32));
            if path.starts_with("host:port/") {
                assert!(matches!(id, "AIG620" | "AIG621" | "AIG622"), "{id}");
                assert!(!path.ends_with("/443"), "443 is never reported");
            }
        }
    }
    // The uid finding agrees with who runs the test.
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0");
    let flagged = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .any(|f| f["path"] == "host:process/uid");
    assert_eq!(flagged, root);
}

#[test]
fn without_host_there_are_no_host_findings() {
    let (tmp, root) = busy_host();
    let o = aigis(
        &["scan", "--format", "json", "models"],
        tmp.path(),
        Some(&root),
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains("host:"), "{text}");
    assert!(!text.contains("AIG62"), "{text}");
}

#[test]
fn host_fixture_json_report() {
    let (tmp, root) = busy_host();
    let o = aigis(
        &["scan", "--host", "--format", "json", "models"],
        tmp.path(),
        Some(&root),
    );
    assert_eq!(o.status.code(), Some(1), "critical findings: {o:?}");
    insta::assert_snapshot!(serde_json::to_string_pretty(&json(&o)).expect("json"));
}

#[test]
fn host_fixture_sarif_results() {
    let (tmp, root) = busy_host();
    let o = aigis(
        &["scan", "--host", "--format", "sarif", "models"],
        tmp.path(),
        Some(&root),
    );
    assert_eq!(o.status.code(), Some(1));
    let sarif = json(&o);
    let results = &sarif["runs"][0]["results"];
    insta::assert_snapshot!(serde_json::to_string_pretty(results).expect("json"));
}

#[test]
fn host_fixture_text_report_names_processes() {
    let (tmp, root) = busy_host();
    let o = aigis(&["scan", "--host", "models"], tmp.path(), Some(&root));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("host:port/tcp/22"), "{text}");
    assert!(text.contains("process sshd (pid 801)"), "{text}");
    assert!(
        text.contains("model file is writable by every user"),
        "{text}"
    );
}

#[test]
fn a_host_root_that_is_no_directory_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nope");
    let o = aigis(&["scan", "--host", "."], tmp.path(), Some(&missing));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nope: host root is not a directory"), "{err}");
}
