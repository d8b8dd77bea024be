//! `aigis gateway --check` and `aigis keys` run as a binary: exit codes,
//! one-line errors naming the key, keys printed once and never listed, and
//! the example configuration validating as shipped.

use std::path::Path;
use std::process::{Command, Output};

const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

fn aigis(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join(".none"))
        .env("AIGIS_KEY_HASH_SECRET", SECRET)
        .env_remove("AIGIS_GATEWAY_CONFIG")
        .output()
        .expect("runs")
}

fn out(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const CONFIG: &str = r#"
key_store = "keys.db"
key_hash_secret = "env:AIGIS_KEY_HASH_SECRET"
audit_log = "audit.jsonl"
[listen]
public = "127.0.0.1:0"
admin = "127.0.0.1:0"
[[routes]]
name = "chat"
path_prefix = "/v1/"
upstream = "http://127.0.0.1:8000"
[roles.analyst]
models = ["*"]
routes = ["chat"]
methods = ["POST"]
"#;

#[test]
fn check_accepts_a_good_config_and_names_the_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("gateway.toml"), CONFIG).unwrap();
    let o = aigis(&["gateway", "--check", "-c", "gateway.toml"], d);
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
    assert!(out(&o).0.contains("ok (1 routes, 1 roles, 0 keys)"));
    std::fs::write(
        d.join("bad.toml"),
        CONFIG.replace("[listen]", "[listen]\nbacklog = 1"),
    )
    .unwrap();
    let o = aigis(&["gateway", "--check", "-c", "bad.toml"], d);
    assert_eq!(o.status.code(), Some(2));
    let err = out(&o).1;
    assert!(err.contains("bad.toml") && err.contains("backlog"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let o = aigis(&["gateway", "--check", "-c", "missing.toml"], d);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn check_resolves_the_redis_password_without_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Port 9 (discard): nothing answers there, and --check must not try.
    let text = format!(
        "{CONFIG}\n[rate_limits]\nper_key = {{ requests = 10, per = \"1s\" }}\n\
         [rate_limits.redis]\nurl = \"redis://127.0.0.1:9/0\"\npassword = \"env:AIGIS_TEST_REDIS_PASSWORD\"\n"
    );
    std::fs::write(d.join("gateway.toml"), text).unwrap();
    let o = aigis(&["gateway", "--check", "-c", "gateway.toml"], d);
    assert_eq!(o.status.code(), Some(2), "{:?}", out(&o));
    let err = out(&o).1;
    assert!(err.contains("rate_limits.redis.password"), "{err}");
    assert!(err.contains("AIGIS_TEST_REDIS_PASSWORD"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(["gateway", "--check", "-c", "gateway.toml"])
        .current_dir(d)
        .env("AIGIS_KEY_HASH_SECRET", SECRET)
        .env("AIGIS_TEST_REDIS_PASSWORD", "not-a-real-password")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
    assert!(!out(&o).1.contains("not-a-real-password"));
}

#[test]
fn example_config_validates() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gateway/gateway.toml");
    let text = std::fs::read_to_string(example).unwrap();
    std::fs::write(dir.path().join("gateway.toml"), text).unwrap();
    let o = aigis(&["gateway", "--check", "-c", "gateway.toml"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
}

#[test]
fn example_token_tables_validate_and_need_the_client_secret() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gateway/gateway.toml");
    let text = std::fs::read_to_string(example).unwrap();
    let (head, auth) = text.split_once("# Bearer tokens").unwrap();
    // Uncomment the [auth] example (its TOML lines start lower case or '[').
    let auth: String = auth
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase() || c == '[') => {
                format!("{rest}\n")
            }
            _ => String::new(),
        })
        .collect();
    assert!(auth.contains("[[auth.jwt]]") && auth.contains("[auth.introspection]"));
    std::fs::write(dir.path().join("gateway.toml"), format!("{head}{auth}")).unwrap();
    let o = aigis(&["gateway", "--check", "-c", "gateway.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{:?}", out(&o));
    let err = out(&o).1;
    assert!(err.contains("auth.introspection.client_secret"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(["gateway", "--check", "-c", "gateway.toml"])
        .current_dir(dir.path())
        .env("AIGIS_KEY_HASH_SECRET", SECRET)
        .env("AIGIS_INTROSPECTION_SECRET", "client-secret-value")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
}

#[test]
fn keys_create_list_rotate_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("gateway.toml"), CONFIG).unwrap();
    let o = aigis(
        &[
            "keys",
            "create",
            "--role",
            "analyst",
            "--expires",
            "90d",
            "--tenant",
            "acme",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
    let key = out(&o).0.trim().to_string();
    assert!(key.starts_with("aig_") && key.len() == 64, "{key}");
    let id = &key[4..20];
    let o = aigis(&["keys", "list", "--format", "json"], d);
    let (list, _) = out(&o);
    assert!(list.contains(id) && list.contains("acme"), "{list}");
    assert!(!list.contains(&key[21..]), "list must never show the key");
    let o = aigis(&["keys", "rotate", id, "--overlap", "1h"], d);
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
    let new_key = out(&o).0.trim().to_string();
    assert!(new_key.starts_with("aig_") && new_key != key);
    let o = aigis(&["keys", "revoke", id], d);
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
    let o = aigis(&["keys", "list"], d);
    assert_eq!(out(&o).0.lines().count(), 3, "{:?}", out(&o));
    // Unknown role, unknown id, bad duration: exit 2, one line.
    for args in [
        &["keys", "create", "--role", "root"][..],
        &["keys", "revoke", "ffffffffffffffff"][..],
        &["keys", "create", "--role", "analyst", "--expires", "soon"][..],
    ] {
        let o = aigis(args, d);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(out(&o).1.trim_end().lines().count(), 1, "{:?}", out(&o));
    }
}

#[test]
fn wrong_hash_secret_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("gateway.toml"), CONFIG).unwrap();
    assert!(
        aigis(&["keys", "create", "--role", "analyst"], d)
            .status
            .success()
    );
    let o = Command::new(env!("CARGO_BIN_EXE_aigis"))
        .args(["keys", "list"])
        .current_dir(d)
        .env(
            "AIGIS_KEY_HASH_SECRET",
            "a-different-secret-of-more-than-32-bytes!!",
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).1.contains("not the secret"), "{:?}", out(&o));
}
