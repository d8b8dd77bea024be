//! Request filter, first: give the request an id and a context. The id is
//! always generated here (a client-sent `X-Request-Id` is not trusted) and
//! goes upstream and back to the client in `X-Request-Id`. Last on the way
//! out: [`finish`] deals with a request body that no phase read.

use crate::body::{KeepUnread, Observed, UnreadSlot};
use crate::context::{ClientAddr, Ctx, Facts, RequestCtx};
use axum::body::Body;
use axum::extract::Request;
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

/// Create the request's context and wrap its body so that a body left
/// unread by a refusing phase is parked in the returned slot.
pub fn assign(req: Request) -> (Ctx, Request, UnreadSlot) {
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
    let slot: UnreadSlot = Arc::default();
    let req = req.map(|b| Body::new(KeepUnread::new(b, slot.clone())));
    (ctx, req, slot)
}

/// On the way out: a small unread body (a refused request's JSON) is read
/// to its end first, so that the stream closes normally; a large or slow
/// one is kept until the response is sent.
pub async fn finish(slot: UnreadSlot, resp: Response) -> Response {
    let Some(mut unread) = slot.lock().ok().and_then(|mut s| s.take()) else {
        return resp;
    };
    if let Ok(true) = tokio::time::timeout(DRAIN_TIME, drain(&mut unread, DRAIN_BYTES)).await {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    Response::from_parts(parts, Body::new(Observed::holding(body, Box::new(unread))))
}

/// Most bytes of an unread request body read and discarded before a refusal.
pub const DRAIN_BYTES: usize = 64 * 1024;
/// Longest wait for them.
pub const DRAIN_TIME: std::time::Duration = std::time::Duration::from_millis(200);

/// Read `body` to its end if it holds at most `limit` bytes.
async fn drain(body: &mut Body, limit: usize) -> bool {
    use http_body_util::BodyExt;
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return false };
        if let Some(d) = frame.data_ref() {
            seen = seen.saturating_add(d.len());
            if seen > limit {
                return false;
            }
        }
    }
    true
}
