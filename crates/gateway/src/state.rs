//! Everything the layers share: configuration, keys, limiters, metrics,
//! the audit sink and the upstream clients. Built once; keys swap on reload.

use crate::Error;
use crate::audit::AuditSink;
use crate::config::GatewayConfig;
use crate::keys::{KeyHasher, KeyTable};
use crate::metrics::{Metrics, RedisMetrics};
use crate::proxy::Upstreams;
use crate::ratelimit::{
    DailyQuota, Gcra, Quota, RateLimiter, RedisBackend, SharedGcra, SharedQuota,
};
use crate::tokens::TokenAuth;
use arc_swap::ArcSwap;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::Semaphore;

/// The limiters configured under `[rate_limits]` and `[quotas]`.
pub struct Limiters {
    pub per_key: Option<Box<dyn RateLimiter>>,
    pub per_tenant: Option<Box<dyn RateLimiter>>,
    pub per_client: Option<Box<dyn RateLimiter>>,
    pub daily_per_key: Option<Quota>,
    pub daily_per_tenant: Option<Quota>,
    /// The shared backend when `[rate_limits.redis]` is set.
    pub redis: Option<Arc<RedisBackend>>,
}

impl Limiters {
    /// In memory, or in Redis when `[rate_limits.redis]` is set (the
    /// password reference is resolved here; no connection is made yet).
    pub fn from_config(c: &GatewayConfig, metrics: &Arc<RedisMetrics>) -> Result<Limiters, Error> {
        let redis = c
            .rate_limits
            .redis
            .as_ref()
            .map(|r| RedisBackend::new(r, metrics.clone()).map(Arc::new))
            .transpose()?;
        let gcra = |r: &Option<crate::config::Rate>, name: &'static str| {
            r.as_ref().map(|r| match &redis {
                Some(b) => Box::new(SharedGcra::new(r, name, b.clone())) as Box<dyn RateLimiter>,
                None => Box::new(Gcra::new(r)) as Box<dyn RateLimiter>,
            })
        };
        let quota = |limit: Option<u64>, name: &'static str| {
            limit.map(|l| match &redis {
                Some(b) => Quota::Shared(SharedQuota::new(l, name, b.clone())),
                None => Quota::Local(DailyQuota::new(l)),
            })
        };
        Ok(Limiters {
            per_key: gcra(&c.rate_limits.per_key, "key"),
            per_tenant: gcra(&c.rate_limits.per_tenant, "tenant"),
            per_client: gcra(&c.rate_limits.per_client, "client"),
            daily_per_key: quota(c.quotas.daily_requests_per_key, "key"),
            daily_per_tenant: quota(c.quotas.daily_requests_per_tenant, "tenant"),
            redis,
        })
    }
}

/// Shared state (behind an `Arc`).
pub struct AppState {
    pub config: Arc<GatewayConfig>,
    pub keys: ArcSwap<KeyTable>,
    pub hasher: KeyHasher,
    pub limiters: Limiters,
    /// In-flight permits per key id.
    pub in_flight: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub audit: Arc<dyn AuditSink>,
    pub metrics: Metrics,
    pub upstreams: Upstreams,
    /// JWT / introspection checks (`[auth]`); set once by `Gateway::from_parts`.
    pub tokens: OnceLock<Arc<TokenAuth>>,
}

impl AppState {
    pub fn new(
        config: Arc<GatewayConfig>,
        keys: KeyTable,
        hasher: KeyHasher,
        audit: Arc<dyn AuditSink>,
    ) -> Result<Arc<AppState>, Error> {
        let metrics = Metrics::default();
        Ok(Arc::new(AppState {
            limiters: Limiters::from_config(&config, &metrics.redis)?,
            upstreams: Upstreams::new(&config)?,
            config,
            keys: ArcSwap::from_pointee(keys),
            hasher,
            in_flight: Mutex::new(HashMap::new()),
            audit,
            metrics,
            tokens: OnceLock::new(),
        }))
    }
}
