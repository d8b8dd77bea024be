//! Request filter: per-key and per-tenant rate limits (GCRA) and daily
//! quotas, after authentication. Refusals are 429 with `Retry-After` and the
//! IETF `RateLimit-Policy` / `RateLimit` headers
//! (draft-ietf-httpapi-ratelimit-headers: `"name";q=N;w=S` and
//! `"name";r=N;t=S`); allowed requests get the per-key headers too.
//! With `[rate_limits.redis]` the limits are shared by replicas; a check
//! waits only when a Redis round trip is needed (see `crate::ratelimit`).

use crate::context::Session;
use crate::keys::unix_now;
use crate::ratelimit::{RateLimiter, Verdict};
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::response::Response;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;
use tokio::time::Instant;

pub async fn limit(state: &AppState, s: &mut Session) -> Result<(), GatewayError> {
    let identity = crate::layers::identity(s)?;
    let now = Instant::now();
    let l = &state.limiters;
    let mut key_limit = None;
    if let Some(limiter) = &l.per_key {
        let v = limiter.check(&identity.id, now).get().await;
        if !v.allowed {
            return Err(refuse("per-key", limiter.as_ref(), v));
        }
        key_limit = Some((limiter.policy(), v));
    }
    if let (Some(limiter), Some(tenant)) = (&l.per_tenant, &identity.tenant) {
        let v = limiter.check(tenant, now).get().await;
        if !v.allowed {
            return Err(refuse("per-tenant", limiter.as_ref(), v));
        }
    }
    let today = unix_now();
    if let Some(q) = &l.daily_per_key {
        q.take(&identity.id, today)
            .get()
            .await
            .map_err(|wait| GatewayError::QuotaExhausted {
                policy: "daily-per-key",
                retry_after: wait,
                limit: q.limit(),
            })?;
    }
    if let (Some(q), Some(tenant)) = (&l.daily_per_tenant, &identity.tenant) {
        q.take(tenant, today)
            .get()
            .await
            .map_err(|wait| GatewayError::QuotaExhausted {
                policy: "daily-per-tenant",
                retry_after: wait,
                limit: q.limit(),
            })?;
    }
    s.key_limit = key_limit;
    Ok(())
}

/// On the way out: the per-key `RateLimit` headers on a response to a
/// request the limits let through (whatever later phases answered).
pub fn response_headers(s: &Session, mut resp: Response) -> Response {
    if let Some(((q, w), v)) = s.key_limit {
        limit_headers(
            resp.headers_mut(),
            "per-key",
            q,
            w,
            v.remaining,
            v.wait,
            false,
        );
    }
    resp
}

/// The 429 for a refused limit.
pub(crate) fn refuse(policy: &'static str, limiter: &dyn RateLimiter, v: Verdict) -> GatewayError {
    let (limit, window_secs) = limiter.policy();
    GatewayError::RateLimited {
        policy,
        retry_after: v.wait,
        limit,
        window_secs,
    }
}

/// Set `RateLimit-Policy`, `RateLimit` and (when refused) `Retry-After`.
pub(crate) fn limit_headers(
    headers: &mut HeaderMap,
    policy: &str,
    limit: u64,
    window_secs: u64,
    remaining: u64,
    wait: Duration,
    refused: bool,
) {
    // Round up: a client waiting the advertised time must succeed.
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    // Built by hand: these go on every response the limits let through.
    let item = |k1: &str, a: u64, k2: &str, b: u64| {
        let (mut n, mut m) = (itoa::Buffer::new(), itoa::Buffer::new());
        let (a, b) = (n.format(a), m.format(b));
        let mut v = String::with_capacity(policy.len() + a.len() + b.len() + 12);
        v.push('"');
        v.push_str(policy);
        v.push_str("\";");
        v.push_str(k1);
        v.push('=');
        v.push_str(a);
        v.push(';');
        v.push_str(k2);
        v.push('=');
        v.push_str(b);
        HeaderValue::from_str(&v).ok()
    };
    if let Some(v) = item("q", limit, "w", window_secs) {
        headers.insert(HeaderName::from_static("ratelimit-policy"), v);
    }
    if let Some(v) = item("r", remaining, "t", secs) {
        headers.insert(HeaderName::from_static("ratelimit"), v);
    }
    if refused {
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
}
