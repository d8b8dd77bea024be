//! The Redis-backed GCRA with local batching: limits shared by replicas
//! without one Redis round trip per request.
//!
//! Per key, this instance keeps cells it reserved in Redis (already debited
//! there, so replicas together never admit more than limit + burst) and
//! serves requests from them until they run out or their lease ends. The
//! batch size follows the key's recent local demand (requests per lease,
//! plus requests queued behind the in-flight call) and is capped at
//! `batch_max` and at 1% of the limit's `requests`, so cells that expire
//! unused cost at most ~1% of the limit; a cold key takes 1 cell per call.
//! When Redis says "refused, wait W", the key is refused locally for W plus
//! the time for a batch to accrue, so a flood over the limit costs about one
//! round trip per batch, not one per request. One call per key is in
//! flight at a time; concurrent requests wait for its answer.

use super::redis::{Failure, RedisBackend, Taken};
use super::slots::{Slot, Slots};
use super::{Check, Gcra, Maybe, RateLimiter, Verdict};
use crate::config::{OnRedisError, Rate};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::Instant;

/// Refusal when Redis is away and `on_error = "closed"`.
pub const CLOSED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// One key's local view.
#[derive(Default)]
pub(crate) struct Local {
    /// Reserved cells not yet used.
    cells: u64,
    lease_until: Option<Instant>,
    refused_until: Option<Instant>,
    /// Redis's remaining count at the last reservation.
    remaining: u64,
    full_at: Option<Instant>,
    /// Requests seen since the last reservation.
    demand: u64,
    last_fetch: Option<Instant>,
}

/// A [`Rate`] enforced in Redis for one limit (`name`: key, tenant, client).
pub struct SharedGcra {
    backend: Arc<RedisBackend>,
    name: &'static str,
    interval_us: u64,
    interval: Duration,
    burst: u64,
    requests: u64,
    window_secs: u64,
    cap: u64,
    /// This instance's limiter, used when Redis is away and `on_error = "local"`.
    fallback: Gcra,
    slots: Slots<Local>,
}

impl SharedGcra {
    pub fn new(rate: &Rate, name: &'static str, backend: Arc<RedisBackend>) -> SharedGcra {
        let requests = rate.requests.max(1);
        let micros = (rate.per.0.as_micros() / u128::from(requests)).max(1);
        let interval_us = u64::try_from(micros).unwrap_or(u64::MAX);
        SharedGcra {
            interval_us,
            interval: Duration::from_micros(interval_us),
            burst: rate.burst.unwrap_or(requests).max(1),
            requests,
            window_secs: rate.per.0.as_secs().max(1),
            cap: batch_cap(backend.batch_max, requests),
            fallback: Gcra::new(rate),
            slots: Slots::new(),
            name,
            backend,
        }
    }

    /// Largest reservation this limiter makes.
    pub fn batch_cap(&self) -> u64 {
        self.cap
    }

    fn fail(&self, key: &str, now: Instant) -> Verdict {
        self.backend.count_fallback();
        match self.backend.on_error {
            OnRedisError::Open => Verdict {
                allowed: true,
                remaining: 0,
                wait: Duration::ZERO,
            },
            OnRedisError::Closed => Verdict {
                allowed: false,
                remaining: 0,
                wait: CLOSED_RETRY_AFTER,
            },
            OnRedisError::Local => self.fallback.check_now(key, now),
        }
    }

    async fn slow(&self, key: &str) -> Verdict {
        let slot = self.slots.get_or_insert(key);
        let (_flight, queued) = slot.lock_fetch().await;
        let now = Instant::now();
        if let Some(v) = try_local(&slot, now, &self.backend) {
            return v;
        }
        if !self.backend.available(now) {
            return self.fail(key, now);
        }
        let want = {
            let Ok(s) = slot.state.lock() else {
                return self.fail(key, now);
            };
            self.want(&s, queued, now)
        };
        let rkey = format!("{}gcra:{}:{key}", self.backend.prefix, self.name);
        let r = self
            .backend
            .take_cells(&rkey, self.interval_us, self.burst, want)
            .await;
        let now = Instant::now();
        match r {
            Ok(t) => self.apply(&slot, t, want, now),
            Err(Failure::Down | Failure::Timeout | Failure::Error | Failure::BadReply) => {
                self.fail(key, now)
            }
        }
    }

    /// Cells to ask for: the demand seen over the last reservation scaled
    /// to one lease, at least the requests queued now, at most the cap.
    fn want(&self, s: &Local, queued: u64, now: Instant) -> u64 {
        let mut n = queued.saturating_add(1);
        if let Some(last) = s.last_fetch {
            let elapsed = now.saturating_duration_since(last).as_nanos().max(1);
            let per_lease = u128::from(s.demand.saturating_add(1))
                .saturating_mul(self.backend.lease.as_nanos())
                / elapsed;
            n = n.max(u64::try_from(per_lease).unwrap_or(u64::MAX));
        }
        n.clamp(1, self.cap)
    }

    fn apply(&self, slot: &Slot<Local>, t: Taken, want: u64, now: Instant) -> Verdict {
        let Ok(mut s) = slot.state.lock() else {
            return Verdict {
                allowed: t.cells > 0,
                remaining: 0,
                wait: self.interval,
            };
        };
        s.demand = 1;
        s.last_fetch = Some(now);
        let micros = Duration::from_micros(t.micros);
        if t.cells == 0 {
            // Wait for one cell, plus the time for the rest of a batch (no
            // more than the bucket holds: cells past `burst` would be lost).
            let extra_cells = want.min(self.burst).saturating_sub(1);
            let extra = self
                .interval
                .saturating_mul(u32::try_from(extra_cells).unwrap_or(u32::MAX));
            let wait = micros.saturating_add(extra);
            s.refused_until = now.checked_add(wait);
            s.cells = 0;
            return Verdict {
                allowed: false,
                remaining: 0,
                wait,
            };
        }
        s.cells = t.cells - 1;
        s.lease_until = now.checked_add(self.backend.lease);
        s.refused_until = None;
        s.remaining = t.remaining;
        s.full_at = now.checked_add(micros);
        Verdict {
            allowed: true,
            remaining: s.remaining.saturating_add(s.cells),
            wait: micros,
        }
    }
}

/// Serve from the local view if it can decide: reserved cells under lease,
/// or a known refusal. `None` = ask Redis.
fn try_local(slot: &Slot<Local>, now: Instant, backend: &RedisBackend) -> Option<Verdict> {
    let mut s = slot.state.lock().ok()?;
    if let Some(until) = s.refused_until {
        if now < until {
            s.demand = s.demand.saturating_add(1);
            return Some(Verdict {
                allowed: false,
                remaining: 0,
                wait: until - now,
            });
        }
        s.refused_until = None;
    }
    if s.cells > 0 {
        if s.lease_until.is_some_and(|l| now < l) {
            s.cells -= 1;
            s.demand = s.demand.saturating_add(1);
            return Some(Verdict {
                allowed: true,
                remaining: s.remaining.saturating_add(s.cells),
                wait: s
                    .full_at
                    .map_or(Duration::ZERO, |f| f.saturating_duration_since(now)),
            });
        }
        backend
            .metrics
            .cells_expired
            .fetch_add(s.cells, Ordering::Relaxed);
        s.cells = 0;
    }
    None
}

/// The batch cap: `batch_max`, and 1% of `requests` (at least 1).
pub(crate) fn batch_cap(batch_max: u64, requests: u64) -> u64 {
    batch_max.min(requests / 100).max(1)
}

impl RateLimiter for SharedGcra {
    fn check<'a>(&'a self, key: &'a str, now: Instant) -> Check<'a> {
        if !self.backend.available(now) {
            return Maybe::Ready(self.fail(key, now));
        }
        if let Some(slot) = self.slots.get(key)
            && let Some(v) = try_local(&slot, now, &self.backend)
        {
            return Maybe::Ready(v);
        }
        Maybe::Pending(Box::pin(self.slow(key)))
    }

    fn policy(&self) -> (u64, u64) {
        (self.requests, self.window_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_cap_is_one_percent_of_the_limit() {
        assert_eq!(batch_cap(64, 1000), 10);
        assert_eq!(batch_cap(64, 100_000), 64);
        assert_eq!(batch_cap(64, 50), 1, "slow limits are not batched");
        assert_eq!(
            batch_cap(1, 1_000_000),
            1,
            "batch_max = 1 turns batching off"
        );
    }
}
