//! How issuers are configured, and the checks that refuse unsafe setups
//! before the first token is seen: an explicit, non-empty list of
//! asymmetric algorithms per issuer (shared-secret `HS*` algorithms are not
//! accepted at all, which rules out HS/RS confusion by construction), at
//! least one audience, HTTPS key URLs, and bounded cache times.

use crate::AuthnError;
use jsonwebtoken::Algorithm;
use std::str::FromStr;
use std::time::Duration;

/// Default clock-skew allowance for `exp` and `nbf`.
pub const DEFAULT_LEEWAY_S: u64 = 30;
/// Largest leeway accepted in configuration.
pub const MAX_LEEWAY_S: u64 = 300;

/// Where an issuer's verification keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// Fetched over HTTPS and cached.
    JwksUrl(String),
    /// A JWKS document given in configuration (read from a file by the
    /// caller); never refreshed.
    StaticJwks(String),
}

/// JWKS cache timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Used when the response has no `Cache-Control: max-age`.
    pub default_ttl: Duration,
    /// `max-age` is clamped to `min_ttl..=max_ttl`.
    pub min_ttl: Duration,
    pub max_ttl: Duration,
    /// At most one fetch per this interval per issuer, whatever the reason
    /// (expiry, unknown `kid`, a failed fetch): an unknown-kid flood must not
    /// become a fetch flood.
    pub min_refresh_interval: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            default_ttl: Duration::from_secs(300),
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(24 * 3600),
            min_refresh_interval: Duration::from_secs(30),
        }
    }
}

/// Names of the claims mapped into an [`crate::Identity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    /// A string or array of strings (default `roles`).
    pub roles: String,
    /// A string (default `tenant`).
    pub tenant: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        ClaimNames {
            roles: "roles".into(),
            tenant: "tenant".into(),
        }
    }
}

/// One trusted token issuer.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// Exact `iss` value.
    pub issuer: String,
    /// Accepted `aud` values (at least one; `aud` is always required).
    pub audiences: Vec<String>,
    pub keys: KeySource,
    /// Explicit list, e.g. `["RS256", "ES256"]`; required, asymmetric only.
    pub allowed_algs: Vec<String>,
    pub leeway_s: u64,
    /// Claims that must be present besides `exp`, `iss`, `aud` and `sub`
    /// (always required).
    pub required_claims: Vec<String>,
    pub claim_names: ClaimNames,
    pub cache: CachePolicy,
}

impl IssuerConfig {
    /// An issuer with the default leeway, claim names and cache policy.
    pub fn new(
        issuer: impl Into<String>,
        audiences: Vec<String>,
        keys: KeySource,
        allowed_algs: &[&str],
    ) -> Self {
        IssuerConfig {
            issuer: issuer.into(),
            audiences,
            keys,
            allowed_algs: allowed_algs.iter().map(|s| s.to_string()).collect(),
            leeway_s: DEFAULT_LEEWAY_S,
            required_claims: Vec::new(),
            claim_names: ClaimNames::default(),
            cache: CachePolicy::default(),
        }
    }

    /// Check the configuration; returns the parsed algorithm list.
    pub fn validate(&self) -> Result<Vec<Algorithm>, AuthnError> {
        let bad = |why: String| Err(AuthnError::Config(format!("issuer {}: {why}", self.issuer)));
        if self.issuer.is_empty() {
            return Err(AuthnError::Config("issuer must not be empty".into()));
        }
        if self.audiences.is_empty() || self.audiences.iter().any(String::is_empty) {
            return bad("at least one non-empty audience is required".into());
        }
        if self.allowed_algs.is_empty() {
            return bad("allowed_algs must list the accepted algorithms explicitly".into());
        }
        if self.leeway_s > MAX_LEEWAY_S {
            return bad(format!("leeway_s above {MAX_LEEWAY_S}"));
        }
        let c = &self.cache;
        if c.min_ttl > c.max_ttl || c.min_refresh_interval.is_zero() {
            return bad("cache: min_ttl above max_ttl, or zero refresh interval".into());
        }
        if let KeySource::JwksUrl(u) = &self.keys {
            crate::http::check_url(u)?;
        }
        let mut algs = Vec::new();
        for name in &self.allowed_algs {
            let alg = Algorithm::from_str(name).map_err(|_| {
                AuthnError::Config(format!("issuer {}: unknown algorithm {name}", self.issuer))
            })?;
            if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
                return bad(format!(
                    "{name}: shared-secret algorithms are not accepted (issuers sign with a private key)"
                ));
            }
            algs.push(alg);
        }
        Ok(algs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(algs: &[&str]) -> IssuerConfig {
        IssuerConfig::new(
            "https://idp.example",
            vec!["api".into()],
            KeySource::JwksUrl("https://idp.example/jwks".into()),
            algs,
        )
    }

    #[test]
    fn unsafe_configurations_are_refused() {
        assert!(
            cfg(&["RS256", "ES256", "EdDSA", "PS256", "ES384"])
                .validate()
                .is_ok()
        );
        assert!(cfg(&[]).validate().is_err());
        assert!(cfg(&["HS256"]).validate().is_err());
        assert!(cfg(&["none"]).validate().is_err());
        let mut c = cfg(&["RS256"]);
        c.audiences.clear();
        assert!(c.validate().is_err());
        let mut c = cfg(&["RS256"]);
        c.keys = KeySource::JwksUrl("http://idp.example/jwks".into());
        assert!(c.validate().is_err());
    }
}
