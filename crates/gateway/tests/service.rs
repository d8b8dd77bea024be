//! The request phases end to end through the in-process router, against
//! the test model server.

mod common;

use aigis_gateway::audit::Decision;
use axum::body::Body;
use common::{TestApp, body_string, post_json};
use http::{Request, StatusCode};

const CHAT: &str = "/v1/chat/completions";
const DEMO: &str = r#"{"model":"demo","messages":[{"role":"user","content":"hi"}]}"#;

#[tokio::test]
async fn allowed_request_reaches_upstream_without_the_credential() {
    let app = TestApp::builder()
        .with_key("analyst", Some("acme"))
        .build()
        .await;
    let key = app.key("analyst").to_string();
    let resp = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("server").is_none());
    assert!(resp.headers().get("x-powered-by").is_none());
    let rid = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    let echo: serde_json::Value = serde_json::from_str(&body_string(resp).await).unwrap();
    assert_eq!(echo["path"], CHAT);
    assert!(echo["headers"].get("authorization").is_none(), "{echo}");
    assert_eq!(echo["headers"]["x-request-id"], rid.as_str());
    assert_eq!(echo["headers"]["x-forwarded-for"], "192.0.2.1");
    assert_eq!(echo["body_len"], DEMO.len());
}

#[tokio::test]
async fn x_api_key_header_also_authenticates() {
    let app = TestApp::builder().with_key("analyst", None).build().await;
    let req = Request::post(CHAT)
        .header("content-type", "application/json")
        .header("x-api-key", app.key("analyst"))
        .body(Body::from(DEMO))
        .unwrap();
    let resp = app.send(req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let echo = body_string(resp).await;
    assert!(!echo.contains("x-api-key"), "{echo}");
}

#[tokio::test]
async fn missing_wrong_and_revoked_keys_are_401() {
    let app = TestApp::builder().with_key("analyst", None).build().await;
    let key = app.key("analyst").to_string();
    let resp = app.send(post_json(CHAT, None, DEMO)).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().contains_key("www-authenticate"));
    assert_eq!(
        body_string(resp).await,
        r#"{"error":"missing or invalid credentials"}"#
    );
    let mut wrong = key.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(
        app.send(post_json(CHAT, Some(&wrong), DEMO)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(post_json(CHAT, Some("not-a-key"), DEMO))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Revoke in the store, reload (as SIGHUP does): the key stops working.
    let hasher = aigis_gateway::keys::KeyHasher::new(&common::HASH_SECRET).unwrap();
    let store =
        aigis_gateway::keys::KeyStore::open(&app.dir.path().join("keys.db"), hasher).unwrap();
    let id = aigis_gateway::keys::key_id(&key).unwrap().to_string();
    store.revoke(&id).unwrap();
    assert_eq!(
        app.send(post_json(CHAT, Some(&key), DEMO)).await.status(),
        StatusCode::OK
    );
    app.gateway.reload().unwrap();
    assert_eq!(
        app.send(post_json(CHAT, Some(&key), DEMO)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn known_identity_without_grant_is_403() {
    let app = TestApp::builder()
        .with_key("viewer", None)
        .with_key("analyst", None)
        .build()
        .await;
    // viewer: route chat not granted
    let resp = app
        .send(post_json(CHAT, Some(app.key("viewer")), DEMO))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(body_string(resp).await, r#"{"error":"forbidden"}"#);
    // viewer: method POST not granted on kserve
    let resp = app
        .send(post_json(
            "/v2/models/demo/infer",
            Some(app.key("viewer")),
            "{}",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // analyst: model not granted
    let resp = app
        .send(post_json(
            "/v2/models/secret-model/infer",
            Some(app.key("analyst")),
            "{}",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // analyst: granted model on kserve
    let resp = app
        .send(post_json(
            "/v2/models/demo/infer",
            Some(app.key("analyst")),
            "{}",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    // analyst: a model the chat route does not serve
    let other = r#"{"model":"other"}"#;
    assert_eq!(
        app.send(post_json(CHAT, Some(app.key("analyst")), other))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // analyst: no model named, role restricted to models
    assert_eq!(
        app.send(post_json(CHAT, Some(app.key("analyst")), "{}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn mfa_role_gets_rfc9470_step_up_challenge() {
    let app = TestApp::builder().with_key("secure", None).build().await;
    let resp = app
        .send(post_json(CHAT, Some(app.key("secure")), DEMO))
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let h = resp.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        h.contains("error=\"insufficient_user_authentication\""),
        "{h}"
    );
    assert!(h.contains("acr_values=\"mfa\""), "{h}");
}

#[tokio::test]
async fn unknown_route_and_traversal_are_404() {
    let app = TestApp::builder().with_key("analyst", None).build().await;
    let key = app.key("analyst").to_string();
    for path in ["/admin", "/v1/../admin", "/v1/%2e%2e/x"] {
        let resp = app.send(post_json(path, Some(&key), DEMO)).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn per_key_rate_limit_answers_429_with_headers() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .config("\n[rate_limits]\nper_key = { requests = 2, per = \"60s\" }\n")
        .build()
        .await;
    let key = app.key("analyst").to_string();
    for _ in 0..2 {
        let resp = app.send(post_json(CHAT, Some(&key), DEMO)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers().contains_key("ratelimit"));
    }
    let resp = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let h = resp.headers();
    let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(h["ratelimit-policy"], "\"per-key\";q=2;w=60");
    assert!(
        h["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"per-key\";r=0;t=")
    );
    drop(resp); // the logging phase writes when the body is done
    let rec = app.records().into_iter().last().unwrap();
    assert_eq!((rec.status, rec.decision), (429, Decision::Limit));
}

#[tokio::test]
async fn per_client_limit_applies_before_authentication() {
    let app = TestApp::builder()
        .config("\n[rate_limits]\nper_client = { requests = 1, per = \"60s\" }\n")
        .build()
        .await;
    assert_eq!(
        app.send(post_json(CHAT, Some("bad"), DEMO)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(post_json(CHAT, Some("bad"), DEMO)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn tenant_rate_limit_and_daily_quota() {
    let app = TestApp::builder()
        .with_key("analyst", Some("acme"))
        .config("\n[quotas]\ndaily_requests_per_key = 1\n")
        .build()
        .await;
    let key = app.key("analyst").to_string();
    assert_eq!(
        app.send(post_json(CHAT, Some(&key), DEMO)).await.status(),
        StatusCode::OK
    );
    let resp = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        resp.headers()["ratelimit-policy"],
        "\"daily-per-key\";q=1;w=86400"
    );

    let app = TestApp::builder()
        .with_key("analyst", Some("acme"))
        .config("\n[rate_limits]\nper_tenant = { requests = 1, per = \"60s\" }\n")
        .build()
        .await;
    let key = app.key("analyst").to_string();
    assert_eq!(
        app.send(post_json(CHAT, Some(&key), DEMO)).await.status(),
        StatusCode::OK
    );
    let resp = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(
        resp.headers()["ratelimit-policy"],
        "\"per-tenant\";q=1;w=60"
    );
}

#[tokio::test]
async fn oversized_deep_and_bad_json_bodies_are_refused() {
    let app = TestApp::builder().with_key("analyst", None).build().await;
    let key = app.key("analyst").to_string();
    let big = format!(r#"{{"model":"demo","pad":"{}"}}"#, "x".repeat(5000));
    let resp = app.send(post_json(CHAT, Some(&key), &big)).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let deep = format!(
        r#"{{"model":"demo","x":{}{}}}"#,
        "[".repeat(20),
        "]".repeat(20)
    );
    let resp = app.send(post_json(CHAT, Some(&key), &deep)).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = app.send(post_json(CHAT, Some(&key), "{\"model\":")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn streamed_non_json_body_over_limit_is_413_without_content_length() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace(
            "path_prefix = \"/v2/\"",
            "path_prefix = \"/v2/\"\nmax_body_bytes = 4096",
        )
        .build()
        .await;
    let chunks: Vec<Result<bytes::Bytes, std::convert::Infallible>> = (0..10)
        .map(|_| Ok(bytes::Bytes::from(vec![b'a'; 1000])))
        .collect();
    let stream = http_body_util::StreamBody::new(futures_iter(chunks));
    let req = Request::post("/v2/models/demo/infer")
        .header("authorization", format!("Bearer {}", app.key("analyst")))
        .header("content-type", "application/octet-stream")
        .body(Body::new(stream))
        .unwrap();
    let resp = app.send(req).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// Guards the audit's `bytes_in` of a streamed body: it was once taken
/// when the headers went upstream, before the body had been streamed.
#[tokio::test]
async fn streamed_body_is_counted_to_its_end() {
    let app = TestApp::builder().with_key("analyst", None).build().await;
    let chunks: Vec<Result<bytes::Bytes, std::convert::Infallible>> = (0..3)
        .map(|_| Ok(bytes::Bytes::from(vec![b'a'; 1000])))
        .collect();
    let req = Request::post("/v2/models/demo/infer")
        .header("authorization", format!("Bearer {}", app.key("analyst")))
        .header("content-type", "application/octet-stream")
        .body(Body::new(http_body_util::StreamBody::new(futures_iter(
            chunks,
        ))))
        .unwrap();
    let resp = app.send(req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let _ = body_string(resp).await;
    let recs = app.records();
    assert_eq!(recs.last().unwrap().bytes_in, 3000);
}

fn futures_iter(
    items: Vec<Result<bytes::Bytes, std::convert::Infallible>>,
) -> impl futures_core::Stream<Item = Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>>
{
    struct S(std::vec::IntoIter<Result<bytes::Bytes, std::convert::Infallible>>);
    impl futures_core::Stream for S {
        type Item = Result<http_body::Frame<bytes::Bytes>, std::convert::Infallible>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next().map(|r| r.map(http_body::Frame::data)))
        }
    }
    S(items.into_iter())
}

#[tokio::test]
async fn upstream_down_is_generic_502_and_slow_is_504() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace("routes = [\"chat\", \"kserve\"]", "routes = [\"*\"]")
        .config("\n[[routes]]\nname = \"down\"\npath_prefix = \"/down/\"\nupstream = \"http://127.0.0.1:1\"\n")
        .build()
        .await;
    let key = app.key("analyst").to_string();
    let resp = app.send(post_json("/down/x", Some(&key), DEMO)).await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(
        body_string(resp).await,
        r#"{"error":"upstream unavailable"}"#
    );
    let resp = app.send(post_json("/v1/slow", Some(&key), DEMO)).await;
    assert_eq!(resp.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(body_string(resp).await, r#"{"error":"upstream timed out"}"#);
    let recs = app.records();
    let last = recs.last().unwrap();
    assert_eq!(
        (last.decision, last.fault.as_deref()),
        (Decision::Error, Some("upstream"))
    );
    let metrics = app.gateway.state().metrics.render();
    assert!(
        metrics.contains("aigis_gateway_upstream_errors_total 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn audit_record_has_the_fields_and_no_key_material() {
    let app = TestApp::builder()
        .with_key("analyst", Some("acme"))
        .build()
        .await;
    let key = app.key("analyst").to_string();
    let resp = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    let rid = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    let body = body_string(resp).await;
    let resp = app
        .send(post_json(CHAT, Some(&format!("{key}x")), DEMO))
        .await;
    let _ = body_string(resp).await;
    let recs = app.records();
    assert_eq!(recs.len(), 2);
    let ok = &recs[0];
    assert_eq!(ok.request_id, rid);
    assert_eq!(ok.identity.as_deref(), aigis_gateway::keys::key_id(&key));
    assert_eq!(ok.role.as_deref(), Some("analyst"));
    assert_eq!(ok.tenant.as_deref(), Some("acme"));
    assert_eq!(ok.model.as_deref(), Some("demo"));
    assert_eq!(ok.route, "chat");
    assert_eq!((ok.status, ok.decision), (200, Decision::Allow));
    assert_eq!(ok.bytes_in, DEMO.len() as u64);
    assert_eq!(ok.bytes_out, body.len() as u64);
    let bad = &recs[1];
    assert_eq!(
        (bad.status, bad.decision, bad.reason.as_str()),
        (401, Decision::Deny, "missing or invalid credentials")
    );
    assert_eq!(bad.identity, None);
    let secret = key.rsplit_once('_').unwrap().1;
    for r in &recs {
        let line = serde_json::to_string(r).unwrap();
        assert!(!line.contains(secret) && !line.contains(&key), "{line}");
    }
}

#[tokio::test]
async fn tracing_output_holds_no_key_material() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace("routes = [\"chat\", \"kserve\"]", "routes = [\"*\"]")
        .config("\n[[routes]]\nname = \"down\"\npath_prefix = \"/down/\"\nupstream = \"http://127.0.0.1:1\"\n")
        .build()
        .await;
    let key = app.key("analyst").to_string();
    for path in [CHAT, "/down/x", "/v1/slow"] {
        let resp = app.send(post_json(path, Some(&key), DEMO)).await;
        let _ = body_string(resp).await;
    }
    let _ = body_string(
        app.send(post_json(CHAT, Some(&format!("{key}0")), DEMO))
            .await,
    )
    .await;
    let text = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("upstream"),
        "tracing captured nothing: {text}"
    );
    let secret = key.rsplit_once('_').unwrap().1;
    assert!(!text.contains(secret), "{text}");
}

#[tokio::test]
async fn concurrent_requests_per_key_are_capped() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace(
            "max_json_depth = 8",
            "max_json_depth = 8\nmax_concurrent_per_key = 1",
        )
        .build()
        .await;
    let (release_tx, release_rx) = tokio::sync::oneshot::channel();
    *app.upstream.gate.release.lock().await = Some(release_rx);
    let key = app.key("analyst").to_string();
    let stream_req = r#"{"model":"demo","stream":true}"#;
    let first = app.send(post_json(CHAT, Some(&key), stream_req)).await;
    assert_eq!(first.status(), StatusCode::OK);
    // The first response body is still streaming: its permit is held.
    let second = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    let _ = release_tx.send(());
    let text = body_string(first).await;
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    let third = app.send(post_json(CHAT, Some(&key), DEMO)).await;
    assert_eq!(third.status(), StatusCode::OK);
}

#[tokio::test]
async fn http2_upstream_with_prior_knowledge() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace(
            "timeout = \"1s\"",
            "timeout = \"1s\"\nupstream_http2 = true",
        )
        .build()
        .await;
    let resp = app
        .send(post_json(CHAT, Some(app.key("analyst")), DEMO))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let echo: serde_json::Value = serde_json::from_str(&body_string(resp).await).unwrap();
    assert_eq!(echo["version"], "HTTP/2.0");
}

#[tokio::test]
async fn json_body_that_never_finishes_is_408() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace(
            "body_read_timeout = \"2s\"",
            "body_read_timeout = \"200ms\"",
        )
        .build()
        .await;
    struct Stalled;
    impl http_body::Body for Stalled {
        type Data = bytes::Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
            std::task::Poll::Pending
        }
    }
    let req = Request::post(CHAT)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", app.key("analyst")))
        .body(Body::new(Stalled))
        .unwrap();
    assert_eq!(app.send(req).await.status(), StatusCode::REQUEST_TIMEOUT);
}

/// Plain HTTP/1.1 upstreams go through the gateway's own pool
/// (`aigis_gateway::pool`): a connection is reused once its response has
/// ended; one the upstream closes is replaced; one whose response body was
/// dropped half-read is not reused.
#[tokio::test]
async fn upstream_connections_are_reused_replaced_when_closed_and_dropped_when_cut() {
    use http_body_util::BodyExt;
    use std::sync::atomic::Ordering;
    let app = TestApp::builder().with_key("analyst", None).build().await;
    let key = app.key("analyst").to_string();
    let connections = || app.upstream.gate.connections.load(Ordering::Relaxed);
    let infer = |close: bool| {
        let mut req = post_json("/v2/models/demo/infer", Some(&key), "{}");
        if close {
            req.headers_mut()
                .insert("x-test-close", http::HeaderValue::from_static("1"));
        }
        req
    };
    for _ in 0..5 {
        let resp = app.send(infer(false)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(body_string(resp).await.contains("outputs"));
    }
    assert_eq!(connections(), 1, "one connection for five requests in turn");

    let resp = app.send(infer(true)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    body_string(resp).await;
    for _ in 0..2 {
        let resp = app.send(infer(false)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        body_string(resp).await;
    }
    assert_eq!(connections(), 2, "the closed connection was replaced once");

    let (_release, release_rx) = tokio::sync::oneshot::channel::<()>();
    *app.upstream.gate.release.lock().await = Some(release_rx);
    let resp = app
        .send(post_json(
            "/v1/chat/completions",
            Some(&key),
            r#"{"model":"demo","stream":true}"#,
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.into_body();
    assert!(body.frame().await.unwrap().unwrap().data_ref().is_some());
    drop(body);
    let resp = app.send(infer(false)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    body_string(resp).await;
    assert_eq!(
        connections(),
        3,
        "a half-read response's connection is not reused"
    );
}
