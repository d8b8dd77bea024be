//! Pooled HTTP/1.1 connections to one plain-HTTP upstream, for the
//! upstream-request phase.
//!
//! hyper-util's pooled client costs a second task per request: the
//! connection goes back to its pool only once it is ready again, and the
//! client spawns a task to wait for that. Here the response body carries the
//! connection's handle and puts it back when the body ends; a request takes
//! the most recently used connection that is ready for a new request (one
//! still sending an earlier request's body is not), or opens one. A body
//! dropped before its end takes the connection with it (hyper closes it).
//!
//! One pool per route and worker thread (see [`crate::proxy`]), so with
//! `listen.workers` set its lock is not contended and a connection's task
//! runs on the thread that uses it. A request that finds its pooled connection closed before anything
//! was sent is retried on another (hyper hands the request back); one that
//! fails on a new connection is not. Idle connections older than
//! [`IDLE_TIMEOUT`] are dropped when met; there is no reaper, so an unused
//! pool keeps its connections until the upstream closes them.
//! h2c and TLS upstreams keep hyper-util's client.

use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// Idle connections kept per pool (one pool per route and worker).
pub const MAX_IDLE: usize = 128;
/// Idle connections older than this are not reused.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest wait for a new TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an upstream request failed (the detail goes to the log only).
pub type UpstreamError = Box<dyn std::error::Error + Send + Sync>;

/// See the module documentation.
pub struct Http1Pool {
    /// `host:port` to connect to.
    addr: String,
    idle: Mutex<Vec<(SendRequest<Body>, Instant)>>,
}

impl Http1Pool {
    pub fn new(addr: String) -> Arc<Http1Pool> {
        Arc::new(Http1Pool {
            addr,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Send `req` (origin-form URI, `Host` set) on a pooled or new
    /// connection.
    pub async fn send(
        self: &Arc<Self>,
        mut req: http::Request<Body>,
    ) -> Result<http::Response<PooledBody>, UpstreamError> {
        loop {
            let (mut sender, fresh) = match self.take() {
                Some(s) => (s, false),
                None => (self.connect().await?, true),
            };
            if let Err(e) = sender.ready().await {
                if fresh {
                    return Err(e.into());
                }
                continue;
            }
            match sender.try_send_request(req).await {
                Ok(resp) => {
                    let slot = Some((sender, self.clone()));
                    return Ok(resp.map(|inner| PooledBody { inner, slot }));
                }
                Err(mut e) => match e.take_message() {
                    // Not sent: the pooled connection had closed meanwhile.
                    Some(r) if !fresh => req = r,
                    _ => return Err(e.into_error().into()),
                },
            }
        }
    }

    /// The most recently used idle connection that is ready for a request.
    /// Closed and expired ones are dropped; ones still busy stay.
    fn take(&self) -> Option<SendRequest<Body>> {
        let mut idle = self.idle.lock().ok()?;
        let now = Instant::now();
        idle.retain(|(s, since)| !s.is_closed() && now.duration_since(*since) < IDLE_TIMEOUT);
        let i = idle.iter().rposition(|(s, _)| s.is_ready())?;
        Some(idle.remove(i).0)
    }

    fn put(&self, sender: SendRequest<Body>) {
        if sender.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push((sender, Instant::now()));
        }
    }

    async fn connect(&self) -> Result<SendRequest<Body>, UpstreamError> {
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&self.addr))
            .await
            .map_err(|_| format!("connecting to {}: timed out", self.addr))??;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "upstream connection ended with an error");
            }
        });
        Ok(sender)
    }
}

pin_project_lite::pin_project! {
    /// A response body from the upstream; at its end, the connection goes
    /// back to its pool. Bodies of hyper-util's client carry no connection.
    pub struct PooledBody {
        #[pin]
        inner: Incoming,
        slot: Option<(SendRequest<Body>, Arc<Http1Pool>)>,
    }

    impl PinnedDrop for PooledBody {
        fn drop(this: Pin<&mut Self>) {
            // Ended without being read to `None` (an empty body is often
            // never polled): still reusable.
            let this = this.project();
            if http_body::Body::is_end_stream(&*this.inner)
                && let Some((sender, pool)) = this.slot.take()
            {
                pool.put(sender);
            }
        }
    }
}

impl PooledBody {
    /// A body of hyper-util's client.
    pub fn unpooled(inner: Incoming) -> PooledBody {
        PooledBody { inner, slot: None }
    }
}

impl http_body::Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(None) => {
                if let Some((sender, pool)) = this.slot.take() {
                    pool.put(sender);
                }
            }
            // A broken body: the connection is not reused.
            Poll::Ready(Some(Err(_))) => *this.slot = None,
            _ => {}
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
