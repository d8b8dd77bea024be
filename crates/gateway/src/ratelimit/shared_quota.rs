//! Daily quotas in Redis, shared by replicas: one counter per UTC day and
//! key (`<prefix>quota:<day>:<name>:<key>`, name = key or tenant, expiring an hour after the day
//! ends), taken in batches like the rate limits. A reservation never takes
//! past the limit, so replicas together never exceed it. Reserved requests
//! stay usable until the day ends (a quota has no rate to go stale); what a
//! replica holds unused when it stops, at most one batch per key, is lost.

use super::quota::until_midnight;
use super::redis::RedisBackend;
use super::shared::{CLOSED_RETRY_AFTER, batch_cap};
use super::slots::Slots;
use super::{DailyQuota, Maybe};
use crate::config::OnRedisError;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Seconds a day's counter outlives the day.
pub const QUOTA_TTL_SLACK_SECS: u64 = 3600;

#[derive(Default)]
pub(crate) struct Local {
    day: i64,
    cells: u64,
    exhausted: bool,
    used: u64,
    demand: u64,
    last_fetch: Option<Instant>,
}

/// A daily quota for one limit (`name`: key or tenant) kept in Redis.
pub struct SharedQuota {
    backend: Arc<RedisBackend>,
    name: &'static str,
    limit: u64,
    cap: u64,
    fallback: DailyQuota,
    slots: Slots<Local>,
}

type Answer = Result<u64, Duration>;

impl SharedQuota {
    pub fn new(limit: u64, name: &'static str, backend: Arc<RedisBackend>) -> SharedQuota {
        SharedQuota {
            cap: batch_cap(backend.batch_max, limit),
            fallback: DailyQuota::new(limit),
            slots: Slots::new(),
            limit,
            name,
            backend,
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    pub fn take<'a>(&'a self, key: &'a str, now: i64) -> Maybe<'a, Answer> {
        if !self.backend.available(Instant::now()) {
            return Maybe::Ready(self.fail(key, now));
        }
        if let Some(slot) = self.slots.get(key)
            && let Ok(mut s) = slot.state.lock()
            && let Some(a) = self.try_local(&mut s, now)
        {
            return Maybe::Ready(a);
        }
        Maybe::Pending(Box::pin(self.slow(key, now)))
    }

    fn fail(&self, key: &str, now: i64) -> Answer {
        self.backend.count_fallback();
        match self.backend.on_error {
            OnRedisError::Open => Ok(0),
            OnRedisError::Closed => Err(CLOSED_RETRY_AFTER),
            OnRedisError::Local => self.fallback.take(key, now),
        }
    }

    fn try_local(&self, s: &mut Local, now: i64) -> Option<Answer> {
        let day = now.div_euclid(86_400);
        if s.day != day {
            *s = Local {
                day,
                ..Local::default()
            };
            return None;
        }
        if s.exhausted {
            return Some(Err(until_midnight(now)));
        }
        if s.cells > 0 {
            s.cells -= 1;
            s.demand = s.demand.saturating_add(1);
            return Some(Ok(self
                .limit
                .saturating_sub(s.used)
                .saturating_add(s.cells)));
        }
        None
    }

    async fn slow(&self, key: &str, now: i64) -> Answer {
        let slot = self.slots.get_or_insert(key);
        let (_flight, queued) = slot.lock_fetch().await;
        let want = {
            let Ok(mut s) = slot.state.lock() else {
                return self.fail(key, now);
            };
            if let Some(a) = self.try_local(&mut s, now) {
                return a;
            }
            let mut n = queued.saturating_add(1);
            if let Some(last) = s.last_fetch {
                let elapsed = last.elapsed().as_nanos().max(1);
                let per_lease = u128::from(s.demand.saturating_add(1))
                    .saturating_mul(self.backend.lease.as_nanos())
                    / elapsed;
                n = n.max(u64::try_from(per_lease).unwrap_or(u64::MAX));
            }
            n.clamp(1, self.cap)
        };
        if !self.backend.available(Instant::now()) {
            return self.fail(key, now);
        }
        let day = now.div_euclid(86_400);
        let rkey = format!("{}quota:{day}:{}:{key}", self.backend.prefix, self.name);
        let ttl = until_midnight(now)
            .as_secs()
            .saturating_add(QUOTA_TTL_SLACK_SECS);
        match self.backend.take_quota(&rkey, self.limit, want, ttl).await {
            Ok((taken, used)) => {
                let Ok(mut s) = slot.state.lock() else {
                    return if taken > 0 {
                        Ok(0)
                    } else {
                        Err(until_midnight(now))
                    };
                };
                s.day = day;
                s.demand = 1;
                s.last_fetch = Some(Instant::now());
                s.used = used;
                if taken == 0 {
                    s.exhausted = true;
                    return Err(until_midnight(now));
                }
                s.cells = taken - 1;
                Ok(self.limit.saturating_sub(used).saturating_add(s.cells))
            }
            Err(_) => self.fail(key, now),
        }
    }
}
