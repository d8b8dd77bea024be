//! Rate limiting: the [`RateLimiter`] trait, daily [`Quota`]s, and their two
//! backends: in memory (one instance's view, [`gcra`], [`quota`]) and Redis
//! (shared by every replica, [`redis`], [`shared`], [`shared_quota`]).
//!
//! A check answers [`Maybe::Ready`] when it can decide without waiting (the
//! in-memory path always; the Redis path when this instance holds reserved
//! cells or knows the key is refused) and [`Maybe::Pending`] with a boxed
//! future only when a Redis round trip is needed, so the in-memory path costs
//! what it did before the trait became async-capable.

pub mod gcra;
pub mod quota;
pub mod redis;
pub mod shared;
pub mod shared_quota;
mod slots;

pub use gcra::Gcra;
pub use quota::DailyQuota;
pub use redis::RedisBackend;
pub use shared::SharedGcra;
pub use shared_quota::SharedQuota;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;

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

/// An answer now, or a future answer (a Redis round trip).
pub enum Maybe<'a, T> {
    Ready(T),
    Pending(Pin<Box<dyn Future<Output = T> + Send + 'a>>),
}

impl<T> Maybe<'_, T> {
    /// The answer, waiting for it if needed.
    pub async fn get(self) -> T {
        match self {
            Maybe::Ready(v) => v,
            Maybe::Pending(f) => f.await,
        }
    }
}

/// A rate-limit check's answer.
pub type Check<'a> = Maybe<'a, Verdict>;

/// A keyed rate limiter. `key` is already namespaced by the caller.
pub trait RateLimiter: Send + Sync {
    fn check<'a>(&'a self, key: &'a str, now: Instant) -> Check<'a>;
    /// The configured limit (for the `RateLimit-Policy` header).
    fn policy(&self) -> (u64, u64);
}

/// A daily quota: `Ok(remaining)` or `Err(time until the next UTC midnight)`.
pub enum Quota {
    Local(DailyQuota),
    Shared(SharedQuota),
}

impl Quota {
    pub fn limit(&self) -> u64 {
        match self {
            Quota::Local(q) => q.limit(),
            Quota::Shared(q) => q.limit(),
        }
    }

    /// Count one request for `key` at Unix time `now`.
    pub fn take<'a>(&'a self, key: &'a str, now: i64) -> Maybe<'a, Result<u64, Duration>> {
        match self {
            Quota::Local(q) => Maybe::Ready(q.take(key, now)),
            Quota::Shared(q) => q.take(key, now),
        }
    }
}
