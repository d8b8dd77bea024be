//! Per-key local state of the Redis-backed limiters (reserved cells, refusal
//! deadline, single-flight lock), in a sharded map with the same bound as
//! the in-memory GCRA: past [`MAX_KEYS_PER_SHARD`] keys in a shard, an eighth
//! of them are dropped. Dropping a slot only forgets locally reserved cells
//! (already debited in Redis, so this can under-admit, never over-admit).

use super::MAX_KEYS_PER_SHARD;
use super::gcra::SHARDS;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One key's slot: `S` is the limiter's local state.
#[derive(Default)]
pub(crate) struct Slot<S> {
    pub state: Mutex<S>,
    /// Held while a Redis call for this key is in flight: concurrent
    /// requests wait for its result instead of calling Redis themselves.
    pub fetch: tokio::sync::Mutex<()>,
    /// Requests queued on `fetch` (a demand signal for the batch size).
    pub waiting: AtomicU64,
}

impl<S> Slot<S> {
    /// Wait for the single-flight lock, counting ourselves as waiting.
    pub async fn lock_fetch(&self) -> (tokio::sync::MutexGuard<'_, ()>, u64) {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let guard = self.fetch.lock().await;
        let before = self.waiting.fetch_sub(1, Ordering::Relaxed);
        // `before` counts us too; the others still queued are demand.
        (guard, before.saturating_sub(1))
    }
}

type Shard<S> = Mutex<HashMap<String, Arc<Slot<S>>>>;

pub(crate) struct Slots<S> {
    shards: Vec<Shard<S>>,
    hasher: RandomState,
}

impl<S: Default> Slots<S> {
    pub fn new() -> Slots<S> {
        Slots {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &str) -> Option<&Shard<S>> {
        self.shards
            .get((self.hasher.hash_one(key) as usize) % SHARDS)
    }

    /// The slot of a key seen before (no allocation).
    pub fn get(&self, key: &str) -> Option<Arc<Slot<S>>> {
        self.shard(key)?.lock().ok()?.get(key).cloned()
    }

    /// The slot of `key`, created if new.
    pub fn get_or_insert(&self, key: &str) -> Arc<Slot<S>> {
        let Some(Ok(mut map)) = self.shard(key).map(|m| m.lock()) else {
            // A poisoned shard: a private slot (no batching, still correct).
            return Arc::new(Slot::default());
        };
        if let Some(s) = map.get(key) {
            return s.clone();
        }
        if map.len() >= MAX_KEYS_PER_SHARD {
            let victims: Vec<String> = map.keys().take(MAX_KEYS_PER_SHARD / 8).cloned().collect();
            for k in victims {
                map.remove(&k);
            }
        }
        let slot = Arc::new(Slot::default());
        map.insert(key.to_string(), slot.clone());
        slot
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|m| m.len()).unwrap_or(0))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_stay_bounded() {
        let s: Slots<u64> = Slots::new();
        for i in 0..(MAX_KEYS_PER_SHARD * SHARDS + 3000) {
            s.get_or_insert(&format!("k{i}"));
        }
        assert!(s.len() <= MAX_KEYS_PER_SHARD * SHARDS);
        let a = s.get_or_insert("same");
        let b = s.get("same").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
    }
}
