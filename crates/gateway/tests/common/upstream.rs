//! A small model server for the tests: KServe v2 infer, OpenAI-style chat
//! completions (JSON or SSE), an echo of what arrived, a slow endpoint, and
//! headers that name its software (which the gateway must strip).

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc, oneshot};

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// Lets a test hold the last SSE event until it says so, and count the
/// connections the gateway opened.
#[derive(Default)]
pub struct Gate {
    pub release: Mutex<Option<oneshot::Receiver<()>>>,
    pub last_sent: Mutex<Option<oneshot::Sender<()>>>,
    pub connections: std::sync::atomic::AtomicUsize,
}

pub struct Upstream {
    pub addr: SocketAddr,
    pub gate: Arc<Gate>,
}

pub async fn start() -> Upstream {
    serve(None).await
}

/// The same server behind TLS (ALPN h2 and http/1.1).
pub async fn start_tls(config: rustls::ServerConfig) -> Upstream {
    serve(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
}

async fn serve(tls: Option<tokio_rustls::TlsAcceptor>) -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            g.connections
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let g = g.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| handle(req, g.clone()));
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                match tls {
                    Some(acceptor) => {
                        let Ok(stream) = acceptor.accept(stream).await else {
                            return;
                        };
                        let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                    }
                }
            });
        }
    });
    Upstream { addr, gate }
}

fn full(s: impl Into<Bytes>) -> Body {
    Full::new(s.into()).boxed()
}

async fn handle(req: Request<Incoming>, gate: Arc<Gate>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_string();
    // `x-test-close`: answer, then close the connection.
    let close = req.headers().contains_key("x-test-close");
    let headers: serde_json::Map<String, serde_json::Value> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").into()))
        .collect();
    let version = format!("{:?}", req.version());
    let body = req
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let mut resp = Response::builder()
        .header("server", "TestModelServer/1.2.3")
        .header("x-powered-by", "Python/3.12 uvicorn");
    if close {
        resp = resp.header("connection", "close");
    }
    let resp = if path == "/v1/chat/completions"
        && body.windows(13).any(|w| w == b"\"stream\":true")
    {
        let (tx, rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(4);
        let release = gate.release.lock().await.take();
        let last_sent = gate.last_sent.lock().await.take();
        tokio::spawn(async move {
            let _ = tx
                .send(Ok(Frame::data(Bytes::from(
                    "data: {\"token\":\"Hel\"}\n\n",
                ))))
                .await;
            if let Some(r) = release {
                let _ = r.await;
            }
            let _ = tx
                .send(Ok(Frame::data(Bytes::from("data: [DONE]\n\n"))))
                .await;
            if let Some(s) = last_sent {
                let _ = s.send(());
            }
        });
        let stream = futures_stream(rx);
        resp.header("content-type", "text/event-stream")
            .body(StreamBody::new(stream).boxed())
    } else if path == "/slow" || path.starts_with("/v1/slow") {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        resp.body(full("late"))
    } else if path.starts_with("/v2/models/") && path.ends_with("/infer") {
        resp.header("content-type", "application/json")
            .body(full(r#"{"model_name":"demo","outputs":[{"name":"out","datatype":"FP32","shape":[1],"data":[0.5]}]}"#))
    } else {
        let echo = serde_json::json!({
            "path": path,
            "version": version,
            "headers": headers,
            "body_len": body.len(),
        });
        resp.header("content-type", "application/json")
            .body(full(echo.to_string()))
    };
    Ok(resp.unwrap())
}

/// An mpsc receiver as a `Stream` without pulling in a stream crate.
fn futures_stream(
    mut rx: mpsc::Receiver<Result<Frame<Bytes>, Infallible>>,
) -> impl futures_core::Stream<Item = Result<Frame<Bytes>, Infallible>> {
    struct S(mpsc::Receiver<Result<Frame<Bytes>, Infallible>>);
    impl futures_core::Stream for S {
        type Item = Result<Frame<Bytes>, Infallible>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            self.0.poll_recv(cx)
        }
    }
    let _ = &mut rx;
    S(rx)
}
