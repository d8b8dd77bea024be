//! OAuth 2.0 token introspection (RFC 7662) for opaque bearer tokens.
//!
//! The token is POSTed to the configured endpoint with HTTP Basic client
//! authentication (the client secret from a key reference: `env:`, `file:`,
//! `systemd:`, `vault:`). Only `"active": true` (the JSON boolean) is
//! accepted. Results are cached under the token's SHA-256 (the token itself
//! is never stored): active ones for at most `positive_ttl` and never past
//! their `exp`, inactive ones for `negative_ttl` (shorter); failures to
//! reach the endpoint are not cached. The cache holds at most `max_entries`;
//! when full, expired entries go first, then the one expiring soonest.

use crate::config::ClaimNames;
use crate::identity::{Identity, Source};
use crate::{AuthnError, http, token};
use aigis_integrity::keys::{self, EnvSource};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// Largest introspection response read (bytes).
pub const MAX_INTROSPECTION_BYTES: u64 = 64 * 1024;

/// Where and how to introspect.
#[derive(Debug, Clone)]
pub struct IntrospectionConfig {
    /// `https://` (or loopback `http://`) endpoint.
    pub endpoint: String,
    pub client_id: String,
    /// Key reference of the client secret; never the secret itself.
    pub client_secret_ref: String,
    /// Recorded as the identity's issuer (the authorization server).
    pub issuer: String,
    /// If not empty, the response's `aud` must contain one of these.
    pub audiences: Vec<String>,
    pub positive_ttl: Duration,
    pub negative_ttl: Duration,
    pub max_entries: usize,
    pub claim_names: ClaimNames,
}

impl IntrospectionConfig {
    /// Defaults: 60 s for active tokens, 10 s for inactive, 10,000 entries.
    pub fn new(endpoint: &str, client_id: &str, client_secret_ref: &str, issuer: &str) -> Self {
        IntrospectionConfig {
            endpoint: endpoint.into(),
            client_id: client_id.into(),
            client_secret_ref: client_secret_ref.into(),
            issuer: issuer.into(),
            audiences: Vec::new(),
            positive_ttl: Duration::from_secs(60),
            negative_ttl: Duration::from_secs(10),
            max_entries: 10_000,
            claim_names: ClaimNames::default(),
        }
    }
}

struct Entry {
    result: Result<Identity, AuthnError>,
    until: Instant,
}

/// A caching RFC 7662 client.
pub struct Introspector {
    cfg: IntrospectionConfig,
    basic: Zeroizing<String>,
    agent: ureq::Agent,
    cache: Mutex<HashMap<[u8; 32], Entry>>,
    calls: AtomicU64,
    hits: AtomicU64,
}

impl std::fmt::Debug for Introspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Introspector")
            .field("endpoint", &self.cfg.endpoint)
            .field("client_id", &self.cfg.client_id)
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl Introspector {
    /// Resolve the client secret from the process environment / files.
    pub fn new(cfg: IntrospectionConfig) -> Result<Self, AuthnError> {
        Self::new_in(cfg, &keys::ProcessEnv)
    }

    /// As [`Introspector::new`], with an explicit environment (tests).
    pub fn new_in(cfg: IntrospectionConfig, env: &dyn EnvSource) -> Result<Self, AuthnError> {
        http::check_url(&cfg.endpoint)?;
        if cfg.negative_ttl > cfg.positive_ttl || cfg.max_entries == 0 {
            return Err(AuthnError::Config(
                "introspection: negative_ttl above positive_ttl, or an empty cache".into(),
            ));
        }
        let resolved = keys::resolve_in(&cfg.client_secret_ref, env)
            .map_err(|e| AuthnError::Config(format!("introspection client secret: {e}")))?;
        let secret = std::str::from_utf8(resolved.bytes())
            .map_err(|_| AuthnError::Config("introspection client secret is not UTF-8".into()))?
            .trim();
        let pair = Zeroizing::new(format!(
            "{}:{}",
            form_encode(&cfg.client_id),
            form_encode(secret)
        ));
        let basic = Zeroizing::new(format!("Basic {}", STANDARD.encode(pair.as_bytes())));
        Ok(Introspector {
            cfg,
            basic,
            agent: http::agent(),
            cache: Mutex::new(HashMap::new()),
            calls: AtomicU64::new(0),
            hits: AtomicU64::new(0),
        })
    }

    /// Calls made to the endpoint (cache misses).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Entries in the result cache.
    pub fn cached_entries(&self) -> usize {
        self.lock().len()
    }

    /// Answers served from the cache.
    pub fn cache_hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// The cached answer, without any network call (CPU only, safe on an
    /// async worker); `None` on a cache miss. Unacceptable input (too long,
    /// not printable) is answered here too.
    pub fn introspect_cached(&self, bearer: &str) -> Option<Result<Identity, AuthnError>> {
        if let Err(e) = check_bearer(bearer) {
            return Some(Err(e));
        }
        self.lookup(&cache_key(bearer), Instant::now())
    }

    fn lookup(&self, key: &[u8; 32], now: Instant) -> Option<Result<Identity, AuthnError>> {
        let cache = self.lock();
        let e = cache.get(key).filter(|e| e.until > now)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(e.result.clone())
    }

    /// Introspect a bearer token (cached). Blocks on a cache miss.
    pub fn introspect(&self, bearer: &str) -> Result<Identity, AuthnError> {
        check_bearer(bearer)?;
        let key = cache_key(bearer);
        let now = Instant::now();
        if let Some(hit) = self.lookup(&key, now) {
            return hit;
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        let result = self.call(bearer)?;
        let ttl = match &result {
            Ok(id) => {
                let left = id.expires.map_or(self.cfg.positive_ttl, |exp| {
                    Duration::from_secs(exp.saturating_sub(unix_now()))
                });
                left.min(self.cfg.positive_ttl)
            }
            Err(_) => self.cfg.negative_ttl,
        };
        self.insert(key, &result, now.checked_add(ttl).unwrap_or(now));
        result
    }

    /// One endpoint call: `Err` when the endpoint could not answer (not
    /// cached), `Ok(Err(..))` when it answered "no".
    fn call(&self, bearer: &str) -> Result<Result<Identity, AuthnError>, AuthnError> {
        let form = [("token", bearer), ("token_type_hint", "access_token")];
        let r = http::post_form(
            &self.agent,
            &self.cfg.endpoint,
            &self.basic,
            &form,
            MAX_INTROSPECTION_BYTES,
        )?;
        if r.status != 200 {
            return Err(AuthnError::Unavailable(format!(
                "{}: HTTP {}",
                self.cfg.endpoint, r.status
            )));
        }
        let claims: Map<String, Value> = serde_json::from_slice(&r.body).map_err(|_| {
            AuthnError::Unavailable(format!(
                "{}: response is not a JSON object",
                self.cfg.endpoint
            ))
        })?;
        if claims.get("active") != Some(&Value::Bool(true)) {
            return Ok(Err(AuthnError::Inactive));
        }
        if let Some(exp) = claims.get("exp").and_then(Value::as_u64)
            && exp <= unix_now()
        {
            return Ok(Err(AuthnError::Expired));
        }
        if !self.cfg.audiences.is_empty() && !aud_matches(claims.get("aud"), &self.cfg.audiences) {
            return Ok(Err(AuthnError::WrongAudience));
        }
        Ok(Identity::from_claims(
            &claims,
            &self.cfg.issuer,
            &self.cfg.claim_names,
            Source::Introspection,
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert(&self, key: [u8; 32], result: &Result<Identity, AuthnError>, until: Instant) {
        let mut cache = self.lock();
        if cache.len() >= self.cfg.max_entries && !cache.contains_key(&key) {
            let now = Instant::now();
            cache.retain(|_, e| e.until > now);
            if cache.len() >= self.cfg.max_entries
                && let Some(soonest) = cache.iter().min_by_key(|(_, e)| e.until).map(|(k, _)| *k)
            {
                cache.remove(&soonest);
            }
        }
        cache.insert(
            key,
            Entry {
                result: result.clone(),
                until,
            },
        );
    }
}

fn check_bearer(bearer: &str) -> Result<(), AuthnError> {
    if bearer.len() > token::MAX_TOKEN_BYTES {
        return Err(AuthnError::TooLarge {
            max: token::MAX_TOKEN_BYTES,
        });
    }
    if bearer.is_empty() || !bearer.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AuthnError::Malformed("bearer token is not printable ASCII"));
    }
    Ok(())
}

/// The cache key: the token's SHA-256 (the token itself is never kept).
fn cache_key(bearer: &str) -> [u8; 32] {
    Sha256::digest(bearer.as_bytes()).into()
}

fn aud_matches(aud: Option<&Value>, accepted: &[String]) -> bool {
    match aud {
        Some(Value::String(a)) => accepted.contains(a),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .any(|a| accepted.iter().any(|x| x == a)),
        _ => false,
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `application/x-www-form-urlencoded` encoding of a client id or secret,
/// as RFC 6749 section 2.3.1 asks before Basic authentication.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'*') {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
