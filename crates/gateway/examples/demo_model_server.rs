//! A fake model server for trying the gateway (README "Gateway"):
//! KServe v2 `POST /v2/models/{m}/infer` and OpenAI-style
//! `POST /v1/chat/completions` (JSON, or server-sent events with
//! `"stream": true`, one token every 200 ms). It announces itself with
//! `Server` and `X-Powered-By` headers, which the gateway strips.
//!
//! `cargo run -p aigis-gateway --example demo_model_server [-- ADDR]`
//! (default 127.0.0.1:8000). Not for production: no limits of its own.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// Largest request body the demo reads.
const MAX_DEMO_BODY: usize = 1 << 20;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let listener = TcpListener::bind(&addr).await?;
    eprintln!("demo model server on http://{addr}");
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(handle);
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

fn json(status: StatusCode, v: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("server", "demo-model-server/0.1 (uvicorn)")
        .header("x-powered-by", "Python/3.12")
        .body(Full::new(Bytes::from(v.to_string())).boxed())
        .unwrap_or_default()
}

async fn handle(req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_string();
    let body = http_body_util::Limited::new(req.into_body(), MAX_DEMO_BODY)
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    if let Some(model) = path
        .strip_prefix("/v2/models/")
        .and_then(|r| r.strip_suffix("/infer"))
    {
        let n = parsed["inputs"][0]["data"]
            .as_array()
            .map_or(1, |a| a.len().max(1));
        return Ok(json(
            StatusCode::OK,
            serde_json::json!({
                "model_name": model,
                "outputs": [{"name": "score", "datatype": "FP32", "shape": [n], "data": vec![0.5; n]}],
            }),
        ));
    }
    if path == "/v1/chat/completions" {
        let model = parsed["model"].as_str().unwrap_or("demo-chat").to_string();
        if parsed["stream"].as_bool() == Some(true) {
            return Ok(stream_tokens(model));
        }
        return Ok(json(
            StatusCode::OK,
            serde_json::json!({
                "object": "chat.completion",
                "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from the demo model."}, "finish_reason": "stop"}],
            }),
        ));
    }
    Ok(json(
        StatusCode::NOT_FOUND,
        serde_json::json!({"error": "not found"}),
    ))
}

fn stream_tokens(model: String) -> Response<Body> {
    let (tx, mut rx) = mpsc::channel::<Result<Frame<Bytes>, Infallible>>(8);
    tokio::spawn(async move {
        for token in ["Hello", " from", " the", " demo", " model."] {
            let event = serde_json::json!({"object": "chat.completion.chunk", "model": model,
                "choices": [{"index": 0, "delta": {"content": token}}]});
            if tx
                .send(Ok(Frame::data(Bytes::from(format!("data: {event}\n\n")))))
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let _ = tx
            .send(Ok(Frame::data(Bytes::from_static(b"data: [DONE]\n\n"))))
            .await;
    });
    let stream = futures_util_stream(move |cx| rx.poll_recv(cx));
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .header("server", "demo-model-server/0.1 (uvicorn)")
        .body(StreamBody::new(stream).boxed())
        .unwrap_or_default()
}

/// A `Stream` from a poll function (avoids a stream-utility dependency).
fn futures_util_stream<T, F>(f: F) -> impl futures_core::Stream<Item = T>
where
    F: FnMut(&mut std::task::Context<'_>) -> std::task::Poll<Option<T>> + Unpin,
{
    struct S<F>(F);
    impl<T, F> futures_core::Stream for S<F>
    where
        F: FnMut(&mut std::task::Context<'_>) -> std::task::Poll<Option<T>> + Unpin,
    {
        type Item = T;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<T>> {
            (self.0)(cx)
        }
    }
    S(f)
}
