use super::*;
use crate::Error;

pub(crate) const MINIMAL: &str = r#"
key_store = "keys.db"
key_hash_secret = "env:AIGIS_KEY_HASH_SECRET"
audit_log = "audit.jsonl"

[listen]
public = "127.0.0.1:8443"

[[routes]]
name = "chat"
path_prefix = "/v1/"
models = ["demo"]
upstream = "http://127.0.0.1:8000"

[roles.analyst]
models = ["demo"]
routes = ["chat"]
methods = ["POST"]
"#;

fn parse(text: &str) -> Result<GatewayConfig, Error> {
    GatewayConfig::from_toml(text, Path::new("/etc/aigis"))
}

#[test]
fn minimal_config_parses_with_defaults() {
    let c = parse(MINIMAL).unwrap();
    assert_eq!(c.key_store, Path::new("/etc/aigis/keys.db"));
    assert_eq!(c.listen.admin, "127.0.0.1:9090".parse().unwrap());
    assert_eq!(c.limits.max_json_depth, 64);
    assert_eq!(c.routes[0].max_body_bytes, 1024 * 1024);
}

#[test]
fn unknown_key_is_an_error_naming_it() {
    let text = MINIMAL.replace("[listen]", "[listen]\nlisten_backlog = 5");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.contains("listen_backlog"), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn plain_http_on_public_address_is_refused() {
    let text = MINIMAL.replace("127.0.0.1:8443", "0.0.0.0:8443");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.starts_with("listen.public"), "{e}");
    let allowed = text.replace("[listen]", "[listen]\nallow_plain_http = true");
    assert!(parse(&allowed).is_ok());
}

#[test]
fn admin_listener_defaults_to_loopback_only() {
    let text = MINIMAL.replace("[listen]", "[listen]\nadmin = \"0.0.0.0:9090\"");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.starts_with("listen.admin"), "{e}");
}

#[test]
fn workers_must_be_between_one_and_the_limit() {
    for bad in ["0", "257"] {
        let text = MINIMAL.replace("[listen]", &format!("[listen]\nworkers = {bad}"));
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.starts_with("listen.workers"), "{bad}: {e}");
    }
    let text = MINIMAL.replace("[listen]", "[listen]\nworkers = 3");
    assert_eq!(parse(&text).unwrap().listen.workers, Some(3));
    assert_eq!(parse(MINIMAL).unwrap().listen.workers, None);
}

#[test]
fn literal_secret_is_refused() {
    let text = MINIMAL.replace("env:AIGIS_KEY_HASH_SECRET", "hunter2hunter2");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.starts_with("key_hash_secret"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
}

#[test]
fn bad_upstream_and_role_route_name_the_key() {
    let text = MINIMAL.replace("http://127.0.0.1:8000", "ftp://x");
    assert!(
        parse(&text)
            .unwrap_err()
            .to_string()
            .starts_with("routes[0].upstream")
    );
    let text = MINIMAL.replace("routes = [\"chat\"]", "routes = [\"nope\"]");
    assert!(
        parse(&text)
            .unwrap_err()
            .to_string()
            .starts_with("roles.analyst.routes")
    );
    let text = MINIMAL.replace("methods = [\"POST\"]", "methods = [\"post\"]");
    assert!(
        parse(&text)
            .unwrap_err()
            .to_string()
            .starts_with("roles.analyst.methods")
    );
}

#[test]
fn tls_min_version_is_checked() {
    let text =
        format!("{MINIMAL}\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\nmin_version = \"1.1\"\n");
    assert!(
        parse(&text)
            .unwrap_err()
            .to_string()
            .starts_with("tls.min_version")
    );
}

#[test]
fn zero_rate_is_refused() {
    let text = format!("{MINIMAL}\n[rate_limits]\nper_key = {{ requests = 0, per = \"1s\" }}\n");
    assert!(
        parse(&text)
            .unwrap_err()
            .to_string()
            .starts_with("rate_limits.per_key")
    );
}

#[test]
fn longest_prefix_wins() {
    let text = format!(
        "{MINIMAL}\n[[routes]]\nname = \"chat2\"\npath_prefix = \"/v1/chat/\"\nupstream = \"http://127.0.0.1:9\"\n"
    );
    let c = parse(&text).unwrap();
    assert_eq!(c.route_for("/v1/chat/completions").unwrap().1.name, "chat2");
    assert_eq!(c.route_for("/v1/models").unwrap().1.name, "chat");
    assert!(c.route_for("/v2/x").is_none());
}
