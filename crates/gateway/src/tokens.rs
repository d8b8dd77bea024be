//! Bearer tokens that are not API keys: JWTs checked against the issuers
//! of `[[auth.jwt]]` and opaque tokens checked by introspection
//! (`[auth.introspection]`), both through aigis-authn, mapped onto a
//! gateway [`Identity`] (role, tenant, `amr`/`acr` for the MFA check).
//!
//! No tokio worker waits on the network: the cached paths
//! (`validate_cached`, `introspect_cached`) are CPU only and answer nearly
//! every request; only when a JWKS fetch is due (cache expired, or an
//! unknown `kid` with a refresh allowed by the rate limit) or an
//! introspection answer is not cached does the check move to the blocking
//! pool (`spawn_blocking`). aigis-authn coalesces concurrent JWKS fetches
//! and rate-limits them per issuer, so a flood of unknown key ids costs one
//! fetch per interval and is otherwise answered on the cached path.
//!
//! The audited identity is `<name>:<sub>`, where `name` is the issuer's
//! configured `name` (default: the `iss` value) or the introspection
//! `name` (default `introspection`); like every audited string, it is
//! redacted by the audit sink, so a token-shaped subject is not written out.

use crate::Error;
use crate::config::GatewayConfig;
use crate::context::{Identity, IdentityKind};
use aigis_authn::{AuthnError, Introspector, JwtValidator};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// How a role claim maps onto gateway roles, and the audit prefix.
#[derive(Debug)]
struct Mapping {
    label: String,
    role_map: BTreeMap<String, String>,
}

/// The configured token methods, with their outcome counters.
pub struct TokenAuth {
    jwt: Option<Arc<JwtValidator>>,
    /// `iss` -> mapping.
    jwt_mappings: HashMap<String, Mapping>,
    introspection: Option<(Arc<Introspector>, Mapping)>,
    roles: BTreeSet<String>,
    /// (method, outcome, reason) -> count.
    outcomes: Mutex<BTreeMap<(&'static str, &'static str, &'static str), u64>>,
}

impl std::fmt::Debug for TokenAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAuth")
            .field("jwt", &self.jwt)
            .field("introspection", &self.introspection.as_ref().map(|x| &x.0))
            .finish_non_exhaustive()
    }
}

impl TokenAuth {
    /// Build from `[auth]`; `None` when no token method is configured.
    /// Reads JWKS files and resolves the introspection client secret; does
    /// not fetch anything (see [`TokenAuth::prefetch`]).
    pub fn from_config(config: &GatewayConfig) -> Result<Option<TokenAuth>, Error> {
        let auth = &config.auth;
        if !auth.any() {
            return Ok(None);
        }
        let mut issuers = Vec::new();
        let mut jwt_mappings = HashMap::new();
        for (i, iss) in auth.jwt.iter().enumerate() {
            let doc = match &iss.jwks_file {
                Some(p) => Some(
                    crate::config::auth::read_jwks_file(p)
                        .map_err(|why| Error::invalid(format!("auth.jwt[{i}].jwks_file"), why))?,
                ),
                None => None,
            };
            issuers.push(iss.to_authn(doc));
            jwt_mappings.insert(
                iss.issuer.clone(),
                Mapping {
                    label: iss.label().to_string(),
                    role_map: iss.role_map.clone(),
                },
            );
        }
        let jwt = if issuers.is_empty() {
            None
        } else {
            Some(Arc::new(
                JwtValidator::new(issuers)
                    .map_err(|e| Error::invalid("auth.jwt", e.to_string()))?,
            ))
        };
        let introspection = match &auth.introspection {
            None => None,
            Some(x) => {
                let i = Introspector::new(x.to_authn()).map_err(|e| {
                    Error::invalid("auth.introspection.client_secret", e.to_string())
                })?;
                let m = Mapping {
                    label: x.label().to_string(),
                    role_map: x.role_map.clone(),
                };
                Some((Arc::new(i), m))
            }
        };
        Ok(Some(TokenAuth {
            jwt,
            jwt_mappings,
            introspection,
            roles: config.roles.keys().cloned().collect(),
            outcomes: Mutex::new(BTreeMap::new()),
        }))
    }

    /// Fetch every remote JWKS now. BLOCKS (run it on the blocking pool);
    /// returns the issuers whose fetch failed.
    pub fn prefetch(&self) -> Vec<(String, AuthnError)> {
        self.jwt.as_ref().map(|v| v.prefetch()).unwrap_or_default()
    }

    /// Check a bearer token (not an API key). JWT-shaped tokens (three
    /// dot-separated parts) go to the JWT issuers when any is configured;
    /// everything else to introspection when configured.
    pub async fn authenticate(&self, bearer: &str) -> Result<Identity, AuthnError> {
        let jwt_shaped = bearer.split('.').count() == 3;
        let (method, result) = match (&self.jwt, &self.introspection) {
            (Some(v), _) if jwt_shaped => ("jwt", self.check_jwt(v, bearer).await),
            (_, Some((i, _))) => ("introspection", check_opaque(i, bearer).await),
            _ => (
                "jwt",
                Err(AuthnError::Malformed(
                    "not a JWT, and no introspection configured",
                )),
            ),
        };
        let result = result.and_then(|id| self.accept(id));
        let (outcome, reason) = match &result {
            Ok(_) => ("accepted", "ok"),
            Err(e) if e.is_unavailable() => ("unavailable", e.reason()),
            Err(e) => ("rejected", e.reason()),
        };
        if let Ok(mut m) = self.outcomes.lock() {
            *m.entry((method, outcome, reason)).or_default() += 1;
        }
        result
    }

    async fn check_jwt(
        &self,
        v: &Arc<JwtValidator>,
        bearer: &str,
    ) -> Result<aigis_authn::Identity, AuthnError> {
        if let Some(r) = v.validate_cached(bearer) {
            return r;
        }
        let v = v.clone();
        let token = Zeroizing::new(bearer.to_string());
        blocking(move || v.validate(&token)).await
    }

    /// Map an authn identity onto the gateway's.
    fn accept(&self, id: aigis_authn::Identity) -> Result<Identity, AuthnError> {
        let (kind, mapping) = match id.source {
            aigis_authn::Source::Jwt => (IdentityKind::Jwt, self.jwt_mappings.get(&id.issuer)),
            aigis_authn::Source::Introspection => (
                IdentityKind::Introspected,
                self.introspection.as_ref().map(|x| &x.1),
            ),
        };
        // The validator only returns identities of configured issuers.
        let mapping = mapping.ok_or(AuthnError::UnknownIssuer)?;
        let role = id
            .roles
            .iter()
            .find_map(|r| {
                let candidate = if mapping.role_map.is_empty() {
                    Some(r)
                } else {
                    mapping.role_map.get(r)
                };
                candidate.filter(|c| self.roles.contains(c.as_str()))
            })
            .cloned()
            .unwrap_or_default();
        Ok(Identity {
            kind,
            id: format!("{}:{}", mapping.label, id.subject),
            role,
            tenant: id.tenant,
            amr: Some(id.amr),
            acr: id.acr,
        })
    }

    /// Prometheus text for the token counters (appended by
    /// [`crate::metrics::Metrics::render`]).
    pub fn render_metrics(&self, out: &mut String) {
        out.push_str("# HELP aigis_gateway_token_auth_total Bearer tokens (not API keys) by method, outcome and reason.\n");
        out.push_str("# TYPE aigis_gateway_token_auth_total counter\n");
        if let Ok(m) = self.outcomes.lock() {
            for ((method, outcome, reason), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "aigis_gateway_token_auth_total{{method=\"{method}\",outcome=\"{outcome}\",reason=\"{reason}\"}} {n}"
                );
            }
        }
        if let Some(v) = &self.jwt {
            out.push_str(
                "# HELP aigis_gateway_jwks_fetches_total JWKS fetch attempts by issuer.\n",
            );
            out.push_str("# TYPE aigis_gateway_jwks_fetches_total counter\n");
            for iss in v.issuer_names() {
                let _ = writeln!(
                    out,
                    "aigis_gateway_jwks_fetches_total{{issuer=\"{}\"}} {}",
                    escape(iss),
                    v.jwks_fetches(iss).unwrap_or(0)
                );
            }
        }
        if let Some((i, _)) = &self.introspection {
            for (name, help, n) in [
                (
                    "aigis_gateway_introspection_calls_total",
                    "Calls to the introspection endpoint (cache misses).",
                    i.calls(),
                ),
                (
                    "aigis_gateway_introspection_cache_hits_total",
                    "Introspection answers served from the cache.",
                    i.cache_hits(),
                ),
            ] {
                let _ = writeln!(
                    out,
                    "# HELP {name} {help}\n# TYPE {name} counter\n{name} {n}"
                );
            }
        }
    }
}

async fn check_opaque(
    i: &Arc<Introspector>,
    bearer: &str,
) -> Result<aigis_authn::Identity, AuthnError> {
    if let Some(r) = i.introspect_cached(bearer) {
        return r;
    }
    let i = i.clone();
    let token = Zeroizing::new(bearer.to_string());
    blocking(move || i.introspect(&token)).await
}

/// Run a possibly-fetching check on the blocking pool.
async fn blocking(
    f: impl FnOnce() -> Result<aigis_authn::Identity, AuthnError> + Send + 'static,
) -> Result<aigis_authn::Identity, AuthnError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(AuthnError::Unavailable("token check task failed".into())))
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
