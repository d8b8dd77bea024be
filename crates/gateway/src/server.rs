//! Listening and serving: the public listener (TLS or, where allowed, plain
//! HTTP) and the admin listener; per-connection client address; header read
//! timeout; SIGHUP reload (keys and certificate, connections kept); SIGTERM
//! or Ctrl-C graceful shutdown that stops accepting and waits at most
//! `limits.shutdown_grace` for in-flight requests.

use crate::audit::{AuditSink, open_sink};
use crate::config::GatewayConfig;
use crate::context::ClientAddr;
use crate::keys::{KeyHasher, KeyStore, KeyTable};
use crate::state::AppState;
use crate::tls::{ReloadingCert, server_config};
use crate::tokens::TokenAuth;
use crate::{Error, admin, app};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// A configured gateway, not yet listening.
pub struct Gateway {
    state: Arc<AppState>,
    cert: Option<Arc<ReloadingCert>>,
}

/// Bound listeners (addresses known, e.g. for port 0 in tests).
pub struct Bound {
    public: TcpListener,
    admin: TcpListener,
}

impl Bound {
    pub fn public_addr(&self) -> Option<SocketAddr> {
        self.public.local_addr().ok()
    }
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.local_addr().ok()
    }
}

impl Gateway {
    /// Resolve the key-hash secret, open the key store, load keys, open the
    /// audit log, load the certificate. Warnings about key files (modes
    /// too open) are logged.
    pub fn from_config(config: GatewayConfig) -> Result<Gateway, Error> {
        let hasher = KeyHasher::from_reference(&config.key_hash_secret)?;
        let keys = KeyStore::open(&config.key_store, hasher.clone())?.load_table()?;
        let (audit, warnings) = open_sink(&config)?;
        for w in warnings {
            tracing::warn!("{w}");
        }
        Gateway::from_parts(config, keys, hasher, audit)
    }

    /// Assemble from parts (tests and embedding).
    pub fn from_parts(
        config: GatewayConfig,
        keys: KeyTable,
        hasher: KeyHasher,
        audit: Arc<dyn AuditSink>,
    ) -> Result<Gateway, Error> {
        let cert = config.tls.as_ref().map(ReloadingCert::load).transpose()?;
        let tokens = TokenAuth::from_config(&config)?.map(Arc::new);
        let state = AppState::new(Arc::new(config), keys, hasher, audit)?;
        if let Some(t) = tokens {
            let _ = state.metrics.tokens.set(t.clone());
            let _ = state.tokens.set(t);
        }
        Ok(Gateway { state, cert })
    }

    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Re-read keys (from the key store) and the certificate. On error the
    /// old ones stay in use.
    pub fn reload(&self) -> Result<usize, Error> {
        let c = &self.state.config;
        if let (Some(cert), Some(tls)) = (&self.cert, &c.tls) {
            cert.reload(tls)?;
        }
        let table = KeyStore::open(&c.key_store, self.state.hasher.clone())?.load_table()?;
        let n = table.len();
        self.state.keys.store(Arc::new(table));
        Ok(n)
    }

    pub async fn bind(&self) -> Result<Bound, Error> {
        let l = &self.state.config.listen;
        let bind = |a: SocketAddr| async move {
            TcpListener::bind(a)
                .await
                .map_err(|e| Error::Bind(a, e.to_string()))
        };
        Ok(Bound {
            public: bind(l.public).await?,
            admin: bind(l.admin).await?,
        })
    }

    /// Serve until `shutdown` completes, then drain (bounded).
    pub async fn serve(
        &self,
        bound: Bound,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), Error> {
        let tls = match (&self.cert, &self.state.config.tls) {
            (Some(cert), Some(tls)) => Some(TlsAcceptor::from(Arc::new(server_config(
                tls,
                cert.clone(),
            )?))),
            _ => None,
        };
        if let Some(t) = self.state.tokens.get().cloned() {
            // Fetch JWKS now, off the async workers; a failure is a warning:
            // requests then fetch again (rate-limited) and answer 503 until
            // keys are available.
            tokio::task::spawn_blocking(move || {
                for (issuer, e) in t.prefetch() {
                    tracing::warn!(%issuer, error = %e, "JWKS prefetch failed; serving without keys for this issuer until a fetch succeeds");
                }
            });
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        // Every connection task holds a sender; when all are dropped, the
        // drain is complete.
        let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
        let header_timeout = self.state.config.limits.header_read_timeout.0;
        let public_conn = ConnSetup {
            service: app::router(self.state()),
            tls,
            header_timeout,
            alive: alive_tx.clone(),
            stop: stop_rx.clone(),
        };
        // Workers stop once the drain below is over (or its grace ended).
        let (finished_tx, finished_rx) = watch::channel(false);
        let (serving, workers) = match self.state.config.listen.workers {
            Some(n) => {
                let tick = worker_tick(&self.state.config);
                let (s, w) = start_workers(n, public_conn.clone(), finished_rx, tick)?;
                (s, Some(w))
            }
            None => (Serving::Here, None),
        };
        let public = tokio::spawn(accept_loop(bound.public, public_conn, serving));
        let admin_conn = ConnSetup {
            service: admin::router(self.state()),
            tls: None,
            header_timeout,
            alive: alive_tx,
            stop: stop_rx,
        };
        let admin = tokio::spawn(accept_loop(bound.admin, admin_conn, Serving::Here));
        shutdown.await;
        let _ = stop_tx.send(true);
        let _ = public.await;
        let _ = admin.await;
        let grace = self.state.config.limits.shutdown_grace.0;
        if tokio::time::timeout(grace, alive_rx.recv()).await.is_err() {
            tracing::warn!("shutdown grace period over; closing remaining connections");
        }
        let _ = finished_tx.send(true);
        if let Some(w) = workers {
            w.join().await;
        }
        Ok(())
    }

    /// Serve with signal handling: SIGHUP reloads, SIGTERM or Ctrl-C stops.
    pub async fn run(&self, bound: Bound) -> Result<(), Error> {
        use tokio::signal::unix::{SignalKind, signal};
        let io = |e: std::io::Error| Error::Io("signal handler".into(), e.to_string());
        let mut hup = signal(SignalKind::hangup()).map_err(io)?;
        let mut term = signal(SignalKind::terminate()).map_err(io)?;
        let stop = async {
            loop {
                tokio::select! {
                    _ = hup.recv() => match self.reload() {
                        Ok(n) => tracing::info!(keys = n, "reloaded keys and certificate"),
                        Err(e) => tracing::error!(error = %e, "reload failed; keeping the old keys and certificate"),
                    },
                    _ = term.recv() => break,
                    _ = tokio::signal::ctrl_c() => break,
                }
            }
            tracing::info!("shutting down: draining in-flight requests");
        };
        self.serve(bound, stop).await
    }
}

/// An accepted connection on its way to a worker thread.
type Handed = (std::net::TcpStream, SocketAddr);

/// Where accepted connections are served.
enum Serving {
    /// On the runtime that accepts them.
    Here,
    /// Handed in turn to worker threads (`listen.workers`).
    Workers {
        to: Vec<mpsc::Sender<Handed>>,
        next: usize,
    },
}

/// The worker threads, joined once they are told to finish.
struct Workers {
    threads: Vec<std::thread::JoinHandle<()>>,
}

/// Accepted connections waiting for a worker thread to take them, per
/// worker. When every worker's queue is full, the acceptor waits (and the
/// kernel's listen backlog fills) instead of queueing without bound.
pub const WORKER_BACKLOG: usize = 1024;

/// Longest wait for worker threads to finish after the drain.
const WORKER_JOIN_TIME: Duration = Duration::from_secs(5);

impl Workers {
    /// Wait (off the async executor, bounded) for the threads to end, so
    /// that what their connections held, the audit log included, is let go
    /// before the caller returns.
    async fn join(self) {
        let joined = tokio::task::spawn_blocking(move || {
            for t in self.threads {
                let _ = t.join();
            }
        });
        if tokio::time::timeout(WORKER_JOIN_TIME, joined)
            .await
            .is_err()
        {
            tracing::warn!("worker threads did not finish in time");
        }
    }
}

thread_local! {
    /// 1..=N on worker threads, 0 elsewhere.
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The worker thread this runs on (1..=N), or 0 off the workers.
pub(crate) fn worker_index() -> usize {
    WORKER.with(|w| w.get())
}

/// Start `n` worker threads, each with a single-threaded runtime serving
/// the connections sent to it. A worker keeps running, so that its
/// connections can drain, until `finished` turns true.
fn start_workers<S>(
    n: usize,
    conn: ConnSetup<S>,
    finished: watch::Receiver<bool>,
    tick: Duration,
) -> Result<(Serving, Workers), Error>
where
    S: PublicService,
{
    if n == 0 {
        return Err(Error::invalid("listen.workers", "must be at least 1"));
    }
    let mut to = Vec::with_capacity(n);
    let mut threads = Vec::with_capacity(n);
    for i in 1..=n {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Io("worker runtime".into(), e.to_string()))?;
        let (tx, mut rx) = mpsc::channel::<Handed>(WORKER_BACKLOG);
        let conn = conn.clone();
        let mut finished = finished.clone();
        let thread = std::thread::Builder::new()
            .name(format!("aigis-worker-{i}"))
            .spawn(move || {
                WORKER.with(|w| w.set(i));
                runtime.block_on(async move {
                    tokio::spawn(async move {
                        let mut t = tokio::time::interval(tick);
                        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                        loop {
                            t.tick().await;
                        }
                    });
                    while let Some((stream, peer)) = rx.recv().await {
                        match TcpStream::from_std(stream) {
                            Ok(stream) => {
                                tokio::spawn(conn.clone().serve(stream, peer));
                            }
                            Err(e) => tracing::warn!(error = %e, "cannot adopt a connection"),
                        }
                    }
                    // The acceptor has stopped: this worker's own hold on the
                    // drain goes; its connections keep theirs until they end.
                    drop(conn);
                    let _ = finished.wait_for(|done| *done).await;
                });
            })
            .map_err(|e| Error::Io("worker thread".into(), e.to_string()))?;
        to.push(tx);
        threads.push(thread);
    }
    Ok((Serving::Workers { to, next: 0 }, Workers { threads }))
}

/// The period of each worker's idle tick. tokio's timer driver wakes its
/// thread (an eventfd write, then one more epoll round) whenever a timer is
/// registered that falls due before the driver's next planned wake-up:
/// without other timers, that was every request's header-read timer. The
/// timers a request registers fall due after the shortest configured
/// timeout at the earliest; a tick at half that keeps the planned wake-up
/// ahead of them, for one wake-up per tick on an idle worker.
fn worker_tick(config: &crate::config::GatewayConfig) -> Duration {
    let l = &config.limits;
    let shortest = config
        .routes
        .iter()
        .flat_map(|r| [r.timeout.0, r.idle_timeout.0])
        .chain([l.header_read_timeout.0, l.body_read_timeout.0])
        .min()
        .unwrap_or(Duration::from_secs(1));
    (shortest / 2).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// What the public and admin services need of their service type.
trait PublicService:
    tower::Service<
        http::Request<Incoming>,
        Response = Response,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> PublicService for S where
    S: tower::Service<
            http::Request<Incoming>,
            Response = Response,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// Everything a connection needs, cloned per connection.
#[derive(Clone)]
struct ConnSetup<S> {
    service: S,
    tls: Option<TlsAcceptor>,
    header_timeout: Duration,
    /// Held while the connection lives (the drain waits for all).
    alive: mpsc::Sender<()>,
    stop: watch::Receiver<bool>,
}

impl<S: PublicService> ConnSetup<S> {
    /// Serve one connection: TLS handshake (bounded by the header timeout),
    /// then HTTP/1.1 or HTTP/2 until it closes or shutdown drains it.
    async fn serve(self, stream: TcpStream, peer: SocketAddr) {
        let ConnSetup {
            service,
            tls,
            header_timeout,
            alive,
            stop,
        } = self;
        let svc = hyper::service::service_fn(move |mut req: http::Request<Incoming>| {
            req.extensions_mut().insert(ClientAddr(peer));
            service.clone().oneshot(req)
        });
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        builder.http2().timer(TokioTimer::new());
        match tls {
            Some(acceptor) => {
                let Ok(Ok(tls_stream)) =
                    tokio::time::timeout(header_timeout, acceptor.accept(stream)).await
                else {
                    return;
                };
                let conn = builder.serve_connection(TokioIo::new(tls_stream), svc);
                drain(conn, stop).await;
            }
            None => drain(builder.serve_connection(TokioIo::new(stream), svc), stop).await,
        }
        drop(alive);
    }
}

async fn accept_loop<S: PublicService>(
    listener: TcpListener,
    conn: ConnSetup<S>,
    mut serving: Serving,
) {
    let mut stop = conn.stop.clone();
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and similar: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        match &mut serving {
            Serving::Here => {
                tokio::spawn(conn.clone().serve(stream, peer));
            }
            Serving::Workers { to, next } => {
                let std = match stream.into_std() {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot hand a connection over");
                        continue;
                    }
                };
                let start = *next;
                *next = next.wrapping_add(1);
                if let Some(wait) = hand_over(to, start, (std, peer)) {
                    // Every worker is behind: wait for the one in turn.
                    tokio::select! {
                        r = wait.0.send(wait.1) => if r.is_err() {
                            tracing::error!("a worker thread has stopped; connection dropped");
                        },
                        _ = stop.changed() => return,
                    }
                }
            }
        }
    }
}

/// Give a connection to the first worker, from `start` on, with room in its
/// queue. When none has room, the worker in turn and the connection come
/// back for the caller to wait on.
fn hand_over(
    to: &[mpsc::Sender<Handed>],
    start: usize,
    mut item: Handed,
) -> Option<(&mpsc::Sender<Handed>, Handed)> {
    let n = to.len();
    let worker = |k: usize| start.wrapping_add(k).checked_rem(n).and_then(|i| to.get(i));
    for k in 0..n {
        let w = worker(k)?;
        match w.try_send(item) {
            Ok(()) => return None,
            Err(mpsc::error::TrySendError::Full(back)) => item = back,
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::error!("a worker thread has stopped; connection dropped");
                return None;
            }
        }
    }
    Some((worker(0)?, item))
}

/// Run a connection; when shutdown starts, ask it to finish its in-flight
/// requests and close (HTTP/1 after the current response, HTTP/2 GOAWAY).
async fn drain<C>(conn: C, mut stop: watch::Receiver<bool>)
where
    C: Future<Output = Result<(), Box<dyn std::error::Error + Send + Sync>>> + GracefulConn,
{
    let mut conn = std::pin::pin!(conn);
    let result = if *stop.borrow() {
        conn.as_mut().shutdown_gracefully();
        conn.await
    } else {
        tokio::select! {
            r = conn.as_mut() => r,
            _ = stop.changed() => {
                conn.as_mut().shutdown_gracefully();
                conn.await
            }
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// hyper-util's auto connection, named so `drain` can be generic over the IO type.
trait GracefulConn {
    fn shutdown_gracefully(self: std::pin::Pin<&mut Self>);
}

impl<I, S, B> GracefulConn for hyper_util::server::conn::auto::Connection<'_, I, S, TokioExecutor>
where
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Future: Send + 'static,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S: Send + 'static,
{
    fn shutdown_gracefully(self: std::pin::Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hand_over_skips_full_workers_and_gives_back_when_all_are_full() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        let conn = || (std::net::TcpStream::connect(addr).unwrap(), addr);
        let (a, mut ra) = mpsc::channel(1);
        let (b, mut rb) = mpsc::channel(1);
        let to = vec![a, b];
        assert!(hand_over(&to, 0, conn()).is_none());
        // The first worker's queue is full: the second takes it.
        assert!(hand_over(&to, 0, conn()).is_none());
        let (worker, _) = hand_over(&to, 0, conn()).expect("both full");
        assert!(std::ptr::eq(worker, &to[0]));
        assert!(ra.try_recv().is_ok() && rb.try_recv().is_ok());
        // A stopped worker: the connection is dropped, not queued elsewhere.
        drop(rb);
        assert!(hand_over(&to, 1, conn()).is_none());
        assert!(ra.try_recv().is_err());
    }
}
