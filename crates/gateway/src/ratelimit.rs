//! Rate limiting: the [`RateLimiter`] trait and an in-memory GCRA (generic
//! cell rate algorithm) behind it, plus daily quotas.
//!
//! GCRA keeps one number per key, the theoretical arrival time (TAT): a
//! request at `now` is allowed when `TAT + T - burst·T <= now` (T = period /
//! requests), and then TAT becomes `max(TAT, now) + T`. This is a token bucket
//! without a refill timer.
//!
//! Only the in-memory backend exists. A Redis backend (shared limits across
//! replicas, fail-open/closed switch, local batching) is NOT built yet; it
//! would implement the same trait.

use crate::config::Rate;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Shards of each limiter's map (less lock contention).
const SHARDS: usize = 32;
/// Keys tracked per shard before stale entries are swept; past it an
/// eighth of the entries are dropped (which forgets their debt: fail-open for the
/// evicted key, bounded memory for everyone).
pub const MAX_KEYS_PER_SHARD: usize = 16_384;

/// One limit's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// Requests that could still be made right now.
    pub remaining: u64,
    /// When refused: how long until one request is allowed. When allowed:
    /// how long until the bucket is full again.
    pub wait: Duration,
}

/// A keyed rate limiter. `key` is already namespaced by the caller.
pub trait RateLimiter: Send + Sync {
    fn check(&self, key: &str, now: Instant) -> Verdict;
    /// The configured limit (for the `RateLimit-Policy` header).
    fn policy(&self) -> (u64, u64);
}

/// In-memory GCRA for one [`Rate`].
pub struct Gcra {
    interval: Duration,
    burst: u64,
    requests: u64,
    window_secs: u64,
    origin: Instant,
    shards: Vec<Mutex<HashMap<String, u128>>>,
    hasher: RandomState,
}

impl Gcra {
    pub fn new(rate: &Rate) -> Gcra {
        let requests = rate.requests.max(1);
        let nanos = (rate.per.0.as_nanos() / u128::from(requests)).max(1);
        Gcra {
            interval: Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX)),
            burst: rate.burst.unwrap_or(requests).max(1),
            requests,
            window_secs: rate.per.0.as_secs().max(1),
            origin: Instant::now(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl RateLimiter for Gcra {
    fn check(&self, key: &str, now: Instant) -> Verdict {
        let t = self.interval.as_nanos();
        let tolerance = t.saturating_mul(u128::from(self.burst));
        let now_ns = now.saturating_duration_since(self.origin).as_nanos();
        let shard = (self.hasher.hash_one(key) as usize) % SHARDS;
        let Some(Ok(mut map)) = self.shards.get(shard).map(|m| m.lock()) else {
            // A poisoned shard: refuse rather than grant unlimited access.
            return Verdict {
                allowed: false,
                remaining: 0,
                wait: self.interval,
            };
        };
        let tat = map.get(key).copied().unwrap_or(now_ns).max(now_ns);
        let new_tat = tat.saturating_add(t);
        let allow_at = new_tat.saturating_sub(tolerance);
        if now_ns < allow_at {
            let wait = nanos(allow_at - now_ns);
            return Verdict {
                allowed: false,
                remaining: 0,
                wait,
            };
        }
        if map.len() >= MAX_KEYS_PER_SHARD && !map.contains_key(key) {
            map.retain(|_, v| *v > now_ns);
            if map.len() >= MAX_KEYS_PER_SHARD {
                // Still full of live entries: drop an eighth (arbitrary ones),
                // so that the O(n) sweep is paid once per n/8 new keys.
                let victims: Vec<String> =
                    map.keys().take(MAX_KEYS_PER_SHARD / 8).cloned().collect();
                for k in victims {
                    map.remove(&k);
                }
            }
        }
        map.insert(key.to_string(), new_tat);
        // now + tolerance - new_tat, without the saturation of `allow_at`
        // near the limiter's origin.
        let remaining = now_ns.saturating_add(tolerance).saturating_sub(new_tat) / t;
        Verdict {
            allowed: true,
            remaining: u64::try_from(remaining).unwrap_or(u64::MAX),
            wait: nanos(new_tat.saturating_sub(now_ns)),
        }
    }

    fn policy(&self) -> (u64, u64) {
        (self.requests, self.window_secs)
    }
}

fn nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}

/// Daily request quotas (UTC days), in memory: counts are lost on restart.
pub struct DailyQuota {
    limit: u64,
    counts: Mutex<HashMap<String, (i64, u64)>>,
}

impl DailyQuota {
    pub fn new(limit: u64) -> DailyQuota {
        DailyQuota {
            limit,
            counts: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Count one request for `key` at Unix time `now`; `Err(wait)` when the
    /// day's quota is used up (wait = time to the next UTC midnight).
    pub fn take(&self, key: &str, now: i64) -> Result<u64, Duration> {
        let day = now.div_euclid(86_400);
        let until_midnight =
            Duration::from_secs(u64::try_from(86_400 - now.rem_euclid(86_400)).unwrap_or(0));
        let Ok(mut map) = self.counts.lock() else {
            return Err(until_midnight);
        };
        if map.len() > SHARDS * MAX_KEYS_PER_SHARD {
            map.retain(|_, (d, _)| *d == day);
        }
        let entry = map.entry(key.to_string()).or_insert((day, 0));
        if entry.0 != day {
            *entry = (day, 0);
        }
        if entry.1 >= self.limit {
            return Err(until_midnight);
        }
        entry.1 += 1;
        Ok(self.limit - entry.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Dur;

    fn rate(requests: u64, per: u64, burst: Option<u64>) -> Rate {
        Rate {
            requests,
            per: Dur::secs(per),
            burst,
        }
    }

    #[test]
    fn burst_then_refusal_then_recovery() {
        let g = Gcra::new(&rate(10, 1, Some(3)));
        let t0 = Instant::now();
        for i in 0..3 {
            let v = g.check("k", t0);
            assert!(v.allowed, "request {i}");
            assert_eq!(v.remaining, 2 - i, "remaining after request {i}");
        }
        let v = g.check("k", t0);
        assert!(!v.allowed);
        assert!(v.wait > Duration::ZERO && v.wait <= Duration::from_millis(100));
        assert!(g.check("k", t0 + Duration::from_millis(100)).allowed);
        assert!(g.check("other", t0).allowed, "keys are independent");
    }

    #[test]
    fn steady_rate_over_ten_seconds_is_exact() {
        // 100/s, burst 1, one attempt per ms for 10 s: 1000 allowed (+1 at t=0).
        let g = Gcra::new(&rate(100, 1, Some(1)));
        let t0 = Instant::now();
        let allowed = (0..10_000)
            .filter(|ms| g.check("k", t0 + Duration::from_millis(*ms)).allowed)
            .count();
        assert_eq!(allowed, 1000);
    }

    #[test]
    fn map_stays_bounded_under_many_keys() {
        let g = Gcra::new(&rate(1, 3600, None));
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS_PER_SHARD * SHARDS + 5000) {
            g.check(&format!("client-{i}"), t0);
        }
        let total: usize = g.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(total <= MAX_KEYS_PER_SHARD * SHARDS);
    }

    #[test]
    fn quota_counts_per_day() {
        let q = DailyQuota::new(2);
        let day = 20_000 * 86_400;
        assert_eq!(q.take("k", day), Ok(1));
        assert_eq!(q.take("k", day + 10), Ok(0));
        assert_eq!(q.take("k", day + 86_399), Err(Duration::from_secs(1)));
        assert_eq!(q.take("k", day + 86_400), Ok(1));
    }
}
