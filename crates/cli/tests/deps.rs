//! The dependency audit end to end: `aigis db update --from` the test OSV
//! data into a temporary database, then `aigis scan` of a sample project
//! with a requirements.txt, a poetry.lock and an environment.yml; and the
//! same scan without a database, which must be inconclusive (exit 2).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn osv_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deps/tests/data/osv")
}

fn aigis(args: &[&str], cwd: &Path, db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", cwd.join(".no-user-config"))
        .env("AIGIS_DB_DIR", db)
        .output()
        .expect("runs")
}

fn project(dir: &Path) {
    let p = dir.join("proj");
    std::fs::create_dir_all(p.join("requirements")).expect("mkdir");
    std::fs::write(
        p.join("requirements.txt"),
        "# service\njinja2==2.10\n-r requirements/ml.txt\nnumpy>=1.24\n",
    )
    .expect("write");
    std::fs::write(
        p.join("requirements/ml.txt"),
        "torch==2.1.0+cu121 \\\n  --hash=sha256:00\n",
    )
    .expect("write");
    std::fs::write(
        p.join("poetry.lock"),
        "[[package]]\nname = \"numpy\"\nversion = \"1.16.0\"\n\n[[package]]\nname = \"transformers\"\nversion = \"4.30.0\"\n\n[[package]]\nname = \"requests\"\nversion = \"2.32.3\"\n",
    )
    .expect("write");
    std::fs::write(
        p.join("environment.yml"),
        "name: ml\ndependencies:\n  - python=3.10\n  - pytorch-cuda=12.1\n  - pytorch=2.6.0\n  - conda-forge::py-xgboost=1.7.5\n  - pip:\n    - keras==2.13.1\n",
    )
    .expect("write");
}

/// (rule id, path:line, message) of every finding in a JSON report.
fn findings(o: &Output) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    let mut out = Vec::new();
    for f in v["files"].as_array().into_iter().flatten() {
        for x in f["findings"].as_array().into_iter().flatten() {
            let loc = format!(
                "{}:{}",
                x["location"]["path"].as_str().unwrap_or(""),
                x["location"]["line"]
            );
            out.push((
                x["rule_id"].as_str().unwrap_or("").to_string(),
                loc,
                x["message"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    out
}

#[test]
fn audit_with_an_imported_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    project(dir.path());
    let up = aigis(
        &["db", "update", "--from", osv_data().to_str().expect("utf8")],
        dir.path(),
        &db,
    );
    assert_eq!(
        up.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    assert!(String::from_utf8_lossy(&up.stdout).contains("94 records read, 3 withdrawn"));
    let st = aigis(&["db", "status"], dir.path(), &db);
    assert_eq!(st.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&st.stdout).contains("90 advisories"));

    let o = aigis(
        &["scan", "proj", "--only", "dependencies", "--format", "json"],
        dir.path(),
        &db,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got = findings(&o);
    let has = |rule: &str, at: &str, text: &str| {
        got.iter()
            .any(|(r, l, m)| r == rule && l == at && m.contains(text))
    };
    assert!(
        has("AIG600", "proj/requirements.txt:2", "PYSEC-2019-217"),
        "{got:#?}"
    );
    assert!(has(
        "AIG600",
        "proj/requirements.txt:2",
        "GHSA-462w-v97r-4m45"
    ));
    assert!(has("AIG600", "proj/requirements.txt:2", "PYSEC-2021-66"));
    // Through `-r`: reported at the include line, naming the pinning file and line.
    assert!(has(
        "AIG600",
        "proj/requirements.txt:3",
        "pinned in proj/requirements/ml.txt:1"
    ));
    assert!(has(
        "AIG600",
        "proj/requirements/ml.txt:1",
        "HAND-TORCH-0002"
    ));
    assert!(has("AIG602", "proj/requirements.txt:4", "numpy"));
    assert!(has("AIG600", "proj/poetry.lock:2", "PYSEC-2019-108"));
    assert!(has(
        "AIG600",
        "proj/poetry.lock:6",
        "HAND-TRANSFORMERS-0001"
    ));
    assert!(has("AIG600", "proj/environment.yml:6", "HAND-XGBOOST-0001"));
    assert!(has("AIG600", "proj/environment.yml:8", "HAND-KERAS-0001"));
    // torch 2.6.0 (conda pytorch) and requests 2.32.3 are not affected.
    assert!(
        !got.iter()
            .any(|(_, l, _)| l == "proj/environment.yml:5" || l == "proj/poetry.lock:10"),
        "{got:#?}"
    );
    assert!(!got.iter().any(|(r, ..)| r == "AIG603"), "{got:#?}");

    // SARIF and text carry the same findings.
    let sarif = aigis(
        &[
            "scan",
            "proj",
            "--only",
            "dependencies",
            "--format",
            "sarif",
        ],
        dir.path(),
        &db,
    );
    assert!(String::from_utf8_lossy(&sarif.stdout).contains("vulnerable-dependency"));
}

#[test]
fn no_database_is_inconclusive() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let o = aigis(
        &["scan", "proj", "--format", "json"],
        dir.path(),
        &dir.path().join("no-db"),
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let got = findings(&o);
    for file in [
        "proj/requirements.txt",
        "proj/poetry.lock",
        "proj/environment.yml",
    ] {
        assert!(
            got.iter().any(|(r, l, m)| r == "AIG603"
                && l.starts_with(&format!("{file}:"))
                && m.contains("no advisory database")),
            "{file}: {got:#?}"
        );
    }
    assert!(!got.iter().any(|(r, ..)| r == "AIG600"));
    let st = aigis(&["db", "status"], dir.path(), &dir.path().join("no-db"));
    assert_eq!(st.status.code(), Some(2));
}

#[test]
fn bad_import_path_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = aigis(
        &["db", "update", "--from", "missing.zip"],
        dir.path(),
        &dir.path().join("db"),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("missing.zip") && err.lines().count() == 1,
        "{err}"
    );
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, b"not json").expect("write");
    let o = aigis(
        &["db", "update", "--from", "junk.json"],
        dir.path(),
        &dir.path().join("db"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("db/pypi.json").exists());
}
