//! JWT validation with real keys against an in-test JWKS server: one named
//! test per attack, plus the JWKS cache behaviour.

mod common;

use aigis_authn::{AuthnError, CachePolicy, IssuerConfig, JwtValidator, KeySource};
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use std::time::Duration;

fn issuer(server: &Server, algs: &[&str]) -> IssuerConfig {
    IssuerConfig::new(
        ISS,
        vec![AUD.into()],
        KeySource::JwksUrl(server.url("/jwks")),
        algs,
    )
}

fn setup() -> (Server, TestKey, TestKey, TestKey, JwtValidator) {
    let (rsa, ec, ed) = (rsa_key("rsa1"), ec_key("ec1"), ed_key("ed1"));
    let server = Server::start(jwks(&[&rsa, &ec, &ed]));
    let v = JwtValidator::new(vec![issuer(&server, &["RS256", "ES256", "EdDSA"])]).unwrap();
    (server, rsa, ec, ed, v)
}

#[test]
fn valid_rsa_ec_and_ed25519_tokens_give_an_identity() {
    let (_s, rsa, ec, ed, v) = setup();
    for k in [&rsa, &ec, &ed] {
        let id = v
            .validate(&mint(k, &claims()))
            .unwrap_or_else(|e| panic!("{:?}: {e}", k.alg));
        assert_eq!(id.subject, "alice");
        assert_eq!(id.issuer, ISS);
        assert_eq!(id.roles, ["reader"]);
        assert_eq!(id.tenant.as_deref(), Some("t1"));
        assert_eq!(id.amr, ["pwd", "otp"]);
        assert_eq!(id.acr.as_deref(), Some("urn:mfa"));
        assert!(id.expires.is_some());
    }
}

#[test]
fn ps256_and_es384_validate_when_listed() {
    let (rsa, ec384) = (rsa_key("rsa1"), ec384_key("ec384"));
    let server = Server::start(jwks(&[&rsa, &ec384]));
    let v = JwtValidator::new(vec![issuer(&server, &["PS256", "ES384"])]).unwrap();
    let mut h = Header::new(Algorithm::PS256);
    h.kid = Some("rsa1".into());
    let t = jsonwebtoken::encode(&h, &claims(), &rsa.enc).unwrap();
    assert_eq!(v.validate(&t).unwrap().subject, "alice");
    assert_eq!(
        v.validate(&mint(&ec384, &claims())).unwrap().subject,
        "alice"
    );
    // RS256 with the same RSA key is not in this issuer's list.
    assert!(matches!(
        v.validate(&mint(&rsa, &claims())),
        Err(AuthnError::AlgNotAllowed(_))
    ));
}

#[test]
fn alg_none_is_rejected() {
    let (_s, _r, _e, _d, v) = setup();
    let t = raw_token(&json!({"alg":"none","kid":"rsa1"}), &claims(), b"");
    assert_eq!(v.validate(&t).unwrap_err(), AuthnError::AlgNone);
    let t = raw_token(&json!({"alg":"none"}), &claims(), b"x");
    assert_eq!(v.validate(&t).unwrap_err(), AuthnError::AlgNone);
}

#[test]
fn hs_rs_confusion_with_the_public_key_as_hmac_secret_is_rejected() {
    let (_s, _r, _e, _d, v) = setup();
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("rsa1".into());
    let forged = jsonwebtoken::encode(
        &h,
        &claims(),
        &EncodingKey::from_secret(&rsa_public_pem()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        v.validate(&forged).unwrap_err(),
        AuthnError::AlgNotAllowed("HS256".into())
    );
    // Even an issuer that "allows" HS256 cannot be configured.
    let s = Server::start(jwks(&[]));
    assert!(matches!(
        JwtValidator::new(vec![issuer(&s, &["RS256", "HS256"])]),
        Err(AuthnError::Config(_))
    ));
}

#[test]
fn alg_not_in_the_issuer_list_is_rejected() {
    let (rsa, ec) = (rsa_key("rsa1"), ec_key("ec1"));
    let server = Server::start(jwks(&[&rsa, &ec]));
    let v = JwtValidator::new(vec![issuer(&server, &["RS256"])]).unwrap();
    assert_eq!(
        v.validate(&mint(&ec, &claims())).unwrap_err(),
        AuthnError::AlgNotAllowed("ES256".into())
    );
    // PS256 with the RSA key: right family, not listed.
    let mut h = Header::new(Algorithm::PS256);
    h.kid = Some("rsa1".into());
    let t = jsonwebtoken::encode(&h, &claims(), &rsa.enc).unwrap();
    assert_eq!(
        v.validate(&t).unwrap_err(),
        AuthnError::AlgNotAllowed("PS256".into())
    );
}

#[test]
fn key_of_another_type_under_the_same_kid_is_a_mismatch() {
    let (_s, _rsa, ec, _d, v) = setup();
    // An ES256 token that names the RSA key's kid.
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("rsa1".into());
    let t = jsonwebtoken::encode(&h, &claims(), &ec.enc).unwrap();
    assert_eq!(v.validate(&t).unwrap_err(), AuthnError::KeyAlgMismatch);
}

#[test]
fn expired_token_is_rejected_beyond_the_leeway() {
    let (_s, rsa, _e, _d, v) = setup();
    let mut c = claims();
    c["exp"] = json!(now() - 120);
    assert_eq!(
        v.validate(&mint(&rsa, &c)).unwrap_err(),
        AuthnError::Expired
    );
    // Within the 30 s leeway: accepted.
    c["exp"] = json!(now() - 5);
    assert!(v.validate(&mint(&rsa, &c)).is_ok());
}

#[test]
fn nbf_in_the_future_is_rejected() {
    let (_s, rsa, _e, _d, v) = setup();
    let mut c = claims();
    c["nbf"] = json!(now() + 600);
    assert_eq!(
        v.validate(&mint(&rsa, &c)).unwrap_err(),
        AuthnError::NotYetValid
    );
}

#[test]
fn wrong_audience_is_rejected() {
    let (_s, rsa, _e, _d, v) = setup();
    let mut c = claims();
    c["aud"] = json!("some-other-api");
    assert_eq!(
        v.validate(&mint(&rsa, &c)).unwrap_err(),
        AuthnError::WrongAudience
    );
    c.as_object_mut().unwrap().remove("aud");
    assert_eq!(
        v.validate(&mint(&rsa, &c)).unwrap_err(),
        AuthnError::MissingClaim("aud".into())
    );
}

#[test]
fn wrong_issuer_is_rejected_without_fetching_anything() {
    let (s, rsa, _e, _d, v) = setup();
    let mut c = claims();
    c["iss"] = json!("https://evil.test");
    assert_eq!(
        v.validate(&mint(&rsa, &c)).unwrap_err(),
        AuthnError::UnknownIssuer
    );
    assert_eq!(s.fetches(), 0);
}

#[test]
fn tampered_claims_fail_the_signature() {
    let (_s, rsa, _e, _d, v) = setup();
    let t = mint(&rsa, &claims());
    let parts: Vec<&str> = t.split('.').collect();
    let mut c = claims();
    c["roles"] = json!(["admin"]);
    let forged = format!("{}.{}.{}", parts[0], base64_url(&c.to_string()), parts[2]);
    assert_eq!(v.validate(&forged).unwrap_err(), AuthnError::BadSignature);
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[test]
fn embedded_jwk_header_is_rejected() {
    let (_s, _r, _e, _d, v) = setup();
    let attacker = ec_key("attacker");
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("attacker".into());
    h.jwk = Some(serde_json::from_value(attacker.jwk.clone()).unwrap());
    let t = jsonwebtoken::encode(&h, &claims(), &attacker.enc).unwrap();
    assert_eq!(v.validate(&t).unwrap_err(), AuthnError::EmbeddedKey("jwk"));
    for param in ["jku", "x5u"] {
        let t = raw_token(
            &json!({"alg":"ES256", param: "https://evil.test/k"}),
            &claims(),
            b"sig",
        );
        assert!(matches!(v.validate(&t), Err(AuthnError::EmbeddedKey(_))));
    }
}

#[test]
fn oversize_token_is_rejected_before_parsing() {
    let (_s, rsa, _e, _d, v) = setup();
    let mut c = claims();
    c["pad"] = json!("x".repeat(9000));
    let t = mint(&rsa, &c);
    assert!(matches!(
        v.validate(&t),
        Err(AuthnError::TooLarge { max: 8192 })
    ));
}

#[test]
fn malformed_tokens_are_rejected() {
    let (_s, _r, _e, _d, v) = setup();
    for t in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        "!!!.e30.c2ln",
        "e30.!!!.c2ln",
    ] {
        assert!(v.validate(t).is_err(), "{t}");
    }
}

#[test]
fn unknown_kid_flood_makes_at_most_one_fetch_per_interval() {
    let rsa = rsa_key("rsa1");
    let server = Server::start(jwks(&[&rsa]));
    let mut cfg = issuer(&server, &["RS256"]);
    cfg.cache.min_refresh_interval = Duration::from_secs(60);
    let v = JwtValidator::new(vec![cfg]).unwrap();
    assert!(v.validate(&mint(&rsa, &claims())).is_ok());
    assert_eq!(server.fetches(), 1);
    let mut rejected = 0;
    for i in 0..500 {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(format!("unknown-{i}"));
        let t = jsonwebtoken::encode(&h, &claims(), &rsa.enc).unwrap();
        if v.validate(&t) == Err(AuthnError::UnknownKid) {
            rejected += 1;
        }
    }
    assert_eq!(rejected, 500);
    assert_eq!(
        server.fetches(),
        1,
        "the flood must not reach the JWKS endpoint"
    );
    assert_eq!(v.jwks_fetches(ISS), Some(1));
}

#[test]
fn unknown_kid_after_the_interval_refreshes_and_finds_a_rotated_key() {
    let rsa = rsa_key("rsa1");
    let server = Server::start(jwks(&[&rsa]));
    let mut cfg = issuer(&server, &["RS256", "ES256"]);
    cfg.cache.min_refresh_interval = Duration::from_millis(200);
    let v = JwtValidator::new(vec![cfg]).unwrap();
    assert!(v.validate(&mint(&rsa, &claims())).is_ok());
    let new = ec_key("ec-rotated");
    *server.idp.jwks.lock().unwrap() = jwks(&[&rsa, &new]);
    // Too soon: not fetched, unknown.
    assert_eq!(
        v.validate(&mint(&new, &claims())).unwrap_err(),
        AuthnError::UnknownKid
    );
    std::thread::sleep(Duration::from_millis(250));
    assert!(v.validate(&mint(&new, &claims())).is_ok());
    assert_eq!(server.fetches(), 2);
}

#[test]
fn failed_refresh_falls_back_to_the_last_good_keys() {
    let rsa = rsa_key("rsa1");
    let server = Server::start(jwks(&[&rsa]));
    let mut cfg = issuer(&server, &["RS256"]);
    cfg.cache = CachePolicy {
        default_ttl: Duration::from_millis(100),
        min_ttl: Duration::from_millis(10),
        // max-age=600 from the server is clamped to this.
        max_ttl: Duration::from_millis(100),
        min_refresh_interval: Duration::from_millis(10),
    };
    let v = JwtValidator::new(vec![cfg]).unwrap();
    assert!(v.validate(&mint(&rsa, &claims())).is_ok());
    server
        .idp
        .fail
        .store(true, std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(150));
    // A different token (an identical one would be answered from the
    // accepted-token memory without looking at keys).
    let mut c = claims();
    c["jti"] = json!("second");
    assert!(
        v.validate(&mint(&rsa, &c)).is_ok(),
        "last good keys are used"
    );
    assert_eq!(
        server.fetches(),
        2,
        "the expired set was refetched (and failed)"
    );
}

#[test]
fn first_fetch_failure_is_unavailable_not_unauthenticated() {
    let rsa = rsa_key("rsa1");
    let server = Server::start(jwks(&[&rsa]));
    server
        .idp
        .fail
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let v = JwtValidator::new(vec![issuer(&server, &["RS256"])]).unwrap();
    let e = v.validate(&mint(&rsa, &claims())).unwrap_err();
    assert!(e.is_unavailable(), "{e}");
    assert_eq!(v.prefetch().len(), 1);
}

#[test]
fn oversize_jwks_document_is_refused() {
    let rsa = rsa_key("rsa1");
    let server = Server::start(String::new());
    let cfg = IssuerConfig::new(
        ISS,
        vec![AUD.into()],
        KeySource::JwksUrl(server.url("/big-jwks")),
        &["RS256"],
    );
    let v = JwtValidator::new(vec![cfg]).unwrap();
    assert!(
        v.validate(&mint(&rsa, &claims()))
            .unwrap_err()
            .is_unavailable()
    );
}

#[test]
fn static_keys_work_without_a_server() {
    let ed = ed_key("ed1");
    let cfg = IssuerConfig::new(
        ISS,
        vec![AUD.into()],
        KeySource::StaticJwks(jwks(&[&ed])),
        &["EdDSA"],
    );
    let v = JwtValidator::new(vec![cfg]).unwrap();
    assert_eq!(v.validate(&mint(&ed, &claims())).unwrap().subject, "alice");
}

#[test]
fn required_claims_are_enforced() {
    let ed = ed_key("ed1");
    let mut cfg = IssuerConfig::new(
        ISS,
        vec![AUD.into()],
        KeySource::StaticJwks(jwks(&[&ed])),
        &["EdDSA"],
    );
    cfg.required_claims = vec!["tenant".into(), "org".into()];
    let v = JwtValidator::new(vec![cfg]).unwrap();
    assert_eq!(
        v.validate(&mint(&ed, &claims())).unwrap_err(),
        AuthnError::MissingClaim("org".into())
    );
    let mut c = claims();
    c.as_object_mut().unwrap().remove("sub");
    c["org"] = json!("o");
    assert_eq!(
        v.validate(&mint(&ed, &c)).unwrap_err(),
        AuthnError::MissingClaim("sub".into())
    );
}

#[test]
fn errors_never_contain_the_token() {
    let (_s, rsa, _e, _d, v) = setup();
    let mut c = claims();
    c["exp"] = json!(now() - 1000);
    let t = mint(&rsa, &c);
    let e = v.validate(&t).unwrap_err();
    let text = format!("{e} {e:?}");
    for part in t.split('.') {
        assert!(!text.contains(part));
    }
}

#[test]
fn cached_path_never_fetches_and_says_when_a_fetch_is_due() {
    let rsa = rsa_key("rsa1");
    let server = Server::start(jwks(&[&rsa]));
    let mut cfg = issuer(&server, &["RS256"]);
    cfg.cache.min_refresh_interval = Duration::from_secs(60);
    let v = JwtValidator::new(vec![cfg]).unwrap();
    let good = mint(&rsa, &claims());
    // Nothing fetched yet: the cached path hands over to the fetching one.
    assert!(v.validate_cached(&good).is_none());
    assert_eq!(server.fetches(), 0);
    // Checks that need no key are answered on the cached path.
    let bad_iss = mint(
        &rsa,
        &json!({"iss": "https://other", "aud": AUD, "sub": "x"}),
    );
    assert_eq!(
        v.validate_cached(&bad_iss),
        Some(Err(AuthnError::UnknownIssuer))
    );
    assert!(v.validate(&good).is_ok());
    assert_eq!(v.validate_cached(&good).unwrap().unwrap().subject, "alice");
    // An unknown kid within the refresh interval: answered without a fetch.
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("rotated".into());
    let t = jsonwebtoken::encode(&h, &claims(), &rsa.enc).unwrap();
    assert_eq!(v.validate_cached(&t), Some(Err(AuthnError::UnknownKid)));
    assert_eq!(server.fetches(), 1);
    assert_eq!(v.issuer_names(), [ISS]);
}

#[test]
fn remembered_tokens_still_expire_at_exp() {
    let ec = ec_key("ec1");
    let server = Server::start(jwks(&[&ec]));
    let mut cfg = issuer(&server, &["ES256"]);
    cfg.leeway_s = 0;
    let v = JwtValidator::new(vec![cfg]).unwrap();
    let mut c = claims();
    c["exp"] = json!(now() + 1);
    let t = mint(&ec, &c);
    assert!(v.validate(&t).is_ok());
    // Remembered: answered on the cached path.
    assert!(v.validate_cached(&t).unwrap().is_ok());
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(v.validate_cached(&t), Some(Err(AuthnError::Expired)));
}

#[test]
fn accepted_tokens_are_remembered_without_keys() {
    let ec = ec_key("ec1");
    let server = Server::start(jwks(&[&ec]));
    let mut cfg = issuer(&server, &["ES256"]);
    cfg.cache.min_refresh_interval = Duration::from_millis(10);
    let v = JwtValidator::new(vec![cfg]).unwrap();
    let t = mint(&ec, &claims());
    assert!(v.validate(&t).is_ok());
    // The issuer drops the key; an unknown kid makes the validator refetch.
    *server.idp.jwks.lock().unwrap() = jwks(&[]);
    std::thread::sleep(Duration::from_millis(20));
    let other = mint(&ec_key("other"), &claims());
    assert_eq!(v.validate(&other), Err(AuthnError::UnknownKid));
    assert_eq!(server.fetches(), 2);
    // The token seen before is remembered (documented: up to VERIFIED_TTL);
    // a new token under the dropped key is not accepted.
    assert!(v.validate_cached(&t).unwrap().is_ok());
    let mut c = claims();
    c["jti"] = json!("new");
    assert_eq!(v.validate(&mint(&ec, &c)), Err(AuthnError::UnknownKid));
}

#[test]
fn stale_keys_answer_while_a_slow_fetch_is_in_flight() {
    use std::io::{Read, Write};
    let ec = ec_key("ec1");
    let doc = jwks(&[&ec]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, s) in listener.incoming().enumerate() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            if n > 0 {
                // Every later fetch hangs (less than the 5 s client limit).
                std::thread::sleep(Duration::from_millis(1500));
                continue;
            }
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{doc}",
                doc.len()
            );
        }
    });
    let mut cfg = IssuerConfig::new(ISS, vec![AUD.into()], KeySource::JwksUrl(url), &["ES256"]);
    cfg.cache = CachePolicy {
        default_ttl: Duration::from_millis(10),
        min_ttl: Duration::from_millis(10),
        max_ttl: Duration::from_millis(10),
        min_refresh_interval: Duration::from_millis(10),
    };
    let v = std::sync::Arc::new(JwtValidator::new(vec![cfg]).unwrap());
    assert!(v.validate(&mint(&ec, &claims())).is_ok());
    std::thread::sleep(Duration::from_millis(30)); // keys now stale
    let v2 = v.clone();
    let mut c = claims();
    c["jti"] = json!("slow");
    let slow_token = mint(&ec, &c);
    let slow = std::thread::spawn(move || v2.validate(&slow_token));
    std::thread::sleep(Duration::from_millis(200)); // the slow fetch is in flight
    let mut c = claims();
    c["jti"] = json!("during");
    let started = std::time::Instant::now();
    assert!(v.validate_cached(&mint(&ec, &c)).unwrap().is_ok());
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(
        v.validate_cached(&mint(&ec_key("new-kid"), &claims()))
            .is_none(),
        "an unknown kid waits for the fetch"
    );
    assert!(
        slow.join().unwrap().is_ok(),
        "last good keys after the failed fetch"
    );
}
