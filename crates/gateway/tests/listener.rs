//! The real listeners: TLS versions and certificate reload, SSE streaming
//! without buffering, the admin endpoints and graceful shutdown.

mod common;

use bytes::Bytes;
use common::TestApp;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// Guards against hangs only; nothing asserts on time.
const HANG: Duration = Duration::from_secs(10);

struct Running {
    app: Arc<TestApp>,
    public: SocketAddr,
    admin: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

async fn run(app: TestApp) -> Running {
    let app = Arc::new(app);
    let bound = app.gateway.bind().await.unwrap();
    let (public, admin) = (bound.public_addr().unwrap(), bound.admin_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let a = app.clone();
    let done = tokio::spawn(async move {
        a.gateway
            .serve(bound, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    Running {
        app,
        public,
        admin,
        stop: Some(tx),
        done,
    }
}

fn self_signed(name: &str) -> (String, String, CertificateDer<'static>) {
    let ck = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
    let der = ck.cert.der().clone();
    (ck.cert.pem(), ck.signing_key.serialize_pem(), der)
}

fn client_config(
    root: &CertificateDer<'static>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone()).unwrap();
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

async fn tls_connect(
    addr: SocketAddr,
    cfg: rustls::ClientConfig,
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    tokio_rustls::TlsConnector::from(Arc::new(cfg))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
}

async fn http1<S>(io: S) -> hyper::client::conn::http1::SendRequest<Full<Bytes>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

fn chat(key: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::post("/v1/chat/completions")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {key}"))
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

async fn tls_app(dir: &std::path::Path, pem: &(String, String)) -> Running {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &pem.0).unwrap();
    std::fs::write(&key, &pem.1).unwrap();
    run(TestApp::builder()
        .with_key("analyst", None)
        .tls(cert, key)
        .build()
        .await)
    .await
}

#[tokio::test]
async fn tls12_is_refused_by_default_and_tls13_works() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key, der) = self_signed("localhost");
    let r = tls_app(certs.path(), &(cert, key)).await;
    let err = tls_connect(r.public, client_config(&der, &[&rustls::version::TLS12])).await;
    assert!(
        err.is_err(),
        "a TLS 1.2-only client must not complete a handshake"
    );
    let s = tls_connect(r.public, client_config(&der, &[&rustls::version::TLS13]))
        .await
        .unwrap();
    assert_eq!(
        s.get_ref().1.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_3)
    );
    let mut sender = http1(s).await;
    let resp = sender
        .send_request(chat(r.app.key("analyst"), r#"{"model":"demo"}"#))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn sighup_reload_serves_the_new_certificate_and_keeps_connections() {
    let certs = tempfile::tempdir().unwrap();
    let (cert_a, key_a, der_a) = self_signed("localhost");
    let r = tls_app(certs.path(), &(cert_a, key_a)).await;
    let old = tls_connect(r.public, client_config(&der_a, &[&rustls::version::TLS13]))
        .await
        .unwrap();
    let mut old_sender = http1(old).await;
    let (cert_b, key_b, der_b) = self_signed("localhost");
    std::fs::write(certs.path().join("cert.pem"), cert_b).unwrap();
    std::fs::write(certs.path().join("key.pem"), key_b).unwrap();
    r.app.gateway.reload().unwrap();
    let fresh = tls_connect(r.public, client_config(&der_b, &[&rustls::version::TLS13]))
        .await
        .unwrap();
    let seen = fresh.get_ref().1.peer_certificates().unwrap()[0].clone();
    assert_eq!(seen, der_b);
    assert!(
        tls_connect(r.public, client_config(&der_a, &[&rustls::version::TLS13]))
            .await
            .is_err()
    );
    // The connection made before the reload still works.
    let resp = old_sender
        .send_request(chat(r.app.key("analyst"), r#"{"model":"demo"}"#))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn broken_certificate_reload_keeps_the_old_one() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key, der) = self_signed("localhost");
    let r = tls_app(certs.path(), &(cert, key)).await;
    std::fs::write(certs.path().join("key.pem"), "not a key").unwrap();
    assert!(r.app.gateway.reload().is_err());
    assert!(
        tls_connect(r.public, client_config(&der, &[&rustls::version::TLS13]))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn sse_first_event_arrives_before_the_last_is_sent() {
    let app = TestApp::builder().with_key("analyst", None).build().await;
    let (release_tx, release_rx) = oneshot::channel();
    let (sent_tx, mut sent_rx) = oneshot::channel();
    *app.upstream.gate.release.lock().await = Some(release_rx);
    *app.upstream.gate.last_sent.lock().await = Some(sent_tx);
    let r = run(app).await;
    let mut sender = http1(TcpStream::connect(r.public).await.unwrap()).await;
    let resp = sender
        .send_request(chat(
            r.app.key("analyst"),
            r#"{"model":"demo","stream":true}"#,
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut body = resp.into_body();
    let first = tokio::time::timeout(HANG, body.frame())
        .await
        .expect("first event buffered")
        .unwrap()
        .unwrap();
    assert_eq!(
        first.into_data().unwrap(),
        Bytes::from("data: {\"token\":\"Hel\"}\n\n")
    );
    assert!(
        sent_rx.try_recv().is_err(),
        "the upstream has not sent the last event yet"
    );
    release_tx.send(()).unwrap();
    let rest = tokio::time::timeout(HANG, body.collect())
        .await
        .unwrap()
        .unwrap()
        .to_bytes();
    assert_eq!(rest, Bytes::from("data: [DONE]\n\n"));
}

#[tokio::test]
async fn admin_listener_serves_health_and_metrics() {
    let r = run(TestApp::builder().with_key("analyst", None).build().await).await;
    let mut public = http1(TcpStream::connect(r.public).await.unwrap()).await;
    let resp = public
        .send_request(chat(r.app.key("analyst"), r#"{"model":"demo"}"#))
        .await
        .unwrap();
    let _ = resp.into_body().collect().await.unwrap();
    let mut admin = http1(TcpStream::connect(r.admin).await.unwrap()).await;
    for (path, want) in [
        ("/healthz", "ok"),
        ("/readyz", "ready"),
        (
            "/metrics",
            "aigis_gateway_requests_total{route=\"chat\",status=\"200\",decision=\"allowed\"} 1",
        ),
    ] {
        let req = Request::get(path)
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let resp = admin.send_request(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let text = String::from_utf8(
            resp.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
        .unwrap();
        assert!(text.contains(want), "{path}: {text}");
    }
    // The admin paths are not on the public listener.
    let req = Request::get("/metrics")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(
        public.send_request(req).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn shutdown_drains_in_flight_streams_and_stops_accepting() {
    let app = TestApp::builder().with_key("analyst", None).build().await;
    shutdown_drains(app).await;
}

/// The same with connections served by worker threads (`listen.workers`),
/// as `aigis gateway` runs: the workers keep serving until the drain ends.
#[tokio::test]
async fn worker_threads_serve_connections_and_drain_on_shutdown() {
    let app = TestApp::builder()
        .replace("[listen]", "[listen]\nworkers = 2")
        .with_key("analyst", None)
        .build()
        .await;
    assert_eq!(app.gateway.state().config.listen.workers, Some(2));
    shutdown_drains(app).await;
}

async fn shutdown_drains(app: TestApp) {
    let (release_tx, release_rx) = oneshot::channel();
    *app.upstream.gate.release.lock().await = Some(release_rx);
    let mut r = run(app).await;
    // Several connections, so that each worker gets some; each serves
    // ordinary requests before the stream below starts.
    for _ in 0..4 {
        let mut s = http1(TcpStream::connect(r.public).await.unwrap()).await;
        for _ in 0..2 {
            let resp = s
                .send_request(chat(r.app.key("analyst"), r#"{"model":"demo"}"#))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            resp.into_body().collect().await.unwrap();
        }
    }
    let mut sender = http1(TcpStream::connect(r.public).await.unwrap()).await;
    let resp = sender
        .send_request(chat(
            r.app.key("analyst"),
            r#"{"model":"demo","stream":true}"#,
        ))
        .await
        .unwrap();
    let mut body = resp.into_body();
    let _first = tokio::time::timeout(HANG, body.frame()).await.unwrap();
    r.stop.take().unwrap().send(()).unwrap();
    // New connections are refused once the accept loop has stopped.
    let mut refused = false;
    for _ in 0..100 {
        if TcpStream::connect(r.public).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "listener still accepting after shutdown");
    assert!(
        !r.done.is_finished(),
        "shutdown must wait for the in-flight stream"
    );
    release_tx.send(()).unwrap();
    let rest = tokio::time::timeout(HANG, body.collect())
        .await
        .unwrap()
        .unwrap()
        .to_bytes();
    assert_eq!(rest, Bytes::from("data: [DONE]\n\n"));
    tokio::time::timeout(HANG, &mut r.done)
        .await
        .unwrap()
        .unwrap();
}

/// A TLS gateway and an HTTP/2 connection to it (ALPN checked).
async fn h2_app<B>(certs: &std::path::Path) -> (Running, hyper::client::conn::http2::SendRequest<B>)
where
    B: hyper::body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (cert, key, der) = self_signed("localhost");
    let r = tls_app(certs, &(cert, key)).await;
    let mut cfg = client_config(&der, &[&rustls::version::TLS13]);
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    let s = tls_connect(r.public, cfg).await.unwrap();
    assert_eq!(s.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        TokioIo::new(s),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    (r, sender)
}

#[tokio::test]
async fn http2_over_tls_via_alpn() {
    let certs = tempfile::tempdir().unwrap();
    let (r, mut sender) = h2_app::<Full<Bytes>>(certs.path()).await;
    let req = Request::post("https://localhost/v1/chat/completions")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", r.app.key("analyst")))
        .body(Full::new(Bytes::from_static(br#"{"model":"demo"}"#)))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.version(), http::Version::HTTP_2);
}

#[tokio::test]
async fn slow_headers_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace("[limits]", "[limits]\nheader_read_timeout = \"300ms\"")
        .build()
        .await;
    let r = run(app).await;
    let mut s = TcpStream::connect(r.public).await.unwrap();
    s.write_all(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    // Never finish the headers: the server must close (408 or plain close).
    let mut buf = Vec::new();
    let n = tokio::time::timeout(HANG, s.read_to_end(&mut buf))
        .await
        .expect("connection kept open");
    assert!(n.is_ok());
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[tokio::test]
async fn http2_refusal_before_the_body_is_read_reaches_the_client() {
    // The request body is still open when the gateway refuses (no
    // credentials): the 401 and its body must arrive, not a stream reset.
    // hyper's client tolerates a reset that follows the response, so this
    // passed before the fix too; curl (nghttp2) did not: `curl -d ... `
    // over h2 got "(92) Stream error in the HTTP/2 framing layer" on about
    // one refusal in three until refused requests' small bodies were drained
    // (request_id.rs). That was checked by hand with the README walk-through.
    let certs = tempfile::tempdir().unwrap();
    let (_r, mut sender) = h2_app::<http_body_util::channel::Channel<Bytes>>(certs.path()).await;
    // Each refusal waits DRAIN_TIME for the open body: a few rounds only.
    for _ in 0..3 {
        let (mut tx, body) = http_body_util::channel::Channel::<Bytes>::new(1);
        tx.send_data(Bytes::from_static(br#"{"model":"#))
            .await
            .unwrap();
        let req = Request::post("https://localhost/v1/chat/completions")
            .header("content-type", "application/json")
            .body(body)
            .unwrap();
        let resp = sender.send_request(req).await.expect("the 401 arrives");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .expect("and its body, whole")
            .to_bytes();
        assert_eq!(&bytes[..], br#"{"error":"missing or invalid credentials"}"#);
        drop(tx);
    }
}

/// The failure the unread-body drain (`request_id::finish`) fixed, with the
/// client that showed it: curl (nghttp2) posting a small body over HTTP/2 to
/// a refusing gateway got "(92) Stream error in the HTTP/2 framing layer"
/// when the gateway dropped the unread body (14 runs of 30 failed with the
/// drain switched off, 2026-12-02; none with it). Needs curl with HTTP/2:
/// scripts/test installs it and sets `AIGIS_REQUIRE_CURL`.
#[tokio::test]
async fn curl_over_http2_receives_every_refusal() {
    let curl = std::env::var("AIGIS_CURL").unwrap_or_else(|_| "curl".into());
    let has_h2 = std::process::Command::new(&curl)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("HTTP2"));
    if !has_h2 {
        assert!(
            std::env::var_os("AIGIS_REQUIRE_CURL").is_none(),
            "AIGIS_REQUIRE_CURL is set but {curl} with HTTP/2 is not available"
        );
        eprintln!("skipped: no curl with HTTP/2 ({curl})");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed("localhost");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    // As `aigis gateway` runs: worker threads.
    let r = run(TestApp::builder()
        .replace("[listen]", "[listen]\nworkers = 2")
        .tls(cert_path.clone(), key_path)
        .build()
        .await)
    .await;
    let port = r.public.port();
    let out = dir.path().join("body");
    let failures = tokio::task::spawn_blocking(move || {
        let url = format!("https://localhost:{port}/v1/chat/completions");
        let resolve = format!("localhost:{port}:127.0.0.1");
        let mut failures = Vec::new();
        for _ in 0..30 {
            let o = std::process::Command::new(&curl)
                .args([
                    "-sS",
                    "--http2",
                    "-w",
                    "%{http_code}",
                    "--resolve",
                    &resolve,
                ])
                .arg("--cacert")
                .arg(&cert_path)
                .arg("-o")
                .arg(&out)
                .args(["-H", "content-type: application/json"])
                .args(["-d", r#"{"model":"demo","messages":[]}"#, &url])
                .output()
                .unwrap();
            if !o.status.success() || o.stdout != b"401" {
                failures.push(format!(
                    "{:?} {} {}",
                    o.status.code(),
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
            }
        }
        failures
    })
    .await
    .unwrap();
    assert!(failures.is_empty(), "{failures:?}");
}

/// HTTP/2 frames by hand, to see what hyper's client forgives: a refusal
/// must send the whole response (HEADERS, DATA with END_STREAM) before any
/// RST_STREAM for the stream; a reset after it may only say NO_ERROR (RFC
/// 9113 §8.1), and a small body sent whole is read, not reset. Note: with
/// the unread-body drain of `request_id::finish` switched off, this test
/// still passed (2026-12-02): it does not reproduce the curl failure that
/// the drain fixed; `curl_over_http2_receives_every_refusal` does.
#[tokio::test]
async fn http2_refusal_ends_the_response_before_any_reset() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key, der) = self_signed("localhost");
    let r = tls_app(certs.path(), &(cert, key)).await;
    // The body left open; sent whole with the headers; sent whole a moment
    // after them (as curl -d does, racing the refusal).
    for (end, delay_ms) in [(false, 0), (true, 0), (true, 5), (true, 20)] {
        raw_h2_refusal(r.public, &der, end, delay_ms).await;
    }
}

async fn raw_h2_refusal(
    addr: SocketAddr,
    root: &CertificateDer<'static>,
    end_body: bool,
    delay_ms: u64,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const DATA: u8 = 0;
    const HEADERS: u8 = 1;
    const RST_STREAM: u8 = 3;
    const SETTINGS: u8 = 4;
    const GOAWAY: u8 = 7;
    const END_STREAM: u8 = 0x1;
    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
        let mut f = vec![len[1], len[2], len[3], kind, flags];
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }
    // HPACK without Huffman: indexed :method POST (3) and :scheme https (7),
    // then literals with indexed names :path (4), :authority (1) and
    // content-type (31, which needs a second byte).
    let mut block = vec![0x83, 0x87, 0x04, 20];
    block.extend_from_slice(b"/v1/chat/completions");
    block.extend_from_slice(&[0x01, 9]);
    block.extend_from_slice(b"localhost");
    block.extend_from_slice(&[0x0f, 0x10, 16]);
    block.extend_from_slice(b"application/json");

    let mut cfg = client_config(root, &[&rustls::version::TLS13]);
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    let mut s = tls_connect(addr, cfg).await.unwrap();
    let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    out.extend(frame(SETTINGS, 0, 0, &[]));
    out.extend(frame(HEADERS, 0x4, 1, &block)); // END_HEADERS, body to follow
    let data = if end_body {
        frame(DATA, END_STREAM, 1, br#"{"model":"demo"}"#)
    } else {
        frame(DATA, 0, 1, br#"{"model":"#) // never ended
    };
    if delay_ms == 0 {
        out.extend(data);
        s.write_all(&out).await.unwrap();
    } else {
        s.write_all(&out).await.unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        s.write_all(&data).await.unwrap();
    }

    let mut body = Vec::new();
    let mut seen = Vec::new(); // (type, flags) of stream 1's frames
    let read_frames = async {
        loop {
            let mut head = [0u8; 9];
            s.read_exact(&mut head).await.unwrap();
            let len = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
            let (kind, flags) = (head[3], head[4]);
            let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
            let mut payload = vec![0u8; len];
            s.read_exact(&mut payload).await.unwrap();
            if kind == SETTINGS && flags & 0x1 == 0 {
                s.write_all(&frame(SETTINGS, 0x1, 0, &[])).await.unwrap();
            }
            assert_ne!(kind, GOAWAY, "connection closed: {payload:?}");
            if stream != 1 {
                continue;
            }
            seen.push((kind, flags));
            if kind == DATA {
                body.extend_from_slice(&payload);
            }
            if kind == RST_STREAM {
                let code = u32::from_be_bytes(payload[..4].try_into().unwrap());
                return Some(code);
            }
            if seen.len() > 32 {
                return None;
            }
        }
    };
    // After the response to an open body a NO_ERROR reset is expected; give
    // it time to come (the refusal first waits up to DRAIN_TIME for the body).
    // A whole body is read, so no reset should come at all: watch a while.
    let watch = Duration::from_millis(if end_body { 500 } else { 3000 });
    let reset = tokio::time::timeout(watch, read_frames)
        .await
        .unwrap_or(None);
    let ended = seen
        .iter()
        .position(|&(kind, flags)| (kind == DATA || kind == HEADERS) && flags & END_STREAM != 0)
        .unwrap_or_else(|| panic!("the response ends ({end_body}, {delay_ms} ms): {seen:?}"));
    assert_eq!(seen.first().map(|f| f.0), Some(HEADERS), "{seen:?}");
    assert!(
        seen[..ended].iter().all(|f| f.0 != RST_STREAM),
        "reset before the response ended ({end_body}, {delay_ms} ms): {seen:?}"
    );
    assert_eq!(&body[..], br#"{"error":"missing or invalid credentials"}"#);
    if let Some(code) = reset {
        assert_eq!(
            code, 0,
            "a reset after the response must be NO_ERROR ({end_body}, {delay_ms} ms)"
        );
    }
}
