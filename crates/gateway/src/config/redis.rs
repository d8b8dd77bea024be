//! `[rate_limits.redis]`: where the shared rate-limit state lives and what
//! happens when Redis cannot answer in time.
//!
//! The URL carries host, port and database only. A password is a key
//! reference (`env:`, `file:`, `systemd:`, `vault:`) resolved at start, never
//! text inside the URL or this file; a URL with user information is refused.
//! TLS to Redis (`rediss://`) is not built yet and is refused too.

use super::{Dur, RateLimits};
use crate::Error;
use serde::Deserialize;
use std::time::Duration;

/// Longest Redis timeout accepted: a limiter that waits longer than this
/// per request is a latency problem, not a safety feature.
pub const MAX_REDIS_TIMEOUT: Duration = Duration::from_secs(5);
/// Most cells one reservation may take (see `batch_max`).
pub const MAX_BATCH: u64 = 10_000;
/// Longest URL accepted.
pub const MAX_URL_BYTES: usize = 1024;
/// Longest key prefix accepted.
pub const MAX_PREFIX_BYTES: usize = 128;
/// Fastest rate Redis can hold: the script counts in microseconds.
pub const MAX_REDIS_RATE_PER_SEC: u128 = 1_000_000;

/// What a limit does when Redis errors or times out.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum OnRedisError {
    /// Allow the request (the limit is off while Redis is away).
    Open,
    /// Refuse the request with 429 and `Retry-After: 1`.
    Closed,
    /// Enforce the limit with this instance's in-memory limiter: each
    /// replica then allows the full limit on its own. The default: clients
    /// stay limited (within replicas × limit) and a Redis outage is not an
    /// outage of the model API.
    #[default]
    Local,
}

/// The Redis backend's settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://host:port/db`.
    pub url: String,
    /// Key reference for the Redis password (`AUTH`), if the server needs one.
    #[serde(default)]
    pub password: Option<String>,
    /// Prefix of every key the gateway writes.
    #[serde(default = "default_prefix")]
    pub key_prefix: String,
    #[serde(default)]
    pub on_error: OnRedisError,
    /// Longest wait for one Redis answer (connecting included).
    #[serde(default = "default_timeout")]
    pub timeout: Dur,
    /// After an error, how long the fallback (`on_error`) is used before
    /// Redis is tried again.
    #[serde(default = "default_retry")]
    pub retry_interval: Dur,
    /// Most cells one round trip reserves for a hot key (1 = no batching).
    /// Also capped at 1% of each limit's `requests`.
    #[serde(default = "default_batch_max")]
    pub batch_max: u64,
    /// How long reserved rate-limit cells stay usable by this instance.
    #[serde(default = "default_lease")]
    pub batch_lease: Dur,
}

fn default_prefix() -> String {
    "aigis:rl:".to_string()
}
fn default_timeout() -> Dur {
    Dur(Duration::from_millis(50))
}
fn default_retry() -> Dur {
    Dur::secs(1)
}
fn default_batch_max() -> u64 {
    64
}
fn default_lease() -> Dur {
    Dur(Duration::from_millis(100))
}

impl RedisConfig {
    pub(super) fn validate(&self, limits: &RateLimits) -> Result<(), Error> {
        check_url(&self.url).map_err(|why| Error::invalid("rate_limits.redis.url", why))?;
        if let Some(p) = &self.password {
            aigis_integrity::keys::KeyRef::parse(p)
                .map_err(|e| Error::invalid("rate_limits.redis.password", e.to_string()))?;
        }
        if self.key_prefix.is_empty()
            || self.key_prefix.len() > MAX_PREFIX_BYTES
            || self.key_prefix.chars().any(|c| c.is_control() || c == ' ')
        {
            return Err(Error::invalid(
                "rate_limits.redis.key_prefix",
                format!("1 to {MAX_PREFIX_BYTES} bytes, no spaces or control characters"),
            ));
        }
        let t = self.timeout.0;
        if t.is_zero() || t > MAX_REDIS_TIMEOUT {
            return Err(Error::invalid(
                "rate_limits.redis.timeout",
                format!("must be between 1ms and {}s", MAX_REDIS_TIMEOUT.as_secs()),
            ));
        }
        if self.retry_interval.0.is_zero() {
            return Err(Error::invalid(
                "rate_limits.redis.retry_interval",
                "must be greater than zero",
            ));
        }
        if self.batch_max == 0 || self.batch_max > MAX_BATCH {
            return Err(Error::invalid(
                "rate_limits.redis.batch_max",
                format!("must be between 1 and {MAX_BATCH}"),
            ));
        }
        if self.batch_lease.0.is_zero() {
            return Err(Error::invalid(
                "rate_limits.redis.batch_lease",
                "must be greater than zero",
            ));
        }
        for (key, rate) in [
            ("rate_limits.per_key", &limits.per_key),
            ("rate_limits.per_tenant", &limits.per_tenant),
            ("rate_limits.per_client", &limits.per_client),
        ] {
            if let Some(r) = rate
                && u128::from(r.requests) * 1_000_000 > MAX_REDIS_RATE_PER_SEC * r.per.0.as_micros()
            {
                return Err(Error::invalid(
                    key,
                    "faster than one request per microsecond, which the Redis backend cannot count",
                ));
            }
        }
        Ok(())
    }
}

/// `redis://host[:port][/db]`, nothing else.
fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL_BYTES {
        return Err(format!("longer than {MAX_URL_BYTES} bytes"));
    }
    let Some(rest) = url.strip_prefix("redis://") else {
        if url.starts_with("rediss://") {
            return Err("TLS to Redis (rediss://) is not supported yet; use redis:// on loopback or a private network".into());
        }
        return Err("expected redis://host:port/db".into());
    };
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(
            "user information in the URL is refused; put the password in rate_limits.redis.password as a key reference (env:NAME, file:PATH, vault:...)"
                .into(),
        );
    }
    if authority.is_empty() {
        return Err("no host".into());
    }
    if rest.contains('?') || rest.contains('#') {
        return Err("no query or fragment allowed".into());
    }
    redis::Client::open(url).map_err(|e| format!("not a Redis URL: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GatewayConfig;
    use crate::config::tests::MINIMAL;
    use std::path::Path;

    fn with_redis(section: &str) -> Result<GatewayConfig, Error> {
        let text = format!(
            "{MINIMAL}\n[rate_limits.per_key]\nrequests = 10\nper = \"1s\"\n\n[rate_limits.redis]\n{section}\n"
        );
        GatewayConfig::from_toml(&text, Path::new("/etc/aigis"))
    }

    fn err(section: &str) -> String {
        with_redis(section).unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_local_fallback_and_short_timeout() {
        let c = with_redis("url = \"redis://127.0.0.1:6379/0\"").unwrap();
        let r = c.rate_limits.redis.unwrap();
        assert_eq!(r.on_error, OnRedisError::Local);
        assert_eq!(r.timeout.0, Duration::from_millis(50));
        assert_eq!(r.key_prefix, "aigis:rl:");
        assert_eq!(r.batch_max, 64);
    }

    #[test]
    fn userinfo_in_url_is_refused_naming_the_key() {
        let e = err("url = \"redis://:hunter2@127.0.0.1:6379/0\"");
        assert!(e.starts_with("rate_limits.redis.url:"), "{e}");
        assert!(e.contains("user information"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn rediss_is_refused_naming_the_key() {
        let e = err("url = \"rediss://cache.internal:6380/0\"");
        assert!(e.starts_with("rate_limits.redis.url:"), "{e}");
        assert!(e.contains("TLS"), "{e}");
    }

    #[test]
    fn bad_on_error_names_the_key() {
        let e = err("url = \"redis://127.0.0.1/0\"\non_error = \"maybe\"");
        assert!(e.contains("on_error"), "{e}");
        assert!(
            e.contains("open") && e.contains("closed") && e.contains("local"),
            "{e}"
        );
    }

    #[test]
    fn other_bad_values_name_their_keys() {
        for (section, key) in [
            ("url = \"http://127.0.0.1:6379\"", "rate_limits.redis.url"),
            ("url = \"redis://\"", "rate_limits.redis.url"),
            (
                "url = \"redis://h/0\"\ntimeout = \"10s\"",
                "rate_limits.redis.timeout",
            ),
            (
                "url = \"redis://h/0\"\nbatch_max = 0",
                "rate_limits.redis.batch_max",
            ),
            (
                "url = \"redis://h/0\"\nkey_prefix = \"\"",
                "rate_limits.redis.key_prefix",
            ),
            (
                "url = \"redis://h/0\"\npassword = \"hunter2\"",
                "rate_limits.redis.password",
            ),
        ] {
            let e = err(section);
            assert!(e.starts_with(key), "{section}: {e}");
        }
        assert!(with_redis("url = \"redis://h/0\"\npassword = \"env:REDIS_PASSWORD\"").is_ok());
    }

    #[test]
    fn example_redis_section_parses_when_uncommented() {
        let text = include_str!("../../../../examples/gateway/gateway.toml");
        let mut out = String::new();
        let mut inside = false;
        for line in text.lines() {
            inside |= line.starts_with("# [rate_limits.redis]");
            if inside && line.trim().is_empty() {
                inside = false;
            }
            match line.strip_prefix("# ") {
                Some(rest) if inside && !rest.starts_with(' ') => out.push_str(rest),
                _ => out.push_str(line),
            }
            out.push('\n');
        }
        assert!(out.contains("\n[rate_limits.redis]\nurl = "), "{out}");
        let c = GatewayConfig::from_toml(&out, Path::new("/etc/aigis")).unwrap();
        let r = c.rate_limits.redis.unwrap();
        assert_eq!(r.password.as_deref(), Some("env:REDIS_PASSWORD"));
        assert_eq!(r.on_error, OnRedisError::Local);
    }
}
