//! JWT and introspection authentication end to end through the gateway:
//! tokens minted with real keys (RSA, EC P-256, Ed25519), a JWKS and an
//! RFC 7662 endpoint served by aigis-authn's in-test identity provider, and
//! one named test per attack.

mod common;

use aigis_gateway::audit::Decision;
#[path = "../../authn/tests/common/mod.rs"]
mod idp;

use axum::body::Body;
use base64::Engine;
use common::{TestApp, body_string, post_json};
use http::{Request, StatusCode};
use idp::{
    AUD, ISS, Server, TestKey, claims, ec_key, ec384_key, ed_key, jwks, mint, raw_token, rsa_key,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

const CHAT: &str = "/v1/chat/completions";
const DEMO: &str = r#"{"model":"demo","messages":[{"role":"user","content":"hi"}]}"#;

fn issuer_toml(jwks_url: &str) -> String {
    format!(
        r#"
[[auth.jwt]]
issuer = "{ISS}"
name = "idp"
audiences = ["{AUD}"]
jwks_url = "{jwks_url}"
algorithms = ["RS256", "ES256", "EdDSA"]
role_map = {{ reader = "analyst", viewer = "viewer", admin = "secure" }}
"#
    )
}

struct Idp {
    server: Server,
    rsa: TestKey,
    ec: TestKey,
    ed: TestKey,
}

fn idp() -> Idp {
    let (rsa, ec, ed) = (rsa_key("rsa1"), ec_key("ec1"), ed_key("ed1"));
    let server = Server::start(jwks(&[&rsa, &ec, &ed]));
    Idp {
        server,
        rsa,
        ec,
        ed,
    }
}

async fn jwt_app(idp: &Idp) -> TestApp {
    TestApp::builder()
        .config(&issuer_toml(&idp.server.url("/jwks")))
        .build()
        .await
}

/// Send a token; return status, `WWW-Authenticate`, body.
async fn send(app: &TestApp, token: &str) -> (StatusCode, String, String) {
    let resp = app.send(post_json(CHAT, Some(token), DEMO)).await;
    let status = resp.status();
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, challenge, body_string(resp).await)
}

/// A refused token: 401 `invalid_token`, and the audit reason.
async fn assert_invalid(app: &TestApp, token: &str, reason: &str) {
    let (status, challenge, body) = send(app, token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(body, r#"{"error":"invalid token"}"#);
    let rec = app.records().pop().unwrap();
    assert_eq!(rec.reason.as_str(), reason);
    assert_eq!(rec.decision, Decision::Deny);
    assert_eq!(rec.identity, None);
    assert!(!format!("{rec:?}").contains(token), "token in audit record");
}

fn with(mut c: Value, k: &str, v: Value) -> Value {
    c[k] = v;
    c
}

#[tokio::test]
async fn valid_rsa_ec_and_ed25519_tokens_reach_upstream_without_the_token() {
    let p = idp();
    let app = jwt_app(&p).await;
    for k in [&p.rsa, &p.ec, &p.ed] {
        let (status, _, body) = send(&app, &mint(k, &claims())).await;
        assert_eq!(status, StatusCode::OK, "{:?}: {body}", k.alg);
        let echo: Value = serde_json::from_str(&body).unwrap();
        assert!(echo["headers"].get("authorization").is_none(), "{echo}");
        let rec = app.records().pop().unwrap();
        assert_eq!(rec.identity.as_deref(), Some("idp:alice"));
        assert_eq!(rec.role.as_deref(), Some("analyst"));
        assert_eq!(rec.tenant.as_deref(), Some("t1"));
        assert_eq!(rec.decision, Decision::Allow);
    }
    assert_eq!(p.server.fetches(), 1, "one JWKS fetch serves every key");
}

#[tokio::test]
async fn alg_none_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    let t = raw_token(&json!({"alg":"none","kid":"rsa1"}), &claims(), b"");
    assert_invalid(&app, &t, "alg-none").await;
}

#[tokio::test]
async fn hs_rs_confusion_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    // HS256 "signed" with the issuer's public RSA key as the HMAC secret.
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("rsa1".into());
    let secret = EncodingKey::from_secret(&idp::rsa_public_pem()).unwrap();
    let t = jsonwebtoken::encode(&h, &claims(), &secret).unwrap();
    assert_invalid(&app, &t, "alg-not-allowed").await;
}

#[tokio::test]
async fn alg_not_allowed_for_the_issuer_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    let mut h = Header::new(Algorithm::PS256);
    h.kid = Some("rsa1".into());
    let t = jsonwebtoken::encode(&h, &claims(), &p.rsa.enc).unwrap();
    assert_invalid(&app, &t, "alg-not-allowed").await;
    assert_invalid(&app, &mint(&ec384_key("ec1"), &claims()), "alg-not-allowed").await;
}

#[tokio::test]
async fn expired_token_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    let c = with(claims(), "exp", json!(idp::now() - 3600));
    assert_invalid(&app, &mint(&p.ec, &c), "expired-token").await;
}

#[tokio::test]
async fn nbf_in_the_future_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    let c = with(claims(), "nbf", json!(idp::now() + 3600));
    assert_invalid(&app, &mint(&p.ec, &c), "token-not-yet-valid").await;
}

#[tokio::test]
async fn wrong_audience_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    let c = with(claims(), "aud", json!("another-api"));
    assert_invalid(&app, &mint(&p.ed, &c), "wrong-audience").await;
}

#[tokio::test]
async fn wrong_issuer_is_rejected_without_a_fetch() {
    let p = idp();
    let app = jwt_app(&p).await;
    let c = with(claims(), "iss", json!("https://evil.test"));
    assert_invalid(&app, &mint(&p.rsa, &c), "unknown-issuer").await;
    assert_eq!(p.server.fetches(), 0);
}

#[tokio::test]
async fn unknown_kid_flood_makes_bounded_jwks_fetches() {
    let p = idp();
    let app = jwt_app(&p).await;
    assert_eq!(send(&app, &mint(&p.ec, &claims())).await.0, StatusCode::OK);
    let attacker = ec_key("x");
    for i in 0..100 {
        let mut k = ec_key(&format!("kid-{i}"));
        k.enc = attacker.enc.clone();
        assert_invalid(&app, &mint(&k, &claims()), "unknown-kid").await;
    }
    assert_eq!(
        p.server.fetches(),
        1,
        "the flood must not reach the JWKS endpoint"
    );
}

/// `jwks_ttl` (and `jwks_max_ttl`, which caps a response's `max-age`):
/// keys are fetched again once they are older than that.
#[tokio::test]
async fn keys_are_fetched_again_after_the_configured_jwks_ttl() {
    let p = idp();
    let ttl = "jwks_ttl = \"1s\"\njwks_max_ttl = \"1s\"\njwks_min_refresh = \"1s\"\n";
    let app = TestApp::builder()
        .config(&format!("{}{ttl}", issuer_toml(&p.server.url("/jwks"))))
        .build()
        .await;
    for _ in 0..2 {
        assert_eq!(send(&app, &mint(&p.ec, &claims())).await.0, StatusCode::OK);
    }
    assert_eq!(p.server.fetches(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(send(&app, &mint(&p.ec, &claims())).await.0, StatusCode::OK);
    // A refresh may run beside the request (the old keys still serve it).
    let mut fetches = p.server.fetches();
    for _ in 0..100 {
        if fetches >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        fetches = p.server.fetches();
    }
    assert_eq!(fetches, 2);
}

#[tokio::test]
async fn oversize_token_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    let c = with(claims(), "pad", json!("x".repeat(10_000)));
    assert_invalid(&app, &mint(&p.ec, &c), "token-too-large").await;
    assert_eq!(p.server.fetches(), 0);
}

#[tokio::test]
async fn embedded_jwk_header_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    // The attacker signs with their own key and ships its public half.
    let attacker = ec_key("rsa1");
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("rsa1".into());
    h.jwk = serde_json::from_value(attacker.jwk.clone()).ok();
    assert!(h.jwk.is_some());
    let t = jsonwebtoken::encode(&h, &claims(), &attacker.enc).unwrap();
    assert_invalid(&app, &t, "embedded-key").await;
}

#[tokio::test]
async fn token_signed_by_another_key_is_rejected() {
    let p = idp();
    let app = jwt_app(&p).await;
    let forged = ec_key("ec1"); // same kid, different key
    assert_invalid(&app, &mint(&forged, &claims()), "bad-signature").await;
}

#[tokio::test]
async fn role_from_the_claim_is_enforced_by_rbac() {
    let p = idp();
    let app = jwt_app(&p).await;
    // viewer may not use the chat route.
    let c = with(claims(), "roles", json!(["viewer"]));
    let (status, _, _) = send(&app, &mint(&p.rsa, &c)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let rec = app.records().pop().unwrap();
    assert_eq!(rec.identity.as_deref(), Some("idp:alice"));
    assert_eq!(rec.role.as_deref(), Some("viewer"));
    assert_eq!(rec.reason.as_str(), "not allowed: route not granted");
    // A role the gateway does not know grants nothing: 403.
    let c = with(claims(), "roles", json!(["root", "analyst"]));
    let (status, _, _) = send(&app, &mint(&p.rsa, &c)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "unmapped values count for nothing"
    );
    let rec = app.records().pop().unwrap();
    assert_eq!(rec.reason.as_str(), "not allowed: role not configured");
}

#[tokio::test]
async fn mfa_role_without_amr_gets_a_step_up_challenge_and_with_it_passes() {
    let p = idp();
    let app = jwt_app(&p).await;
    let c = with(claims(), "roles", json!(["admin"]));
    let c = with(with(c, "amr", json!(["pwd"])), "acr", Value::Null);
    let (status, challenge, _) = send(&app, &mint(&p.ed, &c)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        challenge.contains("error=\"insufficient_user_authentication\"")
            && challenge.contains("acr_values=\"mfa\""),
        "{challenge}"
    );
    let rec = app.records().pop().unwrap();
    assert_eq!(rec.identity.as_deref(), Some("idp:alice"));
    assert_eq!(rec.role.as_deref(), Some("secure"));
    assert_eq!(rec.reason.as_str(), "multi-factor authentication required");
    let c = with(c, "amr", json!(["pwd", "mfa"]));
    let (status, _, body) = send(&app, &mint(&p.ed, &c)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn jwks_unreachable_is_503_without_detail() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::builder().config(&issuer_toml(&url)).build().await;
    let (status, challenge, body) = send(&app, &mint(&ec_key("ec1"), &claims())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(challenge.is_empty());
    assert_eq!(
        body,
        r#"{"error":"authentication temporarily unavailable"}"#
    );
    let rec = app.records().pop().unwrap();
    assert_eq!(rec.reason.as_str(), "authn-unavailable");
    assert_eq!(rec.decision, Decision::Error);
}

#[tokio::test]
async fn static_jwks_file_needs_no_server() {
    let k = ed_key("ed1");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, jwks(&[&k])).unwrap();
    let toml = issuer_toml("unused").replace(
        "jwks_url = \"unused\"",
        &format!("jwks_file = {:?}", path.display().to_string()),
    );
    let app = TestApp::builder().config(&toml).build().await;
    assert_eq!(send(&app, &mint(&k, &claims())).await.0, StatusCode::OK);
}

#[tokio::test]
async fn api_keys_still_work_next_to_tokens() {
    let p = idp();
    let app = TestApp::builder()
        .config(&issuer_toml(&p.server.url("/jwks")))
        .with_key("analyst", None)
        .build()
        .await;
    let key = app.key("analyst").to_string();
    assert_eq!(send(&app, &key).await.0, StatusCode::OK);
    // A wrong key stays a plain 401 (no token check, no fetch).
    let (status, challenge, _) = send(&app, &format!("{key}x")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!challenge.contains("invalid_token"));
    assert_eq!(p.server.fetches(), 0);
}

#[tokio::test]
async fn without_auth_config_a_token_is_a_plain_401() {
    let app = TestApp::builder().build().await;
    let (status, challenge, _) = send(&app, &mint(&ec_key("ec1"), &claims())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge, "Bearer realm=\"aigis\"");
}

fn introspection_app(server: &Server, dir: &tempfile::TempDir) -> common::TestAppBuilder {
    let secret = dir.path().join("client_secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    *server.idp.basic.lock().unwrap() = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("gw:s3cret")
    );
    TestApp::builder().config(&format!(
        r#"
[auth.introspection]
endpoint = "{}"
client_id = "gw"
client_secret = "file:{}"
issuer = "https://as.test"
name = "as"
"#,
        server.url("/introspect"),
        secret.display()
    ))
}

#[tokio::test]
async fn introspection_active_inactive_and_cached() {
    let server = Server::start(jwks(&[]));
    server.idp.tokens.lock().unwrap().insert(
        "opaque-active-1".into(),
        json!({"active": true, "sub": "bob", "roles": ["analyst"], "exp": idp::now() + 600}),
    );
    let dir = tempfile::tempdir().unwrap();
    let app = introspection_app(&server, &dir).build().await;
    for _ in 0..3 {
        let (status, _, body) = send(&app, "opaque-active-1").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let echo: Value = serde_json::from_str(&body).unwrap();
        assert!(echo["headers"].get("authorization").is_none());
    }
    let rec = app.records().pop().unwrap();
    assert_eq!(rec.identity.as_deref(), Some("as:bob"));
    assert_eq!(rec.role.as_deref(), Some("analyst"));
    assert_eq!(
        server.idp.introspections.load(Ordering::SeqCst),
        1,
        "cached"
    );
    for _ in 0..3 {
        assert_invalid(&app, "opaque-revoked", "inactive-token").await;
    }
    assert_eq!(
        server.idp.introspections.load(Ordering::SeqCst),
        2,
        "inactive cached too"
    );
    let metrics = app.gateway.state().metrics.render();
    assert!(
        metrics.contains("aigis_gateway_introspection_calls_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("aigis_gateway_introspection_cache_hits_total 4"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "aigis_gateway_token_auth_total{method=\"introspection\",outcome=\"rejected\",reason=\"inactive-token\"} 3"
    ));
}

#[tokio::test]
async fn introspection_endpoint_down_is_503() {
    let server = Server::start(jwks(&[]));
    let dir = tempfile::tempdir().unwrap();
    // Wrong client credentials: the endpoint answers 401, not an answer about the token.
    let app = introspection_app(&server, &dir).build().await;
    *server.idp.basic.lock().unwrap() = "Basic other".into();
    let (status, _, body) = send(&app, "opaque-x").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        app.records().pop().unwrap().reason.as_str(),
        "authn-unavailable"
    );
}

#[tokio::test]
async fn metrics_count_accepted_rejected_and_fetches() {
    let p = idp();
    let app = jwt_app(&p).await;
    send(&app, &mint(&p.rsa, &claims())).await;
    let c = with(claims(), "exp", json!(idp::now() - 3600));
    send(&app, &mint(&p.rsa, &c)).await;
    let m = app.gateway.state().metrics.render();
    for line in [
        "aigis_gateway_token_auth_total{method=\"jwt\",outcome=\"accepted\",reason=\"ok\"} 1",
        "aigis_gateway_token_auth_total{method=\"jwt\",outcome=\"rejected\",reason=\"expired-token\"} 1",
        "aigis_gateway_jwks_fetches_total{issuer=\"https://idp.test\"} 1",
    ] {
        assert!(m.contains(line), "{line}\n{m}");
    }
}

#[tokio::test]
async fn basic_scheme_and_two_credentials_are_refused() {
    let p = idp();
    let app = jwt_app(&p).await;
    let token = mint(&p.rsa, &claims());
    let req = Request::post(CHAT)
        .header("authorization", format!("Basic {token}"))
        .body(Body::from(DEMO))
        .unwrap();
    assert_eq!(app.send(req).await.status(), StatusCode::UNAUTHORIZED);
    let req = Request::post(CHAT)
        .header("authorization", format!("Bearer {token}"))
        .header("x-api-key", "aig_x")
        .body(Body::from(DEMO))
        .unwrap();
    assert_eq!(app.send(req).await.status(), StatusCode::UNAUTHORIZED);
}

/// Serve on real sockets until `stop` is dropped or fired.
async fn serve_in_background(
    app: &std::sync::Arc<TestApp>,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let bound = app.gateway.bind().await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let a = app.clone();
    let done = tokio::spawn(async move {
        a.gateway
            .serve(bound, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    (tx, done)
}

#[tokio::test]
async fn jwks_is_prefetched_when_serving_starts() {
    let p = idp();
    let app = std::sync::Arc::new(jwt_app(&p).await);
    let (stop, done) = serve_in_background(&app).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while p.server.fetches() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(p.server.fetches(), 1, "fetched before any request");
    // The first request then validates on the cached path: no second fetch.
    assert_eq!(send(&app, &mint(&p.ed, &claims())).await.0, StatusCode::OK);
    assert_eq!(p.server.fetches(), 1);
    let _ = stop.send(());
    done.await.unwrap();
}

#[tokio::test]
async fn failed_prefetch_does_not_stop_the_gateway() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", closed.local_addr().unwrap());
    drop(closed);
    let app = std::sync::Arc::new(TestApp::builder().config(&issuer_toml(&url)).build().await);
    let (stop, done) = serve_in_background(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // Still serving: API-key-less token requests get 503, not a crash.
    let (status, _, _) = send(&app, &mint(&ec_key("ec1"), &claims())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!done.is_finished());
    let _ = stop.send(());
    done.await.unwrap();
}

/// Cost of a token check on the async worker versus through
/// `spawn_blocking`, and of a whole in-process request with a JWT versus an
/// API key. Not a pass/fail test; run with
/// `cargo test -p aigis-gateway --test tokens -- --ignored --nocapture bench`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_token_paths() {
    use std::time::Instant;
    const N: u32 = 1000;
    let p = idp();
    let app = TestApp::builder()
        .config(&issuer_toml(&p.server.url("/jwks")))
        .with_key("analyst", None)
        .build()
        .await;
    let tokens = app.gateway.state().tokens.get().unwrap().clone();
    for (name, k) in [("RS256", &p.rsa), ("ES256", &p.ec), ("EdDSA", &p.ed)] {
        // Distinct tokens (jti) so that each one is verified, not remembered.
        let fresh: Vec<String> = (0..N)
            .map(|i| mint(k, &with(claims(), "jti", json!(format!("{name}-{i}")))))
            .collect();
        let more: Vec<String> = (0..N)
            .map(|i| mint(k, &with(claims(), "jti", json!(format!("{name}-b{i}")))))
            .collect();
        assert!(tokens.authenticate(&fresh[0]).await.is_ok());
        let start = Instant::now();
        for t in &fresh[1..] {
            assert!(tokens.authenticate(t).await.is_ok());
        }
        let inline = start.elapsed() / (N - 1);
        let start = Instant::now();
        for t in &fresh[1..] {
            assert!(tokens.authenticate(t).await.is_ok());
        }
        let remembered = start.elapsed() / (N - 1);
        let start = Instant::now();
        for t in more {
            let tk = tokens.clone();
            let h = tokio::runtime::Handle::current();
            let r = tokio::task::spawn_blocking(move || h.block_on(tk.authenticate(&t)))
                .await
                .unwrap();
            assert!(r.is_ok());
        }
        let blocking = start.elapsed() / N;
        let start = Instant::now();
        for _ in 0..N {
            tokio::task::spawn_blocking(|| ()).await.unwrap();
        }
        let hop = start.elapsed() / N;
        println!(
            "{name}: verify on the worker {inline:?}/token; remembered token {remembered:?}; verify via spawn_blocking {blocking:?}/token; empty spawn_blocking hop {hop:?}"
        );
    }
    let t = mint(&p.ed, &claims());
    let key = app.key("analyst").to_string();
    // Interleaved rounds; the first one warms the upstream connections.
    let rounds = [("API key", key.as_str()), ("EdDSA JWT", t.as_str())];
    for (name, cred) in rounds.iter().chain(rounds.iter()).chain(rounds.iter()) {
        let start = Instant::now();
        for _ in 0..N / 4 {
            let resp = app.send(post_json(CHAT, Some(cred), DEMO)).await;
            assert_eq!(resp.status(), StatusCode::OK);
            body_string(resp).await;
        }
        println!(
            "{name}: whole in-process request {:?}",
            start.elapsed() / (N / 4)
        );
    }
}
