//! Key sources without a network: env (value and `_FILE`), file (with the
//! permission warning), systemd credentials, reference parsing, redaction.

use super::*;
use std::os::unix::fs::PermissionsExt;

const KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn expected() -> Vec<u8> {
    (0u8..32).collect()
}

fn write_key(dir: &std::path::Path, name: &str, body: &str, mode: u32) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

#[test]
fn references_parse_and_bad_ones_are_refused() {
    assert_eq!(
        KeyRef::parse("env:AIGIS_KEY").unwrap(),
        KeyRef::Env("AIGIS_KEY".into())
    );
    assert_eq!(
        KeyRef::parse("file:/k/m.key").unwrap(),
        KeyRef::File("/k/m.key".into())
    );
    assert_eq!(
        KeyRef::parse("systemd:model").unwrap(),
        KeyRef::Systemd("model".into())
    );
    assert_eq!(
        KeyRef::parse("vault:secret/models/llama#key").unwrap(),
        KeyRef::Vault {
            mount: "secret".into(),
            path: "models/llama".into(),
            field: "key".into()
        }
    );
    for bad in [
        "000102",
        "AAAAbase64==",
        "env:",
        "env:1X",
        "env:A-B",
        "file:",
        "systemd:../etc/shadow",
        "systemd:a/b",
        "vault:secret#k",
        "vault:secret/p",
        "vault:secret/../sys#k",
        "vault:secret/p?x=1#k",
        "ftp:x",
    ] {
        assert!(
            matches!(KeyRef::parse(bad), Err(KeyError::BadReference(_))),
            "{bad}"
        );
    }
    assert_eq!(
        KeyRef::parse("vault:kv/a/b#f").unwrap().to_string(),
        "vault:kv/a/b#f"
    );
}

#[test]
fn env_value_in_hex_or_base64_and_the_file_convention() {
    let env = MapEnv::from_pairs([
        ("K_HEX", KEY_HEX),
        ("K_B64", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
    ]);
    for r in ["env:K_HEX", "env:K_B64"] {
        let res = resolve_in(r, &env).unwrap();
        assert_eq!(&res.raw_key_256().unwrap()[..], &expected()[..], "{r}");
        assert!(res.warnings.is_empty());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_key(dir.path(), "k", &format!("{KEY_HEX}\n"), 0o600);
    let env = MapEnv::from_pairs([("K_FILE", path.to_str().unwrap())]);
    let res = resolve_in("env:K", &env).unwrap();
    assert_eq!(&res.raw_key_256().unwrap()[..], &expected()[..]);
    let both = MapEnv::from_pairs([("K", KEY_HEX), ("K_FILE", path.to_str().unwrap())]);
    assert!(matches!(
        resolve_in("env:K", &both),
        Err(KeyError::EnvAmbiguous(_))
    ));
    assert!(matches!(
        resolve_in("env:NOPE", &env),
        Err(KeyError::EnvMissing(_))
    ));
    let empty = MapEnv::from_pairs([("K", "")]);
    assert!(matches!(
        resolve_in("env:K", &empty),
        Err(KeyError::Empty { .. })
    ));
}

#[test]
fn group_or_world_readable_key_files_warn() {
    let dir = tempfile::tempdir().unwrap();
    let tight = write_key(dir.path(), "tight", KEY_HEX, 0o600);
    let loose = write_key(dir.path(), "loose", KEY_HEX, 0o644);
    let env = MapEnv::default();
    let ok = resolve_in(&format!("file:{}", tight.display()), &env).unwrap();
    assert!(ok.warnings.is_empty());
    let warned = resolve_in(&format!("file:{}", loose.display()), &env).unwrap();
    assert_eq!(
        warned.warnings,
        vec![KeyWarning::LooseFilePermissions {
            path: loose.clone(),
            mode: 0o100644
        }]
    );
    assert!(warned.warnings[0].to_string().contains("mode 0644"));
    assert_eq!(&warned.raw_key_256().unwrap()[..], &expected()[..]);
    let missing = resolve_in(&format!("file:{}/none", dir.path().display()), &env);
    assert!(matches!(missing, Err(KeyError::Io { .. })));
    let not_file = resolve_in(&format!("file:{}", dir.path().display()), &env);
    assert!(matches!(not_file, Err(KeyError::NotAFile(_))));
    let big = write_key(dir.path(), "big", &"a".repeat(MAX_KEY_BYTES + 1), 0o600);
    let big = resolve_in(&format!("file:{}", big.display()), &env);
    assert!(matches!(big, Err(KeyError::TooLarge { .. })));
}

#[test]
fn systemd_credentials_come_from_the_credentials_directory() {
    let dir = tempfile::tempdir().unwrap();
    write_key(dir.path(), "model-key", KEY_HEX, 0o400);
    let env = MapEnv::from_pairs([("CREDENTIALS_DIRECTORY", dir.path().to_str().unwrap())]);
    let res = resolve_in("systemd:model-key", &env).unwrap();
    assert_eq!(&res.raw_key_256().unwrap()[..], &expected()[..]);
    let none = resolve_in("systemd:model-key", &MapEnv::default());
    assert!(matches!(none, Err(KeyError::NoCredentialsDirectory(_))));
}

#[test]
fn key_material_never_appears_in_debug_display_or_errors() {
    let env = MapEnv::from_pairs([("K", KEY_HEX), ("SHORT", "c2VjcmV0LXZhbHVl")]);
    let res = resolve_in("env:K", &env).unwrap();
    let shown = format!("{res:?} {env:?} {}", res.source);
    assert!(
        !shown.contains(KEY_HEX) && !shown.contains("0001020304"),
        "{shown}"
    );
    assert!(res.key_id.starts_with("sha256:") && res.key_id.len() == 23);
    let err = resolve_in("env:SHORT", &env)
        .unwrap()
        .raw_key_256()
        .unwrap_err();
    assert!(!err.to_string().contains("c2VjcmV0"), "{err}");
}

#[test]
fn private_keys_are_pem_as_is_or_base64_from_text_sources() {
    let pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY-----\n";
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pem);
    let env = MapEnv::from_pairs([("PEM", pem), ("B64", b64.as_str()), ("BAD", "not base64!")]);
    for r in ["env:PEM", "env:B64"] {
        assert_eq!(
            &resolve_in(r, &env).unwrap().private_key_bytes().unwrap()[..],
            pem.as_bytes()
        );
    }
    let bad = resolve_in("env:BAD", &env).unwrap().private_key_bytes();
    assert!(matches!(bad, Err(KeyError::NotPrivateKey { .. })));
    let dir = tempfile::tempdir().unwrap();
    let der = dir.path().join("k.der");
    std::fs::write(&der, [0x30, 0x81, 0x87, 0x02]).unwrap();
    let res = resolve_in(&format!("file:{}", der.display()), &env).unwrap();
    assert_eq!(
        &res.private_key_bytes().unwrap()[..],
        &[0x30, 0x81, 0x87, 0x02]
    );
}
