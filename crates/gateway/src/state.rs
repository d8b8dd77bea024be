//! Everything the layers share: configuration, keys, limiters, metrics,
//! the audit sink and the upstream clients. Built once; keys swap on reload.

use crate::audit::AuditSink;
use crate::config::GatewayConfig;
use crate::keys::{KeyHasher, KeyTable};
use crate::metrics::Metrics;
use crate::proxy::Upstreams;
use crate::ratelimit::{DailyQuota, Gcra, RateLimiter};
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
    pub daily_per_key: Option<DailyQuota>,
    pub daily_per_tenant: Option<DailyQuota>,
}

impl Limiters {
    pub fn from_config(c: &GatewayConfig) -> Limiters {
        let gcra = |r: &Option<crate::config::Rate>| {
            r.as_ref()
                .map(|r| Box::new(Gcra::new(r)) as Box<dyn RateLimiter>)
        };
        Limiters {
            per_key: gcra(&c.rate_limits.per_key),
            per_tenant: gcra(&c.rate_limits.per_tenant),
            per_client: gcra(&c.rate_limits.per_client),
            daily_per_key: c.quotas.daily_requests_per_key.map(DailyQuota::new),
            daily_per_tenant: c.quotas.daily_requests_per_tenant.map(DailyQuota::new),
        }
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
    ) -> Result<Arc<AppState>, crate::Error> {
        Ok(Arc::new(AppState {
            limiters: Limiters::from_config(&config),
            upstreams: Upstreams::new(&config)?,
            config,
            keys: ArcSwap::from_pointee(keys),
            hasher,
            in_flight: Mutex::new(HashMap::new()),
            audit,
            metrics: Metrics::default(),
            tokens: OnceLock::new(),
        }))
    }
}
