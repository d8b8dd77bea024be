//! JSON Web Key Sets: parsing (size- and count-limited, symmetric and
//! encryption keys skipped) and the per-issuer cache.
//!
//! The cache serves keys until their TTL (the response's `max-age`, clamped
//! to the configured bounds) and then refreshes; an unknown `kid` also
//! triggers a refresh (key rotation at the issuer). Every refresh, for
//! whatever reason, is rate-limited to one per `min_refresh_interval` per
//! issuer, and concurrent callers wait for the one fetch in flight instead
//! of starting their own. When a fetch fails, the last good key set keeps
//! being used (without an age limit: an issuer outage should not lock every
//! user out; its keys cannot be forged meanwhile).

use crate::config::CachePolicy;
use crate::{AuthnError, http};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Largest JWKS document read (bytes).
pub const MAX_JWKS_BYTES: u64 = 256 * 1024;
/// Most keys taken from one document.
pub const MAX_JWKS_KEYS: usize = 64;

/// One usable verification key.
pub struct KeyEntry {
    pub kid: Option<String>,
    pub key: DecodingKey,
    /// Algorithms this key may verify.
    pub algs: Vec<Algorithm>,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("kid", &self.kid)
            .field("algs", &self.algs)
            .finish_non_exhaustive()
    }
}

/// The usable keys of one document.
#[derive(Debug, Default)]
pub struct KeySet {
    pub keys: Vec<Arc<KeyEntry>>,
}

impl KeySet {
    /// The key for `kid` that may verify `alg`. Without a `kid`, the only
    /// key that may verify `alg`, if there is exactly one.
    pub fn find(&self, kid: Option<&str>, alg: Algorithm) -> Result<Arc<KeyEntry>, AuthnError> {
        match kid {
            Some(kid) => {
                let k = self
                    .keys
                    .iter()
                    .find(|k| k.kid.as_deref() == Some(kid))
                    .ok_or(AuthnError::UnknownKid)?;
                if k.algs.contains(&alg) {
                    Ok(k.clone())
                } else {
                    Err(AuthnError::KeyAlgMismatch)
                }
            }
            None => {
                let mut fits = self.keys.iter().filter(|k| k.algs.contains(&alg));
                match (fits.next(), fits.next()) {
                    (Some(k), None) => Ok(k.clone()),
                    _ => Err(AuthnError::UnknownKid),
                }
            }
        }
    }
}

/// Parse a JWKS document. Keys that are symmetric, meant for encryption,
/// of an unsupported type or malformed are skipped, not fatal.
pub fn parse_jwks(bytes: &[u8]) -> Result<KeySet, AuthnError> {
    if bytes.len() as u64 > MAX_JWKS_BYTES {
        return Err(AuthnError::Unavailable("JWKS document too large".into()));
    }
    #[derive(serde::Deserialize)]
    struct Doc {
        keys: Vec<serde_json::Value>,
    }
    let doc: Doc = serde_json::from_slice(bytes)
        .map_err(|_| AuthnError::Unavailable("JWKS is not a JSON object with keys".into()))?;
    let keys = doc
        .keys
        .into_iter()
        .take(MAX_JWKS_KEYS)
        .filter_map(|v| serde_json::from_value::<Jwk>(v).ok())
        .filter_map(|jwk| entry(&jwk).map(Arc::new))
        .collect();
    Ok(KeySet { keys })
}

fn entry(jwk: &Jwk) -> Option<KeyEntry> {
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let family: Vec<Algorithm> = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => vec![
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ],
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => vec![Algorithm::ES256],
            EllipticCurve::P384 => vec![Algorithm::ES384],
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            vec![Algorithm::EdDSA]
        }
        // Symmetric ("oct") keys are never taken from a key set.
        _ => return None,
    };
    let algs = match jwk.common.key_algorithm {
        None => family,
        Some(ka) => {
            let a = key_alg(ka)?;
            family.contains(&a).then(|| vec![a])?
        }
    };
    let key = DecodingKey::from_jwk(jwk).ok()?;
    Some(KeyEntry {
        kid: jwk.common.key_id.clone(),
        key,
        algs,
    })
}

fn key_alg(ka: KeyAlgorithm) -> Option<Algorithm> {
    Some(match ka {
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    expires: Option<Instant>,
    last_error: Option<String>,
}

/// The key set of one issuer: static, or fetched and cached.
pub struct JwksCache {
    url: Option<String>,
    policy: CachePolicy,
    agent: ureq::Agent,
    state: RwLock<State>,
    /// Held during a fetch; holds the time of the last attempt.
    refresh: Mutex<Option<Instant>>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("url", &self.url)
            .field("fetches", &self.fetches())
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    /// A cache that fetches from `url`.
    pub fn remote(url: String, policy: CachePolicy) -> Self {
        JwksCache {
            url: Some(url),
            policy,
            agent: http::agent(),
            state: RwLock::new(State::default()),
            refresh: Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    /// Fixed keys, never refreshed.
    pub fn fixed(keys: KeySet) -> Self {
        JwksCache {
            url: None,
            policy: CachePolicy::default(),
            agent: http::agent(),
            state: RwLock::new(State {
                keys: Some(Arc::new(keys)),
                expires: None,
                last_error: None,
            }),
            refresh: Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    /// Fetch attempts so far (for metrics and the flood test).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn snapshot(&self) -> (Option<Arc<KeySet>>, bool, Option<String>) {
        let s = self.state.read().unwrap_or_else(|p| p.into_inner());
        let fresh = self.url.is_none() || s.expires.is_some_and(|e| Instant::now() < e);
        (s.keys.clone(), fresh, s.last_error.clone())
    }

    /// Ok when a key set (fresh or last-good) is available.
    pub fn ready(&self) -> Result<(), AuthnError> {
        match self.snapshot() {
            (Some(_), _, _) => Ok(()),
            (None, _, err) => Err(AuthnError::Unavailable(
                err.unwrap_or_else(|| "no key set fetched yet".into()),
            )),
        }
    }

    /// The key for a token's `kid` and `alg`, refreshing when needed and allowed.
    pub fn key_for(&self, kid: Option<&str>, alg: Algorithm) -> Result<Arc<KeyEntry>, AuthnError> {
        let (keys, fresh, _) = self.snapshot();
        if let Some(ks) = &keys {
            match ks.find(kid, alg) {
                Ok(k) if fresh => return Ok(k),
                Err(AuthnError::UnknownKid) => {}
                Err(e) => return Err(e),
                Ok(_) => {}
            }
        }
        if self.url.is_some() {
            self.refresh_if_allowed();
        }
        match self.snapshot() {
            (Some(ks), _, _) => ks.find(kid, alg),
            (None, _, err) => Err(AuthnError::Unavailable(
                err.unwrap_or_else(|| "no key set fetched yet".into()),
            )),
        }
    }

    /// As [`JwksCache::key_for`], but never touching the network: `None`
    /// when answering needs a fetch that is allowed now, or waits for one in
    /// flight (the caller then runs [`JwksCache::key_for`] on a blocking
    /// pool). When a refresh is not allowed yet (the rate limit), the answer
    /// comes from the cached, possibly stale, keys — so an unknown-kid flood
    /// is answered here, without a thread or a fetch per token.
    pub fn key_cached(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Option<Result<Arc<KeyEntry>, AuthnError>> {
        let (keys, fresh, err) = self.snapshot();
        if let Some(ks) = &keys {
            match ks.find(kid, alg) {
                Ok(k) if fresh => return Some(Ok(k)),
                Err(AuthnError::UnknownKid) => {}
                Err(e) => return Some(Err(e)),
                Ok(_) => {}
            }
        }
        if self.url.is_none() {
            return Some(Err(AuthnError::UnknownKid));
        }
        let rate_limited = match self.refresh.try_lock() {
            Ok(last) => last.is_some_and(|t| t.elapsed() < self.policy.min_refresh_interval),
            Err(std::sync::TryLockError::Poisoned(p)) => p
                .into_inner()
                .is_some_and(|t| t.elapsed() < self.policy.min_refresh_interval),
            // A fetch is in flight: a key already cached (if stale) answers
            // now, so that a slow identity provider does not park every
            // request on the blocking pool; an unknown kid waits for the
            // fetch (on the blocking pool).
            Err(std::sync::TryLockError::WouldBlock) => {
                return match keys.as_ref().map(|ks| ks.find(kid, alg)) {
                    Some(Ok(k)) => Some(Ok(k)),
                    _ => None,
                };
            }
        };
        if !rate_limited {
            return None;
        }
        Some(match keys {
            Some(ks) => ks.find(kid, alg),
            None => Err(AuthnError::Unavailable(
                err.unwrap_or_else(|| "no key set fetched yet".into()),
            )),
        })
    }

    /// Fetch now unless a fetch happened within `min_refresh_interval`.
    /// Callers arriving during a fetch wait for it and then find the
    /// interval not yet passed.
    pub fn refresh_if_allowed(&self) {
        let Some(url) = &self.url else { return };
        let mut last = self.refresh.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < self.policy.min_refresh_interval) {
            return;
        }
        *last = Some(Instant::now());
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let result = http::get(&self.agent, url, MAX_JWKS_BYTES).and_then(|r| {
            if r.status != 200 {
                return Err(AuthnError::Unavailable(format!("{url}: HTTP {}", r.status)));
            }
            let ttl = self.ttl(r.cache_control.as_deref());
            parse_jwks(&r.body).map(|ks| (ks, ttl))
        });
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok((ks, ttl)) => {
                s.keys = Some(Arc::new(ks));
                s.expires = Instant::now().checked_add(ttl);
                s.last_error = None;
            }
            // Last good keys stay; the error is kept for `Unavailable`.
            Err(e) => s.last_error = Some(e.to_string()),
        }
    }

    fn ttl(&self, cache_control: Option<&str>) -> Duration {
        let p = &self.policy;
        cache_control
            .and_then(http::max_age)
            .map(Duration::from_secs)
            .unwrap_or(p.default_ttl)
            .clamp(p.min_ttl, p.max_ttl)
    }
}
