//! RFC 7662 introspection against the in-test authorization server.

mod common;

use aigis_authn::{AuthnError, IntrospectionConfig, Introspector, Source};
use aigis_integrity::keys::MapEnv;
use base64::Engine;
use common::*;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

const SECRET: &str = "s3cret with spaces&symbols";

fn setup(tweak: impl FnOnce(&mut IntrospectionConfig)) -> (Server, Introspector) {
    let server = Server::start(String::new());
    // RFC 6749 2.3.1: form-encode id and secret, then Basic.
    let pair = "gw-client:s3cret+with+spaces%26symbols";
    *server.idp.basic.lock().unwrap() = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    );
    let mut cfg = IntrospectionConfig::new(
        &server.url("/introspect"),
        "gw-client",
        "env:INTROSPECT_SECRET",
        ISS,
    );
    tweak(&mut cfg);
    let env = MapEnv::from_pairs([("INTROSPECT_SECRET", SECRET)]);
    let i = Introspector::new_in(cfg, &env).unwrap();
    (server, i)
}

fn add(server: &Server, token: &str, resp: serde_json::Value) {
    server.idp.tokens.lock().unwrap().insert(token.into(), resp);
}

fn calls(server: &Server) -> usize {
    server.idp.introspections.load(Ordering::SeqCst)
}

#[test]
fn active_token_gives_an_identity_and_is_cached() {
    let (s, i) = setup(|_| {});
    add(
        &s,
        "opaque-1",
        json!({"active": true, "sub": "bob", "scope": "read write",
        "exp": now() + 600, "roles": ["reader"], "acr": "urn:mfa"}),
    );
    let id = i.introspect("opaque-1").unwrap();
    assert_eq!(id.subject, "bob");
    assert_eq!(id.scopes, ["read", "write"]);
    assert_eq!(id.source, Source::Introspection);
    assert_eq!(i.introspect("opaque-1").unwrap(), id);
    assert_eq!(calls(&s), 1);
    assert_eq!(i.calls(), 1);
}

#[test]
fn inactive_token_is_rejected_and_cached_for_the_shorter_negative_time() {
    let (s, i) = setup(|c| c.negative_ttl = Duration::from_millis(100));
    assert_eq!(i.introspect("unknown").unwrap_err(), AuthnError::Inactive);
    assert_eq!(i.introspect("unknown").unwrap_err(), AuthnError::Inactive);
    assert_eq!(calls(&s), 1);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(i.introspect("unknown").unwrap_err(), AuthnError::Inactive);
    assert_eq!(calls(&s), 2);
}

#[test]
fn active_must_be_the_boolean_true() {
    let (s, i) = setup(|_| {});
    add(&s, "t-str", json!({"active": "true", "sub": "x"}));
    add(&s, "t-one", json!({"active": 1, "sub": "x"}));
    assert_eq!(i.introspect("t-str").unwrap_err(), AuthnError::Inactive);
    assert_eq!(i.introspect("t-one").unwrap_err(), AuthnError::Inactive);
}

#[test]
fn cache_never_outlives_the_token_exp() {
    let (s, i) = setup(|c| c.positive_ttl = Duration::from_secs(60));
    add(
        &s,
        "short",
        json!({"active": true, "sub": "x", "exp": now() + 1}),
    );
    assert!(i.introspect("short").is_ok());
    std::thread::sleep(Duration::from_millis(1100));
    // The server now says inactive; the cache must have expired with exp.
    add(&s, "short", json!({"active": false}));
    assert!(i.introspect("short").is_err());
    assert_eq!(calls(&s), 2);
}

#[test]
fn wrong_client_secret_is_unavailable_and_not_cached() {
    let (s, i) = setup(|_| {});
    *s.idp.basic.lock().unwrap() = "Basic something-else".into();
    let e = i.introspect("tok").unwrap_err();
    assert!(e.is_unavailable(), "{e}");
    assert!(i.introspect("tok").is_err());
    assert_eq!(calls(&s), 2);
}

#[test]
fn audience_is_checked_when_configured() {
    let (s, i) = setup(|c| c.audiences = vec![AUD.into()]);
    add(
        &s,
        "a",
        json!({"active": true, "sub": "x", "aud": ["other"]}),
    );
    add(&s, "b", json!({"active": true, "sub": "x", "aud": AUD}));
    assert_eq!(i.introspect("a").unwrap_err(), AuthnError::WrongAudience);
    assert!(i.introspect("b").is_ok());
}

#[test]
fn cache_size_is_bounded() {
    let (s, i) = setup(|c| c.max_entries = 3);
    for n in 0..10 {
        let t = format!("tok-{n}");
        add(&s, &t, json!({"active": true, "sub": "x"}));
        assert!(i.introspect(&t).is_ok());
        assert!(i.cached_entries() <= 3);
    }
}

#[test]
fn oversize_and_non_ascii_tokens_are_refused_without_a_call() {
    let (s, i) = setup(|_| {});
    assert!(matches!(
        i.introspect(&"a".repeat(9000)),
        Err(AuthnError::TooLarge { .. })
    ));
    assert!(matches!(i.introspect("a b"), Err(AuthnError::Malformed(_))));
    assert_eq!(calls(&s), 0);
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let cfg = IntrospectionConfig::new("http://idp.example/introspect", "c", "env:X", ISS);
    let env = MapEnv::from_pairs([("X", "y")]);
    assert!(matches!(
        Introspector::new_in(cfg, &env),
        Err(AuthnError::Config(_))
    ));
}

#[test]
fn cached_path_answers_hits_only() {
    let (s, i) = setup(|_| {});
    add(&s, "opaque-c", json!({"active": true, "sub": "carol"}));
    assert!(i.introspect_cached("opaque-c").is_none());
    assert_eq!(calls(&s), 0);
    assert!(i.introspect("opaque-c").is_ok());
    assert_eq!(
        i.introspect_cached("opaque-c").unwrap().unwrap().subject,
        "carol"
    );
    assert_eq!(i.cache_hits(), 1);
    assert!(matches!(
        i.introspect_cached("has space"),
        Some(Err(AuthnError::Malformed(_)))
    ));
    assert_eq!(calls(&s), 1);
}
