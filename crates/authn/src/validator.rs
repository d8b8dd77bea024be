//! JWT validation against the configured issuers.
//!
//! Order of checks, each before the next costs anything: size and shape,
//! header (`alg: none`, embedded keys, `crit`) in `token`; the unverified
//! `iss` picks the issuer (an unknown one is refused without any fetch);
//! the algorithm must be in that issuer's explicit list; the key comes only
//! from that issuer's key set, by `kid`, and must itself allow the
//! algorithm; then the signature and `exp`/`nbf` (with leeway), `iss`,
//! `aud`, `sub` and the configured required claims (jsonwebtoken).
//!
//! Accepted tokens are remembered under their SHA-256 (never the token) for
//! at most [`VERIFIED_TTL`] and never past their `exp`, so that a client
//! sending the same token on every request pays for one signature check
//! (an ES256 or RSA verification costs far more than the lookup). Refused
//! tokens are not remembered. The price: a key removed from the issuer's
//! set keeps validating tokens seen in the last [`VERIFIED_TTL`].

use crate::config::IssuerConfig;
use crate::identity::{Identity, Source};
use crate::jwks::{JwksCache, parse_jwks};
use crate::{AuthnError, KeySource, token};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longest an accepted token is remembered (never past its `exp`).
pub const VERIFIED_TTL: Duration = Duration::from_secs(60);
/// Most accepted tokens remembered.
pub const MAX_VERIFIED: usize = 10_000;

struct Issuer {
    cfg: IssuerConfig,
    algs: Vec<Algorithm>,
    keys: JwksCache,
}

/// Validates bearer JWTs for a set of issuers.
pub struct JwtValidator {
    issuers: HashMap<String, Issuer>,
    /// SHA-256 of an accepted token -> its identity, until.
    verified: Mutex<HashMap<[u8; 32], (Identity, Instant)>>,
}

impl std::fmt::Debug for JwtValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtValidator")
            .field("issuers", &self.issuers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl JwtValidator {
    /// Check every issuer's configuration (static key sets are parsed now;
    /// remote ones on first use or [`JwtValidator::prefetch`]).
    pub fn new(issuers: Vec<IssuerConfig>) -> Result<Self, AuthnError> {
        let mut map = HashMap::new();
        for cfg in issuers {
            let algs = cfg.validate()?;
            let keys = match &cfg.keys {
                KeySource::JwksUrl(u) => JwksCache::remote(u.clone(), cfg.cache),
                KeySource::StaticJwks(doc) => {
                    JwksCache::fixed(parse_jwks(doc.as_bytes()).map_err(|e| {
                        AuthnError::Config(format!("issuer {}: static keys: {e}", cfg.issuer))
                    })?)
                }
            };
            if map.contains_key(&cfg.issuer) {
                return Err(AuthnError::Config(format!(
                    "issuer {} configured twice",
                    cfg.issuer
                )));
            }
            map.insert(cfg.issuer.clone(), Issuer { cfg, algs, keys });
        }
        Ok(JwtValidator {
            issuers: map,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// Fetch every remote key set now (at start-up), so that the first
    /// requests do not wait. Returns the issuers whose fetch failed.
    pub fn prefetch(&self) -> Vec<(String, AuthnError)> {
        let mut failed = Vec::new();
        for (name, i) in &self.issuers {
            i.keys.refresh_if_allowed();
            if let Err(e) = i.keys.ready() {
                failed.push((name.clone(), e));
            }
        }
        failed
    }

    /// JWKS fetch attempts for an issuer (metrics, tests).
    pub fn jwks_fetches(&self, issuer: &str) -> Option<u64> {
        self.issuers.get(issuer).map(|i| i.keys.fetches())
    }

    /// The configured issuers (`iss` values), for metrics.
    pub fn issuer_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.issuers.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Validate a bearer token (the part after `Bearer `). May block on a
    /// JWKS fetch (see the crate docs).
    pub fn validate(&self, token: &str) -> Result<Identity, AuthnError> {
        self.run(token, true)
            .unwrap_or_else(|| Err(AuthnError::Unavailable("key set not fetched".into())))
    }

    /// Validate without any network call: CPU only, safe on an async
    /// worker. `None` means the answer needs a JWKS fetch (expired cache or
    /// an unknown `kid` with a refresh allowed now, or a fetch in flight):
    /// call [`JwtValidator::validate`] on a blocking pool then.
    pub fn validate_cached(&self, token: &str) -> Option<Result<Identity, AuthnError>> {
        self.run(token, false)
    }

    fn run(&self, token: &str, fetch: bool) -> Option<Result<Identity, AuthnError>> {
        if token.len() > token::MAX_TOKEN_BYTES {
            return Some(Err(AuthnError::TooLarge {
                max: token::MAX_TOKEN_BYTES,
            }));
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = Instant::now();
        if let Some((id, until)) = self.lock_verified().get(&digest)
            && *until > now
        {
            return Some(Ok(id.clone()));
        }
        let result = self.check(token, fetch)?;
        if let Ok(id) = &result {
            self.remember(digest, id, now);
        }
        Some(result)
    }

    fn lock_verified(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (Identity, Instant)>> {
        self.verified.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, digest: [u8; 32], id: &Identity, now: Instant) {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let left = id.expires.map_or(Duration::ZERO, |exp| {
            Duration::from_secs(exp.saturating_sub(unix))
        });
        let Some(until) = now.checked_add(left.min(VERIFIED_TTL)) else {
            return;
        };
        if until <= now {
            return;
        }
        let mut cache = self.lock_verified();
        if cache.len() >= MAX_VERIFIED {
            cache.retain(|_, (_, u)| *u > now);
            if cache.len() >= MAX_VERIFIED
                && let Some(k) = cache.iter().min_by_key(|(_, (_, u))| *u).map(|(k, _)| *k)
            {
                cache.remove(&k);
            }
        }
        cache.insert(digest, (id.clone(), until));
    }

    fn check(&self, token: &str, fetch: bool) -> Option<Result<Identity, AuthnError>> {
        let (issuer, alg, kid) = match self.select(token) {
            Ok(x) => x,
            Err(e) => return Some(Err(e)),
        };
        let key = if fetch {
            issuer.keys.key_for(kid.as_deref(), alg)
        } else {
            issuer.keys.key_cached(kid.as_deref(), alg)?
        };
        Some(key.and_then(|key| verify(issuer, token, &key.key, alg)))
    }

    /// Parse the token and pick its issuer and algorithm (no key yet).
    fn select(&self, token: &str) -> Result<(&Issuer, Algorithm, Option<String>), AuthnError> {
        let parsed = token::parse(token)?;
        let iss = match parsed.claims.get("iss") {
            Some(Value::String(s)) => s,
            Some(_) => return Err(AuthnError::BadClaim("iss".into())),
            None => return Err(AuthnError::MissingClaim("iss".into())),
        };
        let issuer = self.issuers.get(iss).ok_or(AuthnError::UnknownIssuer)?;
        let alg = Algorithm::from_str(&parsed.header.alg)
            .ok()
            .filter(|a| issuer.algs.contains(a))
            .ok_or_else(|| AuthnError::AlgNotAllowed(printable(&parsed.header.alg)))?;
        Ok((issuer, alg, parsed.header.kid))
    }
}

/// Signature and registered claims, then the configured required claims.
fn verify(
    issuer: &Issuer,
    token: &str,
    key: &jsonwebtoken::DecodingKey,
    alg: Algorithm,
) -> Result<Identity, AuthnError> {
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation(&issuer.cfg, alg))
            .map_err(map_error)?;
    for c in &issuer.cfg.required_claims {
        if !data.claims.contains_key(c) {
            return Err(AuthnError::MissingClaim(c.clone()));
        }
    }
    Identity::from_claims(
        &data.claims,
        &issuer.cfg.issuer,
        &issuer.cfg.claim_names,
        Source::Jwt,
    )
}

fn validation(cfg: &IssuerConfig, alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.leeway = cfg.leeway_s;
    v.validate_exp = true;
    v.validate_nbf = true;
    v.validate_aud = true;
    v.set_audience(cfg.audiences.as_slice());
    v.set_issuer(&[&cfg.issuer]);
    v.required_spec_claims = ["exp", "iss", "aud", "sub"]
        .iter()
        .map(|s| s.to_string())
        .collect::<HashSet<_>>();
    v
}

fn map_error(e: jsonwebtoken::errors::Error) -> AuthnError {
    match e.into_kind() {
        ErrorKind::InvalidSignature => AuthnError::BadSignature,
        ErrorKind::ExpiredSignature => AuthnError::Expired,
        ErrorKind::ImmatureSignature => AuthnError::NotYetValid,
        ErrorKind::InvalidAudience => AuthnError::WrongAudience,
        ErrorKind::InvalidIssuer => AuthnError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(c) => AuthnError::MissingClaim(c),
        ErrorKind::InvalidClaimFormat(c) => AuthnError::BadClaim(c),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => AuthnError::KeyAlgMismatch,
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
            AuthnError::Malformed("bad base64url or UTF-8")
        }
        ErrorKind::Json(_) | ErrorKind::InvalidToken => {
            AuthnError::Malformed("bad token structure")
        }
        _ => AuthnError::BadSignature,
    }
}

/// An algorithm name as the token gave it, safe to log (short, printable).
fn printable(s: &str) -> String {
    if s.len() <= 16 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        s.to_string()
    } else {
        "(unrecognised)".into()
    }
}
