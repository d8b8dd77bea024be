//! `[auth]`: bearer tokens besides API keys — JWT issuers (`[[auth.jwt]]`)
//! and OAuth 2.0 token introspection (`[auth.introspection]`).
//!
//! These tables map onto aigis-authn's `IssuerConfig` and
//! `IntrospectionConfig`, whose own checks (explicit asymmetric algorithm
//! list, audiences, HTTPS or loopback URLs, leeway bound) are reused here
//! and reported under the table's key. What only the gateway knows is
//! checked here: one key source per issuer, role mappings that name
//! configured roles, and a client secret that is a key reference (`env:`,
//! `file:`, `systemd:`, `vault:`), never a literal.
//!
//! Roles: the gateway role of a token is the first value of its
//! `role_claim` (a string, space-separated, or a list of strings) that is a
//! configured role — after mapping through `role_map` when one is given
//! (IdP group or scope names onto gateway roles; then unmapped values count
//! for nothing). A token that names no configured role is authentic but
//! grants nothing: it is refused with 403 ("role not configured"), as an API
//! key of an unknown role is.

use super::{Dur, Role};
use crate::Error;
use aigis_authn::{
    CachePolicy, ClaimNames, IntrospectionConfig, IssuerConfig, KeySource, MAX_LEEWAY_S,
};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

/// Most JWT issuers configured.
pub const MAX_ISSUERS: usize = 64;
/// Most introspection cache entries that may be configured.
pub const MAX_INTROSPECTION_CACHE: usize = 1_000_000;
/// Longest introspection cache time that may be configured (a revoked token
/// keeps working this long at most).
pub const MAX_INTROSPECTION_TTL_S: u64 = 3600;

/// The `[auth]` table. Empty: API keys only.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    #[serde(default)]
    pub jwt: Vec<JwtIssuer>,
    #[serde(default)]
    pub introspection: Option<Introspection>,
}

/// One trusted JWT issuer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtIssuer {
    /// Exact `iss` value.
    pub issuer: String,
    /// Prefix of the audited identity (`<name>:<sub>`); default: `issuer`.
    #[serde(default)]
    pub name: Option<String>,
    /// Accepted `aud` values (at least one).
    pub audiences: Vec<String>,
    /// HTTPS (or loopback HTTP) URL of the issuer's JWKS.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// A JWKS document on disk (never refreshed; relative to the config).
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// Explicit list, e.g. `["RS256", "ES256", "EdDSA"]`; `HS*` and `none`
    /// are refused.
    pub algorithms: Vec<String>,
    /// Clock-skew allowance for `exp` and `nbf` (default 30s, at most 5m).
    #[serde(default = "default_leeway")]
    pub leeway: Dur,
    /// Claims that must be present besides `exp`, `iss`, `aud`, `sub`.
    #[serde(default)]
    pub required_claims: Vec<String>,
    /// Fewest time between two JWKS fetches, whatever asks (default 30s).
    #[serde(default = "default_refresh")]
    pub jwks_min_refresh: Dur,
    /// How long fetched keys are used when the JWKS response carries no
    /// `Cache-Control: max-age` (default 5m).
    #[serde(default = "default_jwks_ttl")]
    pub jwks_ttl: Dur,
    /// Longest a response's `max-age` is honoured (default 24h).
    #[serde(default = "default_jwks_max_ttl")]
    pub jwks_max_ttl: Dur,
    #[serde(default = "default_role_claim")]
    pub role_claim: String,
    #[serde(default)]
    pub role_map: BTreeMap<String, String>,
    #[serde(default = "default_tenant_claim")]
    pub tenant_claim: String,
}

/// OAuth 2.0 token introspection (RFC 7662) for opaque bearer tokens.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Introspection {
    /// HTTPS (or loopback HTTP) endpoint.
    pub endpoint: String,
    pub client_id: String,
    /// Key reference of the client secret (`env:NAME`, `file:/path`, ...).
    pub client_secret: String,
    /// Recorded as the issuer; default: the endpoint.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Prefix of the audited identity; default: `introspection`.
    #[serde(default)]
    pub name: Option<String>,
    /// If given, the response's `aud` must contain one of these.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// How long an active answer is reused (default 60s, never past `exp`).
    #[serde(default = "default_positive_ttl")]
    pub cache_ttl: Dur,
    /// How long an inactive answer is reused (default 10s).
    #[serde(default = "default_negative_ttl")]
    pub negative_cache_ttl: Dur,
    #[serde(default = "default_cache_entries")]
    pub cache_entries: usize,
    #[serde(default = "default_role_claim")]
    pub role_claim: String,
    #[serde(default)]
    pub role_map: BTreeMap<String, String>,
    #[serde(default = "default_tenant_claim")]
    pub tenant_claim: String,
}

fn default_leeway() -> Dur {
    Dur::secs(aigis_authn::DEFAULT_LEEWAY_S)
}
fn default_refresh() -> Dur {
    Dur(CachePolicy::default().min_refresh_interval)
}
fn default_jwks_ttl() -> Dur {
    Dur(CachePolicy::default().default_ttl)
}
fn default_jwks_max_ttl() -> Dur {
    Dur(CachePolicy::default().max_ttl)
}
/// Longest `jwks_ttl` / `jwks_max_ttl` accepted.
pub const MAX_JWKS_TTL: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
fn default_role_claim() -> String {
    "roles".into()
}
fn default_tenant_claim() -> String {
    "tenant".into()
}
fn default_positive_ttl() -> Dur {
    Dur::secs(60)
}
fn default_negative_ttl() -> Dur {
    Dur::secs(10)
}
fn default_cache_entries() -> usize {
    10_000
}

impl JwtIssuer {
    /// The aigis-authn configuration; `jwks_doc` is the `jwks_file` text.
    pub fn to_authn(&self, jwks_doc: Option<String>) -> IssuerConfig {
        let keys = match (&self.jwks_url, jwks_doc) {
            (Some(u), _) => KeySource::JwksUrl(u.clone()),
            (None, doc) => KeySource::StaticJwks(doc.unwrap_or_default()),
        };
        let algs: Vec<&str> = self.algorithms.iter().map(String::as_str).collect();
        let mut c = IssuerConfig::new(&self.issuer, self.audiences.clone(), keys, &algs);
        c.leeway_s = self.leeway.0.as_secs();
        c.required_claims = self.required_claims.clone();
        c.claim_names = ClaimNames {
            roles: self.role_claim.clone(),
            tenant: self.tenant_claim.clone(),
        };
        c.cache.min_refresh_interval = self.jwks_min_refresh.0;
        c.cache.default_ttl = self.jwks_ttl.0;
        c.cache.max_ttl = self.jwks_max_ttl.0;
        // A short configured TTL is not raised to aigis-authn's floor.
        c.cache.min_ttl = c
            .cache
            .min_ttl
            .min(self.jwks_ttl.0)
            .min(self.jwks_max_ttl.0);
        c
    }

    /// Prefix of the audited identity.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.issuer)
    }
}

impl Introspection {
    pub fn to_authn(&self) -> IntrospectionConfig {
        let issuer = self.issuer.as_deref().unwrap_or(&self.endpoint);
        let mut c =
            IntrospectionConfig::new(&self.endpoint, &self.client_id, &self.client_secret, issuer);
        c.audiences = self.audiences.clone();
        c.positive_ttl = self.cache_ttl.0;
        c.negative_ttl = self.negative_cache_ttl.0;
        c.max_entries = self.cache_entries;
        c.claim_names = ClaimNames {
            roles: self.role_claim.clone(),
            tenant: self.tenant_claim.clone(),
        };
        c
    }

    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or("introspection")
    }
}

impl Auth {
    /// Whether any bearer-token method is configured.
    pub fn any(&self) -> bool {
        !self.jwt.is_empty() || self.introspection.is_some()
    }

    pub(super) fn resolve_paths(&mut self, base: &std::path::Path) {
        for i in &mut self.jwt {
            if let Some(p) = &mut i.jwks_file
                && p.is_relative()
            {
                *p = base.join(&*p);
            }
        }
    }

    /// Checks that need the whole configuration (the roles).
    pub(super) fn validate(&self, roles: &BTreeMap<String, Role>) -> Result<(), Error> {
        if self.jwt.len() > MAX_ISSUERS {
            return Err(Error::invalid(
                "auth.jwt",
                format!("more than {MAX_ISSUERS}"),
            ));
        }
        let mut seen = HashSet::new();
        for (i, iss) in self.jwt.iter().enumerate() {
            let key = |k: &str| format!("auth.jwt[{i}]{k}");
            if !seen.insert(iss.issuer.as_str()) {
                return Err(Error::invalid(key(".issuer"), "configured twice"));
            }
            let doc = match (&iss.jwks_url, &iss.jwks_file) {
                (Some(_), None) => None,
                (None, Some(path)) => Some(
                    read_jwks_file(path).map_err(|why| Error::invalid(key(".jwks_file"), why))?,
                ),
                _ => {
                    return Err(Error::invalid(
                        key(""),
                        "exactly one of jwks_url and jwks_file is required",
                    ));
                }
            };
            for (name, ttl) in [
                (".jwks_ttl", iss.jwks_ttl.0),
                (".jwks_max_ttl", iss.jwks_max_ttl.0),
            ] {
                if ttl.is_zero() || ttl > MAX_JWKS_TTL {
                    return Err(Error::invalid(
                        key(name),
                        format!(
                            "must be more than 0s and at most {}s",
                            MAX_JWKS_TTL.as_secs()
                        ),
                    ));
                }
            }
            if iss.jwks_ttl.0 > iss.jwks_max_ttl.0 {
                return Err(Error::invalid(key(".jwks_ttl"), "longer than jwks_max_ttl"));
            }
            if iss.leeway.0.as_secs() > MAX_LEEWAY_S {
                return Err(Error::invalid(
                    key(".leeway"),
                    format!("at most {MAX_LEEWAY_S}s"),
                ));
            }
            if let Some(d) = &doc {
                aigis_authn::jwks::parse_jwks(d.as_bytes())
                    .map_err(|e| Error::invalid(key(".jwks_file"), e.to_string()))?;
            }
            iss.to_authn(doc)
                .validate()
                .map_err(|e| Error::invalid(key(""), authn_why(&e)))?;
            check_claims(&key, &iss.role_claim, &iss.tenant_claim)?;
            check_role_map(&key(".role_map"), &iss.role_map, roles)?;
        }
        if let Some(x) = &self.introspection {
            let key = |k: &str| format!("auth.introspection.{k}");
            aigis_authn::check_url(&x.endpoint)
                .map_err(|e| Error::invalid(key("endpoint"), authn_why(&e)))?;
            if x.client_id.is_empty() {
                return Err(Error::invalid(key("client_id"), "must not be empty"));
            }
            // Never echo the value: it may be a pasted secret.
            aigis_integrity::keys::KeyRef::parse(&x.client_secret).map_err(|_| {
                Error::invalid(
                    key("client_secret"),
                    "must be a key reference (env:NAME, file:/path, systemd:NAME, vault:...), not a secret",
                )
            })?;
            let (pos, neg) = (x.cache_ttl.0, x.negative_cache_ttl.0);
            if pos > Duration::from_secs(MAX_INTROSPECTION_TTL_S) || neg > pos {
                return Err(Error::invalid(
                    key("cache_ttl"),
                    format!(
                        "at most {MAX_INTROSPECTION_TTL_S}s, and negative_cache_ttl no longer than cache_ttl"
                    ),
                ));
            }
            if x.cache_entries == 0 || x.cache_entries > MAX_INTROSPECTION_CACHE {
                return Err(Error::invalid(
                    key("cache_entries"),
                    format!("between 1 and {MAX_INTROSPECTION_CACHE}"),
                ));
            }
            check_claims(
                &|k: &str| format!("auth.introspection{k}"),
                &x.role_claim,
                &x.tenant_claim,
            )?;
            check_role_map(&key("role_map"), &x.role_map, roles)?;
        }
        Ok(())
    }
}

/// Read a JWKS file with the same size limit as a fetched one.
pub fn read_jwks_file(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let limit = aigis_authn::jwks::MAX_JWKS_BYTES;
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    f.take(limit + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if text.len() as u64 > limit {
        return Err(format!("{}: larger than {limit} bytes", path.display()));
    }
    Ok(text)
}

/// aigis-authn's message, with its prefix dropped (the key says where).
fn authn_why(e: &aigis_authn::AuthnError) -> String {
    match e {
        aigis_authn::AuthnError::Config(m) => m.clone(),
        other => other.to_string(),
    }
}

fn check_claims(key: &dyn Fn(&str) -> String, role: &str, tenant: &str) -> Result<(), Error> {
    if role.is_empty() {
        return Err(Error::invalid(key(".role_claim"), "must not be empty"));
    }
    if tenant.is_empty() {
        return Err(Error::invalid(key(".tenant_claim"), "must not be empty"));
    }
    Ok(())
}

fn check_role_map(
    key: &str,
    map: &BTreeMap<String, String>,
    roles: &BTreeMap<String, Role>,
) -> Result<(), Error> {
    for (from, to) in map {
        if !roles.contains_key(to) {
            return Err(Error::invalid(
                key,
                format!("{from:?} maps to {to:?}, which is not a configured role"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::GatewayConfig;
    use std::path::Path;

    const ISSUER: &str = r#"
[[auth.jwt]]
issuer = "https://idp.example"
audiences = ["aigis"]
jwks_url = "https://idp.example/jwks"
algorithms = ["RS256", "ES256"]
role_map = { "ml-analysts" = "analyst" }
"#;

    const INTROSPECTION: &str = r#"
[auth.introspection]
endpoint = "https://as.example/introspect"
client_id = "gateway"
client_secret = "env:AIGIS_INTROSPECTION_SECRET"
"#;

    fn parse(extra: &str) -> Result<GatewayConfig, String> {
        let text = format!("{}{extra}", super::super::tests::MINIMAL);
        GatewayConfig::from_toml(&text, Path::new("/etc/aigis")).map_err(|e| e.to_string())
    }

    #[test]
    fn issuer_and_introspection_parse_with_defaults() {
        let c = parse(&format!("{ISSUER}{INTROSPECTION}")).unwrap();
        let i = &c.auth.jwt[0];
        assert_eq!(i.leeway.0.as_secs(), 30);
        assert_eq!(i.role_claim, "roles");
        assert_eq!(i.label(), "https://idp.example");
        let x = c.auth.introspection.as_ref().unwrap();
        assert_eq!(x.cache_ttl.0.as_secs(), 60);
        assert_eq!(x.label(), "introspection");
        assert!(c.auth.any());
        assert!(!parse("").unwrap().auth.any());
    }

    #[test]
    fn jwks_ttls_reach_the_cache_policy_and_are_bounded() {
        let c = parse(ISSUER).unwrap();
        let cache = c.auth.jwt[0].to_authn(None).cache;
        assert_eq!(cache, aigis_authn::CachePolicy::default());
        let c = parse(&format!(
            "{ISSUER}jwks_ttl = \"10s\"\njwks_max_ttl = \"1h\"\n"
        ))
        .unwrap();
        let cache = c.auth.jwt[0].to_authn(None).cache;
        assert_eq!(cache.default_ttl.as_secs(), 10);
        assert_eq!(cache.max_ttl.as_secs(), 3600);
        assert!(cache.min_ttl.as_secs() <= 10);
        for bad in [
            "jwks_ttl = \"0s\"",
            "jwks_max_ttl = \"8d\"",
            "jwks_ttl = \"2h\"\njwks_max_ttl = \"1h\"",
        ] {
            let e = parse(&format!("{ISSUER}{bad}\n")).unwrap_err();
            let name = bad.split(' ').next().unwrap();
            assert!(e.starts_with(&format!("auth.jwt[0].{name}")), "{e}");
        }
    }

    #[test]
    fn unsafe_or_broken_issuers_are_refused_naming_the_key() {
        for (from, to, key) in [
            ("\"RS256\", \"ES256\"", "\"HS256\"", "auth.jwt[0]"),
            ("\"RS256\", \"ES256\"", "", "auth.jwt[0]"),
            ("\"RS256\", \"ES256\"", "\"none\"", "auth.jwt[0]"),
            (
                "https://idp.example/jwks",
                "http://idp.example/jwks",
                "auth.jwt[0]",
            ),
            ("audiences = [\"aigis\"]", "audiences = []", "auth.jwt[0]"),
            ("\"analyst\" }", "\"root\" }", "auth.jwt[0].role_map"),
            (
                "jwks_url = \"https://idp.example/jwks\"",
                "",
                "auth.jwt[0]: exactly one",
            ),
            (
                "jwks_url = \"https://idp.example/jwks\"",
                "jwks_url = \"https://idp.example/jwks\"\nleeway = \"10m\"",
                "auth.jwt[0].leeway",
            ),
            (
                "jwks_url = \"https://idp.example/jwks\"",
                "jwks_file = \"missing.json\"",
                "auth.jwt[0].jwks_file",
            ),
        ] {
            let e = parse(&ISSUER.replace(from, to)).unwrap_err();
            assert!(e.starts_with(key), "{from} -> {to}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        let twice = parse(&format!("{ISSUER}{ISSUER}")).unwrap_err();
        assert!(twice.starts_with("auth.jwt[1].issuer"), "{twice}");
        let unknown = parse(&ISSUER.replace("algorithms", "algs")).unwrap_err();
        assert!(unknown.contains("algs"), "{unknown}");
    }

    #[test]
    fn literal_client_secret_is_refused_without_echoing_it() {
        let e = parse(&INTROSPECTION.replace("env:AIGIS_INTROSPECTION_SECRET", "hunter2hunter2"))
            .unwrap_err();
        assert!(e.starts_with("auth.introspection.client_secret"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e =
            parse(&INTROSPECTION.replace("https://as.example", "http://as.example")).unwrap_err();
        assert!(e.starts_with("auth.introspection.endpoint"), "{e}");
        let e = parse(&format!("{INTROSPECTION}negative_cache_ttl = \"2m\"\n")).unwrap_err();
        assert!(e.starts_with("auth.introspection.cache_ttl"), "{e}");
    }

    #[test]
    fn relative_jwks_file_resolves_against_the_config_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("jwks.json"), r#"{"keys":[]}"#).unwrap();
        let text = format!(
            "{}{}",
            super::super::tests::MINIMAL,
            ISSUER.replace(
                "jwks_url = \"https://idp.example/jwks\"",
                "jwks_file = \"jwks.json\""
            )
        );
        let c = GatewayConfig::from_toml(&text, dir.path()).unwrap();
        assert_eq!(
            c.auth.jwt[0].jwks_file.as_deref(),
            Some(dir.path().join("jwks.json").as_path())
        );
    }
}
