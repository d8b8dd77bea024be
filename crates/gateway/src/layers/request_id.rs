//! Request filter, first: give the request an id and a context. The id is
//! always generated here (a client-sent `X-Request-Id` is not trusted) and
//! goes upstream and back to the client in `X-Request-Id`.

use crate::context::{ClientAddr, Ctx, Facts, RequestCtx};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A per-process random prefix and a counter: unique, cheap, unguessable
/// enough to not leak request volume across restarts.
fn next_id() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        use ring::rand::{SecureRandom, SystemRandom};
        let mut b = [0u8; 6];
        let _ = SystemRandom::new().fill(&mut b);
        hex::encode(b)
    });
    format!("{prefix}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

pub async fn assign(mut req: Request, next: Next) -> Response {
    let client = req.extensions().get::<ClientAddr>().map(|c| c.0);
    let ctx: Ctx = Arc::new(RequestCtx {
        request_id: next_id(),
        started: Instant::now(),
        method: req.method().as_str().to_string(),
        client,
        facts: std::sync::Mutex::new(Facts::default()),
        bytes_in: AtomicU64::new(0),
        upstream_stalled: AtomicBool::new(false),
    });
    req.extensions_mut().insert(ctx);
    next.run(req).await
}
