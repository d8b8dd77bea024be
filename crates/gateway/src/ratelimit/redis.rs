//! The Redis connection shared by every Redis-backed limiter: one
//! multiplexed connection (redis-rs `ConnectionManager`, reconnecting on its
//! own), two Lua scripts run with EVALSHA (loaded on first use and again
//! after a NOSCRIPT answer, e.g. when Redis restarted), a per-call timeout,
//! and a breaker: after an error or timeout, Redis is left alone for
//! `retry_interval` and the configured `on_error` decision is used instead,
//! so an outage costs one timeout per interval, not one per request.
//!
//! The scripts take `n` cells at once (local batching) and read the time
//! with Redis `TIME`, so replica clocks do not matter for the rate limit.
//! Replies come from the configured (trusted) server; they are still read
//! without panicking: a reply of the wrong shape is an error like any other.

use crate::Error;
use crate::config::{OnRedisError, RedisConfig};
use crate::metrics::RedisMetrics;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, IntoConnectionInfo, Script};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// GCRA taking up to `ARGV[3]` cells. Times in microseconds of Redis's
/// clock. KEYS[1] = the key's TAT; ARGV = interval (µs), burst, cells
/// wanted. Returns {taken, remaining, µs}: when `taken` is 0, µs is the
/// wait for one cell; otherwise the time until the bucket is full again.
/// The key expires when its debt is paid (TAT reached).
const GCRA_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = interval * tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
local avail = math.floor((now + tolerance - tat) / interval)
if avail < 1 then
  return {0, 0, tat + interval - tolerance - now}
end
local take = math.min(want, avail)
local new_tat = tat + take * interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
return {take, avail - take, new_tat - now}
";

/// Daily quota taking up to `ARGV[2]` of `ARGV[1]` requests. KEYS[1] is the
/// day's counter; ARGV[3] its time to live (s). Returns {taken, used}.
const QUOTA_LUA: &str = r"
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if used >= limit then return {0, used} end
local take = math.min(tonumber(ARGV[2]), limit - used)
local v = redis.call('INCRBY', KEYS[1], take)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {take, v}
";

/// Why a Redis call gave no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The breaker is open after a recent failure; Redis was not asked.
    Down,
    Timeout,
    Error,
    /// A reply not of the expected shape.
    BadReply,
}

/// One GCRA reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub cells: u64,
    pub remaining: u64,
    /// Wait for one cell (when `cells` is 0) or until the bucket is full.
    pub micros: u64,
}

/// The connection, scripts and failure policy.
pub struct RedisBackend {
    client: Client,
    conn: Mutex<Option<ConnectionManager>>,
    gcra: Script,
    quota: Script,
    pub(crate) prefix: String,
    pub(crate) on_error: OnRedisError,
    timeout: Duration,
    retry_interval: Duration,
    pub(crate) batch_max: u64,
    pub(crate) lease: Duration,
    origin: Instant,
    /// Nanoseconds after `origin` until which Redis is not asked (0 = up).
    down_until: AtomicU64,
    pub(crate) metrics: Arc<RedisMetrics>,
}

impl RedisBackend {
    /// Build from validated configuration; resolves the password reference.
    /// Does not connect: the first request does, under the timeout.
    pub fn new(c: &RedisConfig, metrics: Arc<RedisMetrics>) -> Result<RedisBackend, Error> {
        let bad = |key: &str, why: String| Error::Invalid {
            key: key.to_string(),
            why,
        };
        let mut info = c
            .url
            .as_str()
            .into_connection_info()
            .map_err(|e| bad("rate_limits.redis.url", format!("not a Redis URL: {e}")))?;
        if let Some(reference) = &c.password {
            let secret = aigis_integrity::keys::resolve(reference)
                .map_err(|e| bad("rate_limits.redis.password", e.to_string()))?;
            let text = std::str::from_utf8(secret.bytes()).map_err(|_| {
                bad(
                    "rate_limits.redis.password",
                    "the secret is not UTF-8 text".into(),
                )
            })?;
            let settings = info.redis_settings().clone().set_password(text.trim_end());
            info = info.set_redis_settings(settings);
        }
        let client = Client::open(info).map_err(|e| bad("rate_limits.redis.url", e.to_string()))?;
        Ok(RedisBackend {
            client,
            conn: Mutex::new(None),
            gcra: Script::new(GCRA_LUA),
            quota: Script::new(QUOTA_LUA),
            prefix: c.key_prefix.clone(),
            on_error: c.on_error,
            timeout: c.timeout.0,
            retry_interval: c.retry_interval.0,
            batch_max: c.batch_max,
            lease: c.batch_lease.0,
            origin: Instant::now(),
            down_until: AtomicU64::new(0),
            metrics,
        })
    }

    /// Whether Redis may be asked now (the breaker is closed).
    pub fn available(&self, now: Instant) -> bool {
        let until = self.down_until.load(Ordering::Relaxed);
        until == 0 || self.nanos(now) >= until
    }

    fn nanos(&self, t: Instant) -> u64 {
        u64::try_from(t.saturating_duration_since(self.origin).as_nanos()).unwrap_or(u64::MAX)
    }

    fn trip(&self) {
        let until = self
            .nanos(Instant::now())
            .saturating_add(u64::try_from(self.retry_interval.as_nanos()).unwrap_or(u64::MAX))
            .max(1);
        self.down_until.store(until, Ordering::Relaxed);
    }

    fn connection(&self) -> Result<ConnectionManager, Failure> {
        let mut guard = self.conn.lock().map_err(|_| Failure::Error)?;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(self.retry_interval);
        let c = ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            .map_err(|_| Failure::Error)?;
        *guard = Some(c.clone());
        Ok(c)
    }

    /// Run a script under the timeout; failures trip the breaker.
    async fn eval(&self, script: &Script, key: &str, args: &[u64]) -> Result<Vec<i64>, Failure> {
        if !self.available(Instant::now()) {
            return Err(Failure::Down);
        }
        let mut conn = self.connection()?;
        let mut inv = script.key(key);
        for a in args {
            inv.arg(*a);
        }
        self.metrics.round_trips.fetch_add(1, Ordering::Relaxed);
        let reply =
            tokio::time::timeout(self.timeout, inv.invoke_async::<Vec<i64>>(&mut conn)).await;
        let failure = match reply {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "redis rate-limit call failed; using on_error until retry_interval passes");
                self.metrics.errors.fetch_add(1, Ordering::Relaxed);
                Failure::Error
            }
            Err(_) => {
                tracing::warn!(timeout = ?self.timeout, "redis rate-limit call timed out; using on_error until retry_interval passes");
                self.metrics.timeouts.fetch_add(1, Ordering::Relaxed);
                Failure::Timeout
            }
        };
        // Start over with a fresh connection after the retry interval.
        if let Ok(mut c) = self.conn.lock() {
            *c = None;
        }
        self.trip();
        Err(failure)
    }

    /// Take up to `want` cells of the GCRA stored at `key`.
    pub async fn take_cells(
        &self,
        key: &str,
        interval_us: u64,
        burst: u64,
        want: u64,
    ) -> Result<Taken, Failure> {
        let v = self
            .eval(&self.gcra, key, &[interval_us, burst, want])
            .await?;
        match v.as_slice() {
            [cells, remaining, micros] => {
                let u = |x: &i64| u64::try_from(*x).map_err(|_| Failure::BadReply);
                let cells = u(cells)?;
                if cells > want {
                    return Err(Failure::BadReply);
                }
                if cells > 0 {
                    self.metrics.reservations.fetch_add(1, Ordering::Relaxed);
                    self.metrics
                        .cells_reserved
                        .fetch_add(cells, Ordering::Relaxed);
                }
                Ok(Taken {
                    cells,
                    remaining: u(remaining)?,
                    micros: u(micros)?,
                })
            }
            _ => Err(Failure::BadReply),
        }
    }

    /// Take up to `want` of `limit` requests from the counter at `key`
    /// (which expires after `ttl_secs`). Returns (taken, used so far).
    pub async fn take_quota(
        &self,
        key: &str,
        limit: u64,
        want: u64,
        ttl_secs: u64,
    ) -> Result<(u64, u64), Failure> {
        let v = self
            .eval(&self.quota, key, &[limit, want, ttl_secs.max(1)])
            .await?;
        match v.as_slice() {
            [taken, used] => {
                let taken = u64::try_from(*taken).map_err(|_| Failure::BadReply)?;
                let used = u64::try_from(*used).map_err(|_| Failure::BadReply)?;
                if taken > want {
                    return Err(Failure::BadReply);
                }
                if taken > 0 {
                    self.metrics.reservations.fetch_add(1, Ordering::Relaxed);
                    self.metrics
                        .cells_reserved
                        .fetch_add(taken, Ordering::Relaxed);
                }
                Ok((taken, used))
            }
            _ => Err(Failure::BadReply),
        }
    }

    /// Count one decision made without Redis.
    pub(crate) fn count_fallback(&self) {
        let m = &self.metrics;
        let c = match self.on_error {
            OnRedisError::Open => &m.fail_open,
            OnRedisError::Closed => &m.fail_closed,
            OnRedisError::Local => &m.fail_local,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }
}
