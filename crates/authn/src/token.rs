//! First look at a compact JWS, before any key is chosen: size and shape
//! limits, base64url and JSON decoding of the header and claims, and the
//! header checks that must happen before the signature is even considered
//! (`alg: none`, embedded keys, `crit`). This is the parsing path fuzzed by
//! `fuzz/fuzz_targets/jwt_parse.rs`.
//!
//! Nothing here trusts the token: the claims it returns are unverified and
//! used only to pick the issuer configuration (and so the keys) to verify
//! against.

use crate::AuthnError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Longest token accepted (bytes).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Largest decoded header (bytes).
pub const MAX_HEADER_BYTES: usize = 1024;
/// Header parameters that carry a key or where to fetch one: never trusted,
/// a token carrying any of them is refused outright.
pub const EMBEDDED_KEY_PARAMS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

/// The header fields looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
}

/// A token split and decoded, not verified.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub header: Header,
    /// Unverified claims: only for choosing the issuer.
    pub claims: Map<String, Value>,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: Option<Value>,
    kid: Option<Value>,
    typ: Option<Value>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// Split, decode and check a compact JWS.
pub fn parse(token: &str) -> Result<Parsed, AuthnError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthnError::TooLarge {
            max: MAX_TOKEN_BYTES,
        });
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AuthnError::Malformed("expected three dot-separated parts"));
    };
    if parts.next().is_some() {
        return Err(AuthnError::Malformed(
            "more than three parts (encrypted or nested tokens are not accepted)",
        ));
    }
    if h.is_empty() || p.is_empty() {
        return Err(AuthnError::Malformed("empty header or payload"));
    }
    if s.is_empty() {
        return Err(AuthnError::AlgNone);
    }
    let header_bytes = b64(h, "header is not base64url")?;
    if header_bytes.len() > MAX_HEADER_BYTES {
        return Err(AuthnError::Malformed("header too large"));
    }
    let header = check_header(&header_bytes)?;
    b64(s, "signature is not base64url")?;
    let claims_bytes = b64(p, "payload is not base64url")?;
    let claims: Map<String, Value> = serde_json::from_slice(&claims_bytes)
        .map_err(|_| AuthnError::Malformed("payload is not a JSON object"))?;
    Ok(Parsed { header, claims })
}

fn b64(part: &str, why: &'static str) -> Result<Vec<u8>, AuthnError> {
    URL_SAFE_NO_PAD
        .decode(part.as_bytes())
        .map_err(|_| AuthnError::Malformed(why))
}

fn check_header(bytes: &[u8]) -> Result<Header, AuthnError> {
    let raw: RawHeader = serde_json::from_slice(bytes)
        .map_err(|_| AuthnError::Malformed("header is not a JSON object"))?;
    let alg = match raw.alg {
        Some(Value::String(a)) => a,
        Some(_) => return Err(AuthnError::Malformed("alg is not a string")),
        None => return Err(AuthnError::Malformed("no alg in header")),
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(AuthnError::AlgNone);
    }
    for p in EMBEDDED_KEY_PARAMS {
        if raw.rest.contains_key(p) {
            return Err(AuthnError::EmbeddedKey(p));
        }
    }
    if raw.rest.contains_key("crit") {
        return Err(AuthnError::CriticalHeader);
    }
    let opt_str = |v: Option<Value>, what: &'static str| match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AuthnError::Malformed(what)),
    };
    Ok(Header {
        alg,
        kid: opt_str(raw.kid, "kid is not a string")?,
        typ: opt_str(raw.typ, "typ is not a string")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn shapes_and_limits() {
        assert!(parse(&tok(r#"{"alg":"RS256","kid":"a"}"#, r#"{"iss":"x"}"#)).is_ok());
        assert!(matches!(parse("a.b"), Err(AuthnError::Malformed(_))));
        assert!(matches!(parse("a.b.c.d.e"), Err(AuthnError::Malformed(_))));
        assert!(matches!(
            parse(&"a".repeat(MAX_TOKEN_BYTES + 1)),
            Err(AuthnError::TooLarge { .. })
        ));
        assert!(matches!(parse("!!.b.c"), Err(AuthnError::Malformed(_))));
        assert!(matches!(
            parse(&tok("[1]", "{}")),
            Err(AuthnError::Malformed(_))
        ));
        assert!(matches!(
            parse(&tok(r#"{"alg":"RS256"}"#, "[]")),
            Err(AuthnError::Malformed(_))
        ));
        assert_eq!(
            parse(&tok(r#"{"alg":"NoNe"}"#, "{}")).unwrap_err(),
            AuthnError::AlgNone
        );
        assert_eq!(
            parse(&tok(r#"{"alg":"RS256","jku":"https://evil"}"#, "{}")).unwrap_err(),
            AuthnError::EmbeddedKey("jku")
        );
        assert_eq!(
            parse(&tok(r#"{"alg":"RS256","crit":["b64"]}"#, "{}")).unwrap_err(),
            AuthnError::CriticalHeader
        );
    }
}
