//! Daily request quotas (UTC days) in memory: counts are per instance and
//! lost on restart. The Redis backend ([`super::redis`]) shares them.

use super::MAX_KEYS_PER_SHARD;
use super::gcra::SHARDS;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

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
        let until_midnight = until_midnight(now);
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

/// Seconds until the next UTC midnight after Unix time `now`.
pub(crate) fn until_midnight(now: i64) -> Duration {
    Duration::from_secs(u64::try_from(86_400 - now.rem_euclid(86_400)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

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
