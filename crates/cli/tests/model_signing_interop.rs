//! Signatures interoperate with the real OpenSSF `model_signing` package, both
//! ways: aigis verifies what `model_signing sign key|certificate` writes, and
//! `model_signing verify key|certificate` accepts what `aigis model sign`
//! writes; shard signatures go through model_signing's Python API.
//!
//! `AIGIS_MODEL_SIGNING` names the `model_signing` executable (scripts/test
//! installs it into a virtualenv and sets it). These tests are skipped only
//! when it says `absent`; unset, they look in the scripts/test venv and fail
//! when it is not there, so that CI cannot silently lose them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../integrity/tests/data")
        .join(name)
}

fn model_signing() -> Option<PathBuf> {
    match std::env::var("AIGIS_MODEL_SIGNING") {
        Ok(v) if v == "absent" => {
            eprintln!("skipped: AIGIS_MODEL_SIGNING=absent (no model_signing virtualenv)");
            None
        }
        Ok(v) => Some(PathBuf::from(v)),
        Err(_) => {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/test-venv-sign/bin/model_signing");
            assert!(
                p.is_file(),
                "model_signing not found: run scripts/test (it installs it), set AIGIS_MODEL_SIGNING to the executable, or AIGIS_MODEL_SIGNING=absent to skip"
            );
            Some(p)
        }
    }
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("command runs")
}

fn aigis(args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_aigis")).args(args))
}

fn ms(exe: &Path, args: &[&str]) -> Output {
    run(Command::new(exe).args(args))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn explain(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn model() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let m = d.path().join("model");
    std::fs::create_dir_all(m.join("sub")).unwrap();
    std::fs::create_dir_all(m.join(".git")).unwrap();
    std::fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();
    std::fs::write(m.join("sub/weights.bin"), vec![5u8; 300_000]).unwrap();
    std::fs::write(m.join("a-b"), b"sorts after a/ by component").unwrap();
    std::fs::write(m.join("empty"), b"").unwrap();
    std::fs::write(m.join(".git/HEAD"), b"ref: x").unwrap();
    d
}

#[test]
fn aigis_verifies_model_signing_key_signatures_on_both_curves() {
    let Some(exe) = model_signing() else { return };
    for (key, public) in [
        ("p256-sec1.pem", "p256-pub.pem"),
        ("p384-pkcs8.pem", "p384-pub.pem"),
    ] {
        let d = model();
        let (m, sig) = (d.path().join("model"), d.path().join("model.sig"));
        let o = ms(
            &exe,
            &[
                "sign",
                "key",
                s(&m),
                "--private_key",
                s(&data(key)),
                "--signature",
                s(&sig),
            ],
        );
        assert!(o.status.success(), "{}", explain(&o));
        let o = aigis(&[
            "model",
            "verify",
            s(&m),
            "--signature",
            s(&sig),
            "--key",
            s(&data(public)),
        ]);
        assert_eq!(o.status.code(), Some(0), "{key}: {}", explain(&o));
        // Tampering is named by file.
        std::fs::write(m.join("config.json"), b"{\"layers\": 3}").unwrap();
        std::fs::write(m.join("new.py"), b"x").unwrap();
        let o = aigis(&[
            "model",
            "verify",
            s(&m),
            "--signature",
            s(&sig),
            "--key",
            s(&data(public)),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", explain(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("modified: config.json") && out.contains("extra: new.py"),
            "{out}"
        );
        let o = aigis(&[
            "model",
            "verify",
            s(&m),
            "--signature",
            s(&sig),
            "--key",
            s(&data("other-pub.pem")),
        ]);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("wrong key"),
            "{}",
            explain(&o)
        );
    }
}

#[test]
fn model_signing_verifies_aigis_key_signatures_on_both_curves() {
    let Some(exe) = model_signing() else { return };
    for (key, public) in [
        ("p256-pkcs8.pem", "p256-pub.pem"),
        ("p384-sec1.pem", "p384-pub.pem"),
    ] {
        let d = model();
        let (m, sig) = (d.path().join("model"), d.path().join("model.sig"));
        let keyref = format!("file:{}", s(&data(key)));
        let o = aigis(&[
            "model",
            "sign",
            s(&m),
            "--key",
            &keyref,
            "--signature",
            s(&sig),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
        let o = ms(
            &exe,
            &[
                "verify",
                "key",
                s(&m),
                "--signature",
                s(&sig),
                "--public_key",
                s(&data(public)),
            ],
        );
        assert!(o.status.success(), "{key}: {}", explain(&o));
        std::fs::remove_file(m.join("sub/weights.bin")).unwrap();
        let o = ms(
            &exe,
            &[
                "verify",
                "key",
                s(&m),
                "--signature",
                s(&sig),
                "--public_key",
                s(&data(public)),
            ],
        );
        assert!(
            !o.status.success(),
            "model_signing accepted a model with a missing file"
        );
    }
}

#[test]
fn certificate_signatures_verify_both_ways() {
    let Some(exe) = model_signing() else { return };
    let d = model();
    let (m, sig) = (d.path().join("model"), d.path().join("ms.sig"));
    let o = ms(
        &exe,
        &[
            "sign",
            "certificate",
            s(&m),
            "--private_key",
            s(&data("leaf.key")),
            "--signing_certificate",
            s(&data("leaf.pem")),
            "--certificate_chain",
            s(&data("int.pem")),
            "--signature",
            s(&sig),
        ],
    );
    assert!(o.status.success(), "{}", explain(&o));
    let o = aigis(&[
        "model",
        "verify",
        s(&m),
        "--signature",
        s(&sig),
        "--certificate",
        s(&data("root.pem")),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    let o = aigis(&[
        "model",
        "verify",
        s(&m),
        "--signature",
        s(&sig),
        "--certificate",
        s(&data("other-root.pem")),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", explain(&o));

    let sig = d.path().join("aigis.sig");
    let keyref = format!("file:{}", s(&data("leaf.key")));
    let o = aigis(&[
        "model",
        "sign",
        s(&m),
        "--key",
        &keyref,
        "--certificate-chain",
        s(&data("leaf.pem")),
        s(&data("int.pem")),
        "--signature",
        s(&sig),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    let o = ms(
        &exe,
        &[
            "verify",
            "certificate",
            s(&m),
            "--signature",
            s(&sig),
            "--certificate_chain",
            s(&data("root.pem")),
        ],
    );
    assert!(o.status.success(), "{}", explain(&o));
    let o = ms(
        &exe,
        &[
            "verify",
            "certificate",
            s(&m),
            "--signature",
            s(&sig),
            "--certificate_chain",
            s(&data("other-root.pem")),
        ],
    );
    assert!(
        !o.status.success(),
        "model_signing trusted an unrelated root"
    );
}

#[test]
fn single_file_models_verify_both_ways() {
    let Some(exe) = model_signing() else { return };
    let d = model();
    let (f, sig) = (
        d.path().join("model/sub/weights.bin"),
        d.path().join("w.sig"),
    );
    let o = ms(
        &exe,
        &[
            "sign",
            "key",
            s(&f),
            "--private_key",
            s(&data("p256-sec1.pem")),
            "--signature",
            s(&sig),
        ],
    );
    assert!(o.status.success(), "{}", explain(&o));
    let o = aigis(&[
        "model",
        "verify",
        s(&f),
        "--signature",
        s(&sig),
        "--key",
        s(&data("p256-pub.pem")),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    let o = aigis(&[
        "model",
        "sign",
        s(&f),
        "--key",
        &format!("file:{}", s(&data("p256-sec1.pem"))),
        "--signature",
        s(&sig),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    let o = ms(
        &exe,
        &[
            "verify",
            "key",
            s(&f),
            "--signature",
            s(&sig),
            "--public_key",
            s(&data("p256-pub.pem")),
        ],
    );
    assert!(o.status.success(), "{}", explain(&o));
}

/// Shard signatures: model_signing's CLI always hashes by file, so these go
/// through its Python API (the venv's python, next to the executable).
#[test]
fn shard_signatures_verify_both_ways_through_the_python_api() {
    let Some(exe) = model_signing() else { return };
    let python = exe.with_file_name("python");
    let d = model();
    let (m, sig) = (d.path().join("model"), d.path().join("shards.sig"));
    let sign_py = "import sys, model_signing as ms\n\
        h = ms.hashing.Config().use_shard_serialization(shard_size=65536)\n\
        ms.signing.Config().use_elliptic_key_signer(private_key=sys.argv[2]).set_hashing_config(h).sign(sys.argv[1], sys.argv[3])\n";
    let o =
        run(Command::new(&python).args(["-c", sign_py, s(&m), s(&data("p256-sec1.pem")), s(&sig)]));
    assert!(o.status.success(), "{}", explain(&o));
    let o = aigis(&[
        "model",
        "verify",
        s(&m),
        "--signature",
        s(&sig),
        "--key",
        s(&data("p256-pub.pem")),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));

    let o = aigis(&[
        "model",
        "sign",
        s(&m),
        "--key",
        &format!("file:{}", s(&data("p256-sec1.pem"))),
        "--shard-size",
        "65536",
        "--signature",
        s(&sig),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", explain(&o));
    let verify_py = "import sys, model_signing as ms\n\
        ms.verifying.Config().use_elliptic_key_verifier(public_key=sys.argv[2]).verify(sys.argv[1], sys.argv[3])\n";
    let o = run(Command::new(&python).args([
        "-c",
        verify_py,
        s(&m),
        s(&data("p256-pub.pem")),
        s(&sig),
    ]));
    assert!(o.status.success(), "{}", explain(&o));
}
