//! `gateway.toml`: the gateway's whole configuration, parsed with serde
//! (unknown keys are errors) and validated before anything listens.
//!
//! Secrets are never values here: `key_hash_secret` is a key reference
//! (`env:`, `file:`, `systemd:`, `vault:`) resolved by the caller through
//! `aigis_integrity::keys`. Relative paths are resolved against the
//! directory of the configuration file.

mod audit;
pub mod auth;
mod duration;
mod redis;
mod validate;

pub use audit::{AuditSettings, MAX_AUDIT_QUEUE};
pub use auth::Auth;
pub use duration::{Dur, parse_duration};
pub use redis::{OnRedisError, RedisConfig};

use crate::Error as ConfigError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Largest configuration file read (bytes).
pub const MAX_CONFIG_BYTES: usize = 1024 * 1024;

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// SQLite database of API key hashes.
    pub key_store: PathBuf,
    /// Key reference for the HMAC secret that keys are hashed under.
    pub key_hash_secret: String,
    /// Where audit lines go: a file path, or `-` for standard output.
    pub audit_log: PathBuf,
    pub listen: Listen,
    #[serde(default)]
    pub tls: Option<Tls>,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub rate_limits: RateLimits,
    #[serde(default)]
    pub quotas: Quotas,
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// How the audit log is written (fsync, rotation, checkpoints).
    #[serde(default)]
    pub audit: AuditSettings,
    /// Bearer tokens besides API keys: JWT issuers and introspection.
    #[serde(default)]
    pub auth: Auth,
}

/// The two listeners.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listen {
    /// The proxy listener.
    pub public: SocketAddr,
    /// Health and metrics (plain HTTP; loopback unless `allow_plain_http`).
    #[serde(default = "default_admin")]
    pub admin: SocketAddr,
    /// Allow plain HTTP on a non-loopback address.
    #[serde(default)]
    pub allow_plain_http: bool,
    /// Threads serving the public listener's connections, each with its
    /// own single-threaded runtime and upstream connection pools; accepted
    /// connections are handed to them in turn. Unset: connections are served
    /// on the runtime that runs the gateway (`aigis gateway` sets one worker
    /// per CPU core). At most [`MAX_WORKERS`].
    #[serde(default)]
    pub workers: Option<usize>,
}

/// Most worker threads `listen.workers` may ask for.
pub const MAX_WORKERS: usize = 256;

fn default_admin() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9090))
}

/// Server certificate and protocol versions.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// Lowest TLS version: "1.3" (default) or "1.2".
    #[serde(default = "default_min_tls")]
    pub min_version: String,
}

fn default_min_tls() -> String {
    "1.3".to_string()
}

/// Slow-client and abuse limits on requests.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Time allowed for a client to send the request headers.
    pub header_read_timeout: Dur,
    /// Time allowed for a client to send the whole request body.
    pub body_read_timeout: Dur,
    /// Requests in flight per API key (0 = no limit).
    pub max_concurrent_per_key: u32,
    /// Deepest nesting of arrays/objects accepted in a JSON body.
    pub max_json_depth: u32,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_grace: Dur,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Dur::secs(10),
            body_read_timeout: Dur::secs(30),
            max_concurrent_per_key: 64,
            max_json_depth: 64,
            shutdown_grace: Dur::secs(30),
        }
    }
}

/// One GCRA limit: `requests` per `per`, with `burst` requests allowed at once.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub requests: u64,
    pub per: Dur,
    /// Requests allowed back to back (default: `requests`).
    #[serde(default)]
    pub burst: Option<u64>,
}

/// Request-rate limits; an absent limit is not enforced.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    pub per_key: Option<Rate>,
    pub per_tenant: Option<Rate>,
    pub per_client: Option<Rate>,
    /// Share these limits (and the daily quotas) across replicas through
    /// Redis; absent = in memory, per instance.
    #[serde(default)]
    pub redis: Option<RedisConfig>,
}

/// Daily request quotas (UTC days); absent = none.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    pub daily_requests_per_key: Option<u64>,
    pub daily_requests_per_tenant: Option<u64>,
}

/// A path prefix served by one upstream.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub name: String,
    /// Requests whose path starts with this go here (longest prefix wins).
    pub path_prefix: String,
    /// Models this route serves; empty = any model.
    #[serde(default)]
    pub models: Vec<String>,
    /// `http://host:port` or `https://host:port` (base path allowed).
    pub upstream: String,
    /// For `https://` upstreams: PEM file of the CA certificates that may
    /// sign the upstream's certificate (default: the Mozilla roots bundled
    /// in the binary).
    #[serde(default)]
    pub upstream_ca: Option<PathBuf>,
    /// For `https://` upstreams that require client certificates (mTLS):
    /// the gateway's certificate chain and private key, PEM.
    #[serde(default)]
    pub upstream_client_cert: Option<PathBuf>,
    #[serde(default)]
    pub upstream_client_key: Option<PathBuf>,
    /// Speak HTTP/2 (prior knowledge, h2c) to the upstream.
    #[serde(default)]
    pub upstream_http2: bool,
    /// Time allowed for the upstream's response headers.
    #[serde(default = "default_upstream_timeout")]
    pub timeout: Dur,
    /// Largest request body accepted (bytes).
    #[serde(default = "default_max_body")]
    pub max_body_bytes: u64,
    /// Longest silence allowed between two chunks of the upstream's
    /// response body (a stalled stream is cut off).
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout: Dur,
}

fn default_idle_timeout() -> Dur {
    Dur::secs(60)
}

fn default_upstream_timeout() -> Dur {
    Dur::secs(60)
}

fn default_max_body() -> u64 {
    1024 * 1024
}

/// What a role may do. Nothing is granted unless listed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Model names, or `"*"` for every model.
    #[serde(default)]
    pub models: Vec<String>,
    /// Route names, or `"*"` for every route.
    #[serde(default)]
    pub routes: Vec<String>,
    /// HTTP methods (upper case), or `"*"`.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Require multi-factor authentication (token `amr`/`acr` claims).
    #[serde(default)]
    pub require_mfa: bool,
    /// The `acr` values that count as multi-factor (default: `["mfa"]`).
    #[serde(default)]
    pub acr_values: Vec<String>,
}

impl GatewayConfig {
    /// Parse and validate configuration text. `base` resolves relative paths.
    pub fn from_toml(text: &str, base: &Path) -> Result<GatewayConfig, ConfigError> {
        if text.len() > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge);
        }
        let mut cfg: GatewayConfig =
            toml::from_str(text).map_err(|e| ConfigError::Parse(one_line(&e.to_string())))?;
        cfg.resolve_paths(base);
        cfg.validate()?;
        cfg.auth.validate(&cfg.roles)?;
        Ok(cfg)
    }

    /// Read, parse and validate a configuration file.
    pub fn load(path: &Path) -> Result<GatewayConfig, ConfigError> {
        let text = read_bounded(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        GatewayConfig::from_toml(&text, base)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() && p.as_os_str() != "-" {
                *p = base.join(&*p);
            }
        };
        fix(&mut self.key_store);
        fix(&mut self.audit_log);
        if let Some(tls) = &mut self.tls {
            fix(&mut tls.cert);
            fix(&mut tls.key);
        }
        for r in &mut self.routes {
            for p in [
                &mut r.upstream_ca,
                &mut r.upstream_client_cert,
                &mut r.upstream_client_key,
            ]
            .into_iter()
            .flatten()
            {
                fix(p);
            }
        }
        self.auth.resolve_paths(base);
    }

    /// The route serving `path`: the longest matching prefix.
    pub fn route_for(&self, path: &str) -> Option<(usize, &Route)> {
        self.routes
            .iter()
            .enumerate()
            .filter(|(_, r)| path.starts_with(&r.path_prefix))
            .max_by_key(|(_, r)| r.path_prefix.len())
    }
}

fn read_bounded(path: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    let io = |e: std::io::Error| ConfigError::Io(path.to_path_buf(), e.to_string());
    let f = std::fs::File::open(path).map_err(io)?;
    let mut text = String::new();
    f.take(MAX_CONFIG_BYTES as u64 + 1)
        .read_to_string(&mut text)
        .map_err(io)?;
    if text.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge);
    }
    Ok(text)
}

/// toml's messages span lines (with a source excerpt); keep them on one.
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^'))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
