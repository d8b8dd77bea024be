//! Test helpers: keys (RSA from the test-only fixture, EC P-256 and Ed25519
//! generated now with ring), token minting, and a small blocking HTTP server
//! that serves a JWKS and an RFC 7662 introspection endpoint and counts the
//! requests it gets.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::signature::{self, KeyPair};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub const ISS: &str = "https://idp.test";
pub const AUD: &str = "aigis-gateway";

pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    pub enc: EncodingKey,
    pub jwk: Value,
}

pub fn rsa_key(kid: &str) -> TestKey {
    // include_bytes! (relative to this file) so that other crates' tests
    // can include this module by path.
    let pem = include_bytes!("../fixtures/rsa_test_only_key.pem");
    let mut jwk: Value =
        serde_json::from_slice(include_bytes!("../fixtures/rsa_test_only_jwk.json")).unwrap();
    jwk["kid"] = json!(kid);
    TestKey {
        kid: kid.into(),
        alg: Algorithm::RS256,
        enc: EncodingKey::from_rsa_pem(pem).unwrap(),
        jwk,
    }
}

pub fn rsa_public_pem() -> Vec<u8> {
    include_bytes!("../fixtures/rsa_test_only_pub.pem").to_vec()
}

pub fn ec_key(kid: &str) -> TestKey {
    let rng = ring::rand::SystemRandom::new();
    let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
    let der = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    let pair = signature::EcdsaKeyPair::from_pkcs8(alg, der.as_ref(), &rng).unwrap();
    let pt = pair.public_key().as_ref();
    TestKey {
        kid: kid.into(),
        alg: Algorithm::ES256,
        enc: EncodingKey::from_ec_der(der.as_ref()),
        jwk: json!({"kty":"EC","crv":"P-256","kid":kid,"use":"sig",
            "x": URL_SAFE_NO_PAD.encode(&pt[1..33]), "y": URL_SAFE_NO_PAD.encode(&pt[33..65])}),
    }
}

pub fn ec384_key(kid: &str) -> TestKey {
    let rng = ring::rand::SystemRandom::new();
    let alg = &signature::ECDSA_P384_SHA384_FIXED_SIGNING;
    let der = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    let pair = signature::EcdsaKeyPair::from_pkcs8(alg, der.as_ref(), &rng).unwrap();
    let pt = pair.public_key().as_ref();
    TestKey {
        kid: kid.into(),
        alg: Algorithm::ES384,
        enc: EncodingKey::from_ec_der(der.as_ref()),
        jwk: json!({"kty":"EC","crv":"P-384","kid":kid,
            "x": URL_SAFE_NO_PAD.encode(&pt[1..49]), "y": URL_SAFE_NO_PAD.encode(&pt[49..97])}),
    }
}

pub fn ed_key(kid: &str) -> TestKey {
    let rng = ring::rand::SystemRandom::new();
    let der = signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pair = signature::Ed25519KeyPair::from_pkcs8(der.as_ref()).unwrap();
    TestKey {
        kid: kid.into(),
        alg: Algorithm::EdDSA,
        enc: EncodingKey::from_ed_der(der.as_ref()),
        jwk: json!({"kty":"OKP","crv":"Ed25519","kid":kid,
            "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref())}),
    }
}

pub fn jwks(keys: &[&TestKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}).to_string()
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims valid for an hour, for `AUD` from `ISS`.
pub fn claims() -> Value {
    json!({"iss": ISS, "aud": AUD, "sub": "alice", "exp": now() + 3600, "iat": now(),
        "roles": ["reader"], "tenant": "t1", "amr": ["pwd", "otp"], "acr": "urn:mfa"})
}

pub fn mint(key: &TestKey, claims: &Value) -> String {
    let mut h = Header::new(key.alg);
    h.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&h, claims, &key.enc).unwrap()
}

/// Build a token from raw header and claims JSON and a raw signature.
pub fn raw_token(header: &Value, claims: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

/// The in-test identity provider.
#[derive(Clone, Default)]
pub struct Idp {
    pub jwks: Arc<Mutex<String>>,
    pub jwks_fetches: Arc<AtomicUsize>,
    pub introspections: Arc<AtomicUsize>,
    pub fail: Arc<AtomicBool>,
    /// token -> introspection response JSON
    pub tokens: Arc<Mutex<HashMap<String, Value>>>,
    /// Expected `Authorization` header of introspection calls.
    pub basic: Arc<Mutex<String>>,
}

pub struct Server {
    pub base: String,
    pub idp: Idp,
}

impl Server {
    pub fn start(jwks: String) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let idp = Idp::default();
        *idp.jwks.lock().unwrap() = jwks;
        let state = idp.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = state.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Server { base, idp }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn fetches(&self) -> usize {
        self.idp.jwks_fetches.load(Ordering::SeqCst)
    }
}

fn serve(stream: std::net::TcpStream, idp: &Idp) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut headers = HashMap::new();
    loop {
        let mut l = String::new();
        reader.read_line(&mut l)?;
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let (status, extra, payload) = route(&path, &headers, &body, idp);
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        payload.len()
    )?;
    out.write_all(payload.as_bytes())?;
    out.flush()
}

fn route(
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
    idp: &Idp,
) -> (u16, String, String) {
    match path {
        "/jwks" => {
            idp.jwks_fetches.fetch_add(1, Ordering::SeqCst);
            if idp.fail.load(Ordering::SeqCst) {
                return (500, String::new(), "{}".into());
            }
            (
                200,
                "Cache-Control: public, max-age=600\r\n".into(),
                idp.jwks.lock().unwrap().clone(),
            )
        }
        "/big-jwks" => (
            200,
            String::new(),
            format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(300_000)),
        ),
        "/introspect" => {
            idp.introspections.fetch_add(1, Ordering::SeqCst);
            if headers.get("authorization") != Some(&idp.basic.lock().unwrap().clone()) {
                return (401, String::new(), r#"{"error":"invalid_client"}"#.into());
            }
            let form = String::from_utf8_lossy(body).to_string();
            let token = form
                .split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .unwrap_or("")
                .to_string();
            let resp = idp
                .tokens
                .lock()
                .unwrap()
                .get(&token)
                .cloned()
                .unwrap_or(json!({"active": false}));
            (200, String::new(), resp.to_string())
        }
        _ => (404, String::new(), "{}".into()),
    }
}
