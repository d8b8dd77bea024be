//! Checks that need more than types: values that parse but cannot work.
//! Every error names the key (`routes[2].upstream`) so that `--check`
//! points at the line to fix.

use super::{GatewayConfig, Rate};
use crate::Error;
use std::collections::HashSet;

/// Most routes and roles accepted (each request scans the routes).
pub const MAX_ROUTES: usize = 1024;
pub const MAX_ROLES: usize = 1024;
/// Deepest JSON nesting that may be configured.
pub const MAX_JSON_DEPTH_LIMIT: u32 = 1024;

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*",
];

impl GatewayConfig {
    pub(super) fn validate(&self) -> Result<(), Error> {
        self.validate_listeners()?;
        self.validate_routes()?;
        self.validate_roles()?;
        self.audit.validate()?;
        let rl = &self.rate_limits;
        check_rate("rate_limits.per_key", rl.per_key.as_ref())?;
        check_rate("rate_limits.per_tenant", rl.per_tenant.as_ref())?;
        check_rate("rate_limits.per_client", rl.per_client.as_ref())?;
        if let Some(redis) = &rl.redis {
            redis.validate(rl)?;
        }
        let l = &self.limits;
        if l.max_json_depth == 0 || l.max_json_depth > MAX_JSON_DEPTH_LIMIT {
            return Err(Error::invalid(
                "limits.max_json_depth",
                format!("must be between 1 and {MAX_JSON_DEPTH_LIMIT}"),
            ));
        }
        if l.header_read_timeout.0.is_zero() || l.body_read_timeout.0.is_zero() {
            return Err(Error::invalid(
                "limits",
                "read timeouts must be greater than zero",
            ));
        }
        if self.key_hash_secret.trim().is_empty() {
            return Err(Error::invalid("key_hash_secret", "must be a key reference"));
        }
        aigis_integrity::keys::KeyRef::parse(&self.key_hash_secret)
            .map_err(|e| Error::invalid("key_hash_secret", e.to_string()))?;
        Ok(())
    }

    fn validate_listeners(&self) -> Result<(), Error> {
        let l = &self.listen;
        if let Some(n) = l.workers
            && !(1..=super::MAX_WORKERS).contains(&n)
        {
            return Err(Error::invalid(
                "listen.workers",
                format!("must be between 1 and {}", super::MAX_WORKERS),
            ));
        }
        if self.tls.is_none() && !l.public.ip().is_loopback() && !l.allow_plain_http {
            return Err(Error::invalid(
                "listen.public",
                "plain HTTP on a non-loopback address; add [tls] or set listen.allow_plain_http = true",
            ));
        }
        if !l.admin.ip().is_loopback() && !l.allow_plain_http {
            return Err(Error::invalid(
                "listen.admin",
                "the admin listener is plain HTTP; keep it on loopback or set listen.allow_plain_http = true",
            ));
        }
        if l.admin == l.public && l.public.port() != 0 {
            return Err(Error::invalid(
                "listen.admin",
                "same address as listen.public",
            ));
        }
        if let Some(tls) = &self.tls
            && tls.min_version != "1.3"
            && tls.min_version != "1.2"
        {
            return Err(Error::invalid(
                "tls.min_version",
                "must be \"1.3\" or \"1.2\"",
            ));
        }
        Ok(())
    }

    fn validate_routes(&self) -> Result<(), Error> {
        if self.routes.len() > MAX_ROUTES {
            return Err(Error::invalid("routes", format!("more than {MAX_ROUTES}")));
        }
        let mut names = HashSet::new();
        let mut prefixes = HashSet::new();
        for (i, r) in self.routes.iter().enumerate() {
            let key = |k: &str| format!("routes[{i}].{k}");
            if r.name.is_empty() || !names.insert(r.name.as_str()) {
                return Err(Error::invalid(key("name"), "empty or used twice"));
            }
            if !r.path_prefix.starts_with('/') || !prefixes.insert(r.path_prefix.as_str()) {
                return Err(Error::invalid(
                    key("path_prefix"),
                    "must start with '/' and be unique",
                ));
            }
            check_upstream(&r.upstream).map_err(|why| Error::invalid(key("upstream"), why))?;
            let https = r.upstream.starts_with("https://");
            if !https && r.upstream_ca.is_some() {
                return Err(Error::invalid(
                    key("upstream_ca"),
                    "only for https:// upstreams",
                ));
            }
            if r.upstream_client_cert.is_some() != r.upstream_client_key.is_some() {
                return Err(Error::invalid(
                    key("upstream_client_cert"),
                    "upstream_client_cert and upstream_client_key go together",
                ));
            }
            if !https && r.upstream_client_cert.is_some() {
                return Err(Error::invalid(
                    key("upstream_client_cert"),
                    "only for https:// upstreams",
                ));
            }
            if r.idle_timeout.0.is_zero() {
                return Err(Error::invalid(
                    key("idle_timeout"),
                    "must be greater than zero",
                ));
            }
            if r.timeout.0.is_zero() {
                return Err(Error::invalid(key("timeout"), "must be greater than zero"));
            }
            if r.max_body_bytes == 0 {
                return Err(Error::invalid(
                    key("max_body_bytes"),
                    "must be greater than zero",
                ));
            }
        }
        Ok(())
    }

    fn validate_roles(&self) -> Result<(), Error> {
        if self.roles.len() > MAX_ROLES {
            return Err(Error::invalid("roles", format!("more than {MAX_ROLES}")));
        }
        for (name, role) in &self.roles {
            for m in &role.methods {
                if !METHODS.contains(&m.as_str()) {
                    return Err(Error::invalid(
                        format!("roles.{name}.methods"),
                        format!("unknown method {m:?} (upper case: GET, POST, ... or \"*\")"),
                    ));
                }
            }
            for r in &role.routes {
                if r != "*" && !self.routes.iter().any(|x| &x.name == r) {
                    return Err(Error::invalid(
                        format!("roles.{name}.routes"),
                        format!("no route named {r:?}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `http://host:port[/base]`: plain HTTP only (upstream TLS is not built).
fn check_upstream(s: &str) -> Result<(), String> {
    let uri: http::Uri = s.parse().map_err(|_| format!("{s:?} is not a URL"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {}
        _ => {
            return Err(format!(
                "{s:?}: expected http://host:port or https://host:port"
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("{s:?}: no host"));
    }
    if uri.query().is_some() {
        return Err(format!("{s:?}: no query string allowed"));
    }
    Ok(())
}

fn check_rate(key: &str, rate: Option<&Rate>) -> Result<(), Error> {
    let Some(r) = rate else { return Ok(()) };
    if r.requests == 0 || r.per.0.is_zero() {
        return Err(Error::invalid(
            key,
            "requests and per must be greater than zero",
        ));
    }
    if r.burst == Some(0) {
        return Err(Error::invalid(key, "burst must be greater than zero"));
    }
    if r.per.0.as_nanos() / u128::from(r.requests) == 0 {
        return Err(Error::invalid(key, "more than one request per nanosecond"));
    }
    Ok(())
}
