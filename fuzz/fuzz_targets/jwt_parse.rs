#![no_main]
//! Any bytes as a bearer token: the pre-parse (limits, base64url, header
//! checks) and full validation against a fixed Ed25519 key set (no
//! network), and as a JWKS document. Nothing may panic, no forged token may
//! validate, and refused tokens name a reason.

use aigis_authn::jwks::parse_jwks;
use aigis_authn::token::{MAX_TOKEN_BYTES, parse};
use aigis_authn::{IssuerConfig, JwtValidator, KeySource};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The example public keys of RFC 8037 (Ed25519) and RFC 7517 (P-256). A
/// fuzzer cannot produce their signatures by chance, so a token that
/// validates would mean verification is broken.
const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
{"kty":"EC","crv":"P-256","kid":"k2","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

fn validator() -> &'static JwtValidator {
    static V: OnceLock<JwtValidator> = OnceLock::new();
    V.get_or_init(|| {
        let cfg = IssuerConfig::new(
            "https://idp.test",
            vec!["api".into()],
            KeySource::StaticJwks(JWKS.into()),
            &["EdDSA", "ES256"],
        );
        JwtValidator::new(vec![cfg]).expect("fixed config")
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = parse_jwks(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = parse(text) {
        assert!(text.len() <= MAX_TOKEN_BYTES);
        assert!(!p.header.alg.eq_ignore_ascii_case("none"));
    }
    match validator().validate(text) {
        Ok(_) => panic!("a fuzzed token validated"),
        Err(e) => assert!(!e.reason().is_empty()),
    }
});
