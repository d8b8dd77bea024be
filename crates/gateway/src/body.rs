//! Body wrappers. Frames pass through as they arrive (never buffered here),
//! so server-sent events stream token by token.
//!
//! - [`RequestGuard`]: the request body on its way upstream: counts bytes
//!   (into the request context's `bytes_in`),
//!   stops at the route's size limit and at the body-read deadline.
//! - [`Observed`]: the response body on its way to the client: counts bytes
//!   and runs a closure once when the body ends or is dropped (the logging
//!   phase), and holds guards (a concurrency permit) until then.
//! - [`IdleGuard`]: the upstream's response body: cut off (an error, which
//!   aborts the client's stream) when no chunk arrives for the idle time.
//! - [`KeepUnread`]: the client's request body; if a phase refuses the
//!   request without reading it, the unread body is parked in a slot, and
//!   the request-id phase drains it (when small) or keeps it until the response
//!   is sent. Over HTTP/2, a request body dropped unread resets the stream,
//!   and curl then loses the 401/429 it was sent.

use crate::context::Ctx;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a streamed request body was cut off (read by the proxy to choose
/// 413 or 408 over 502).
#[derive(Debug, Default)]
pub struct BodyVerdict(AtomicU8);

impl BodyVerdict {
    pub const OK: u8 = 0;
    pub const TOO_LARGE: u8 = 1;
    pub const TIMED_OUT: u8 = 2;
    pub fn get(&self) -> u8 {
        self.0.load(Ordering::Relaxed)
    }
    fn set(&self, v: u8) {
        self.0.store(v, Ordering::Relaxed);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("request body cut off")]
struct CutOff;

#[derive(Debug, thiserror::Error)]
#[error("upstream response stalled")]
struct Stalled;

pin_project! {
    /// See the module documentation.
    pub struct RequestGuard<B> {
        #[pin]
        inner: B,
        #[pin]
        deadline: Sleep,
        limit: u64,
        // Bytes read so far are counted in the context's `bytes_in`.
        ctx: Ctx,
        verdict: Arc<BodyVerdict>,
    }
}

impl<B> RequestGuard<B> {
    pub fn new(
        inner: B,
        limit: u64,
        deadline: Instant,
        ctx: Ctx,
        verdict: Arc<BodyVerdict>,
    ) -> Self {
        RequestGuard {
            inner,
            deadline: tokio::time::sleep_until(deadline),
            limit,
            ctx,
            verdict,
        }
    }
}

impl<B> Body for RequestGuard<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let n = u64::try_from(data.len()).unwrap_or(u64::MAX);
                    let total = this
                        .ctx
                        .bytes_in
                        .fetch_add(n, Ordering::Relaxed)
                        .saturating_add(n);
                    if total > *this.limit {
                        this.verdict.set(BodyVerdict::TOO_LARGE);
                        return Poll::Ready(Some(Err(CutOff.into())));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if this.deadline.poll(cx).is_ready() {
                    this.verdict.set(BodyVerdict::TIMED_OUT);
                    return Poll::Ready(Some(Err(CutOff.into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project! {
    /// See the module documentation.
    pub struct Observed<B> {
        #[pin]
        inner: B,
        bytes: u64,
        on_end: Option<Box<dyn FnOnce(u64) + Send>>,
        _guards: Vec<Box<dyn std::any::Any + Send>>,
    }
    impl<B> PinnedDrop for Observed<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(f) = this.on_end.take() {
                f(*this.bytes);
            }
        }
    }
}

impl<B> Observed<B> {
    pub fn new(inner: B, on_end: Box<dyn FnOnce(u64) + Send>) -> Self {
        Observed {
            inner,
            bytes: 0,
            on_end: Some(on_end),
            _guards: Vec::new(),
        }
    }

    /// Also keep `guards` alive until the body is finished.
    pub fn holding_all(mut self, guards: Vec<Box<dyn std::any::Any + Send + Sync>>) -> Self {
        self._guards.extend(
            guards
                .into_iter()
                .map(|g| g as Box<dyn std::any::Any + Send>),
        );
        self
    }

    /// Keep `guard` alive until the body is finished.
    pub fn holding(inner: B, guard: Box<dyn std::any::Any + Send>) -> Self {
        Observed {
            inner,
            bytes: 0,
            on_end: None,
            _guards: vec![guard],
        }
    }
}

impl<B: Body<Data = Bytes>> Body for Observed<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(d) = frame.data_ref() {
                    *this.bytes = this
                        .bytes
                        .saturating_add(u64::try_from(d.len()).unwrap_or(u64::MAX));
                }
            }
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => {
                if let Some(f) = this.on_end.take() {
                    f(*this.bytes);
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project! {
    /// See the module documentation.
    pub struct IdleGuard<B> {
        #[pin]
        inner: B,
        #[pin]
        timer: Sleep,
        idle: Duration,
        // When the body is cut off unless another frame comes. The timer is
        // moved to it only when it fires early: resetting it on every frame
        // re-registered it with the timer driver each time.
        due: Instant,
        on_stall: Option<Box<dyn FnOnce() + Send>>,
    }
}

impl<B> IdleGuard<B> {
    /// `on_stall` runs once if the body is cut off.
    pub fn new(inner: B, idle: Duration, on_stall: Box<dyn FnOnce() + Send>) -> Self {
        let timer = tokio::time::sleep(idle);
        IdleGuard {
            inner,
            due: timer.deadline(),
            timer,
            idle,
            on_stall: Some(on_stall),
        }
    }
}

impl<B> Body for IdleGuard<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let mut this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                *this.due = Instant::now() + *this.idle;
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => loop {
                if this.timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                if this.timer.deadline() < *this.due {
                    // Frames came since the timer was set: wait from the last.
                    this.timer.as_mut().reset(*this.due);
                    continue;
                }
                if let Some(f) = this.on_stall.take() {
                    f();
                }
                return Poll::Ready(Some(Err(Stalled.into())));
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Where [`KeepUnread`] parks an unread body.
pub type UnreadSlot = Arc<std::sync::Mutex<Option<axum::body::Body>>>;

/// See the module documentation.
pub struct KeepUnread {
    inner: Option<axum::body::Body>,
    slot: UnreadSlot,
}

impl KeepUnread {
    pub fn new(inner: axum::body::Body, slot: UnreadSlot) -> Self {
        KeepUnread {
            inner: Some(inner),
            slot,
        }
    }
}

impl Drop for KeepUnread {
    fn drop(&mut self) {
        if let Some(body) = self.inner.take()
            && !body.is_end_stream()
            && let Ok(mut slot) = self.slot.lock()
        {
            *slot = Some(body);
        }
    }
}

impl Body for KeepUnread {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.inner.as_mut() {
            Some(b) => Pin::new(b).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map(|b| b.size_hint())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::sync::atomic::AtomicBool;

    /// Frames 60 ms apart for longer than the 100 ms idle time pass; the
    /// first silence of 100 ms cuts the body off.
    #[tokio::test(start_paused = true)]
    async fn idle_guard_cuts_off_after_idle_time_without_a_frame_only() {
        let (mut tx, body) = http_body_util::channel::Channel::<Bytes, BoxError>::new(1);
        tokio::spawn(async move {
            for _ in 0..10 {
                tokio::time::sleep(Duration::from_millis(60)).await;
                tx.send_data(Bytes::from_static(b"x")).await.unwrap();
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(tx);
        });
        let stalled = Arc::new(AtomicBool::new(false));
        let s = stalled.clone();
        let on_stall = Box::new(move || s.store(true, Ordering::Relaxed));
        let mut guard = Box::pin(IdleGuard::new(body, Duration::from_millis(100), on_stall));
        for _ in 0..10 {
            let frame = guard.frame().await.unwrap().unwrap();
            assert!(frame.data_ref().is_some());
        }
        assert!(!stalled.load(Ordering::Relaxed));
        let last = Instant::now();
        assert!(matches!(guard.frame().await, Some(Err(_))));
        assert!(stalled.load(Ordering::Relaxed));
        let waited = last.elapsed();
        assert!(
            waited >= Duration::from_millis(100) && waited < Duration::from_millis(200),
            "{waited:?}"
        );
    }
}
