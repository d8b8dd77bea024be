//! `aigis model keygen`, `encrypt` and `decrypt` run as a binary: round
//! trips with keys from a file, the environment (value and `_FILE`) and a
//! systemd credentials directory; the warning for a loose key file; one-line
//! errors with exit 1 for authentication failures and 2 for usage; nothing
//! left at the output path when decryption fails.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn aigis(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join(".none"))
        .env_remove("CREDENTIALS_DIRECTORY")
        .envs(env.iter().copied())
        .output()
        .expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn keygen_encrypt_decrypt_round_trip_with_every_local_key_source() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(d.join("model.bin"), &model).unwrap();
    let o = aigis(&["model", "keygen", "k.key"], d, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mode = std::fs::metadata(d.join("k.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = aigis(&["model", "keygen", "k.key"], d, &[]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));

    let o = aigis(
        &[
            "model",
            "encrypt",
            "model.bin",
            "model.enc",
            "--key",
            "file:k.key",
        ],
        d,
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).is_empty(),
        "a 0600 key file gives no warning: {}",
        stderr(&o)
    );
    let enc = std::fs::read(d.join("model.enc")).unwrap();
    assert!(enc.starts_with(b"AIGISENC") && enc.len() == 111 + model.len() + 16 * 3);

    let key_text = std::fs::read_to_string(d.join("k.key")).unwrap();
    let key_file = d.join("k.key").to_str().unwrap().to_string();
    let creds = tempfile::tempdir().unwrap();
    std::fs::copy(d.join("k.key"), creds.path().join("model-key")).unwrap();
    let creds_dir = creds.path().to_str().unwrap().to_string();
    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        ("env:MODEL_KEY", vec![("MODEL_KEY", key_text.trim())]),
        ("env:MODEL_KEY", vec![("MODEL_KEY_FILE", key_file.as_str())]),
        (
            "systemd:model-key",
            vec![("CREDENTIALS_DIRECTORY", creds_dir.as_str())],
        ),
    ];
    for (i, (reference, env)) in cases.iter().enumerate() {
        let out = format!("out{i}.bin");
        let o = aigis(
            &["model", "decrypt", "model.enc", &out, "--key", reference],
            d,
            env,
        );
        assert!(o.status.success(), "{reference}: {}", stderr(&o));
        assert!(std::fs::read(d.join(&out)).unwrap() == model, "{reference}");
    }
    let o = aigis(
        &[
            "model",
            "decrypt",
            "model.enc",
            "out0.bin",
            "--key",
            "file:k.key",
        ],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "existing output: {}", stderr(&o));
    assert!(stderr(&o).contains("out0.bin") && stderr(&o).contains("--force"));
}

#[test]
fn tampering_exits_1_with_one_line_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.bin"), vec![7u8; 2_500_000]).unwrap();
    assert!(
        aigis(&["model", "keygen", "k.key"], d, &[])
            .status
            .success()
    );
    assert!(
        aigis(&["model", "keygen", "other.key"], d, &[])
            .status
            .success()
    );
    let o = aigis(
        &["model", "encrypt", "m.bin", "m.enc", "--key", "file:k.key"],
        d,
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let good = std::fs::read(d.join("m.enc")).unwrap();

    let mut flipped = good.clone();
    flipped[111 + 1_048_576 + 16 + 5] ^= 1;
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 100);
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("file:k.key", flipped, "segment 1 failed authentication"),
        ("file:k.key", truncated, "truncated"),
        ("file:other.key", good.clone(), "wrong key"),
    ];
    for (key, bytes, reason) in cases {
        std::fs::write(d.join("bad.enc"), &bytes).unwrap();
        let o = aigis(
            &["model", "decrypt", "bad.enc", "bad.out", "--key", key],
            d,
            &[],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{reason}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("bad.enc") && err.contains(reason), "{err}");
        assert!(!d.join("bad.out").exists());
        let leftovers = std::fs::read_dir(d).unwrap().filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".part")
        });
        assert_eq!(leftovers.count(), 0);
    }
}

#[test]
fn usage_errors_exit_2_and_loose_key_files_warn() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.bin"), b"weights").unwrap();
    let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    std::fs::write(d.join("loose.key"), hex).unwrap();
    std::fs::set_permissions(d.join("loose.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = aigis(
        &[
            "model",
            "encrypt",
            "m.bin",
            "m.enc",
            "--key",
            "file:loose.key",
        ],
        d,
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning") && stderr(&o).contains("loose.key"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains(hex));

    for (args, needle) in [
        (
            vec!["model", "encrypt", "m.bin", "x.enc", "--key", hex],
            "bad key reference",
        ),
        (
            vec![
                "model",
                "encrypt",
                "m.bin",
                "x.enc",
                "--key",
                "env:NOT_SET_ANYWHERE",
            ],
            "NOT_SET_ANYWHERE",
        ),
        (
            vec![
                "model",
                "encrypt",
                "missing.bin",
                "x.enc",
                "--key",
                "file:loose.key",
            ],
            "missing.bin",
        ),
        (vec!["model", "decrypt", "m.enc", "x.bin"], "--key"),
    ] {
        let o = aigis(&args, d, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains(&hex[8..]),
            "the key never appears in errors"
        );
    }
    let o = aigis(
        &[
            "model",
            "decrypt",
            "m.bin",
            "x.bin",
            "--key",
            "file:loose.key",
        ],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not an aigis encrypted file"));
}
