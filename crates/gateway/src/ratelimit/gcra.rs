//! The in-memory GCRA (generic cell rate algorithm), one instance's view.
//!
//! GCRA keeps one number per key, the theoretical arrival time (TAT): a
//! request at `now` is allowed when `TAT + T - burst·T <= now` (T = period /
//! requests), and then TAT becomes `max(TAT, now) + T`. This is a token bucket
//! without a refill timer. The Redis backend ([`super::redis`]) runs the same
//! arithmetic in a Lua script so that replicas share one TAT per key.

use super::{Check, MAX_KEYS_PER_SHARD, RateLimiter, Verdict};
use crate::config::Rate;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Shards of each limiter's map (less lock contention).
pub(crate) const SHARDS: usize = 32;

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
    fn check<'a>(&'a self, key: &'a str, now: Instant) -> Check<'a> {
        Check::Ready(self.check_now(key, now))
    }

    fn policy(&self) -> (u64, u64) {
        (self.requests, self.window_secs)
    }
}

impl Gcra {
    /// The synchronous check (the in-memory path never waits).
    pub fn check_now(&self, key: &str, now: Instant) -> Verdict {
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
}

fn nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
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
            let v = g.check_now("k", t0);
            assert!(v.allowed, "request {i}");
            assert_eq!(v.remaining, 2 - i, "remaining after request {i}");
        }
        let v = g.check_now("k", t0);
        assert!(!v.allowed);
        assert!(v.wait > Duration::ZERO && v.wait <= Duration::from_millis(100));
        assert!(g.check_now("k", t0 + Duration::from_millis(100)).allowed);
        assert!(g.check_now("other", t0).allowed, "keys are independent");
    }

    #[test]
    fn steady_rate_over_ten_seconds_is_exact() {
        // 100/s, burst 1, one attempt per ms for 10 s: 1000 allowed (+1 at t=0).
        let g = Gcra::new(&rate(100, 1, Some(1)));
        let t0 = Instant::now();
        let allowed = (0..10_000)
            .filter(|ms| g.check_now("k", t0 + Duration::from_millis(*ms)).allowed)
            .count();
        assert_eq!(allowed, 1000);
    }

    #[test]
    fn map_stays_bounded_under_many_keys() {
        let g = Gcra::new(&rate(1, 3600, None));
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS_PER_SHARD * SHARDS + 5000) {
            g.check_now(&format!("client-{i}"), t0);
        }
        let total: usize = g.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(total <= MAX_KEYS_PER_SHARD * SHARDS);
    }
}
