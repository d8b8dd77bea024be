//! Toward the model server: `https://` upstreams checked against the
//! route's CA (a wrong CA is a generic 502), client certificates for
//! upstreams that require them (mTLS), HTTP/2 chosen by ALPN, and a stream
//! that stalls past the route's `idle_timeout` cut off and audited.

mod common;

use aigis_gateway::audit::Decision;
use common::{TestApp, body_string, post_json, upstream};
use http::StatusCode;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use std::sync::Arc;

const DEMO: &str = r#"{"model":"demo","messages":[]}"#;

struct Pem {
    cert: String,
    key: String,
}

fn self_signed(name: &str) -> Pem {
    let ck = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
    Pem {
        cert: ck.cert.pem(),
        key: ck.signing_key.serialize_pem(),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A TLS server config for `server`, optionally requiring a client
/// certificate issued by (here: equal to) `client_ca`.
fn server_config(server: &Pem, client_ca: Option<&Pem>) -> rustls::ServerConfig {
    let chain = vec![CertificateDer::from_pem_slice(server.cert.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(server.key.as_bytes()).unwrap();
    let b = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap();
    let b = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from_pem_slice(ca.cert.as_bytes()).unwrap())
                .unwrap();
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider(),
            )
            .build()
            .unwrap();
            b.with_client_cert_verifier(verifier)
        }
        None => b.with_no_client_auth(),
    };
    let mut cfg = b.with_single_cert(chain, key).unwrap();
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    cfg
}

/// A gateway with a `tls` route (prefix `/tls/`) to `https://localhost:PORT`
/// and whatever route settings `extra` adds; files are written first.
async fn app_with_tls_route(port: u16, extra: &str, files: Vec<(&'static str, String)>) -> TestApp {
    TestApp::builder()
        .with_key("tlsuser", None)
        .config(&format!(
            r#"
[[routes]]
name = "tls"
path_prefix = "/tls/"
upstream = "https://localhost:{port}"
{extra}

[roles.tlsuser]
models = ["*"]
routes = ["tls"]
methods = ["*"]
"#
        ))
        .build_with(move |dir| {
            for (name, text) in files {
                std::fs::write(dir.join(name), text).unwrap();
            }
        })
        .await
}

async fn status_and_echo(app: &TestApp) -> (StatusCode, String) {
    let resp = app
        .send(post_json("/tls/echo", Some(app.key("tlsuser")), DEMO))
        .await;
    let status = resp.status();
    (status, body_string(resp).await)
}

#[tokio::test]
async fn https_upstream_checked_against_the_route_ca() {
    let server = self_signed("localhost");
    let up = upstream::start_tls(server_config(&server, None)).await;
    let app = app_with_tls_route(
        up.addr.port(),
        "upstream_ca = \"ca.pem\"",
        vec![("ca.pem", server.cert.clone())],
    )
    .await;
    let (status, body) = status_and_echo(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let echo: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echo["path"], "/tls/echo");
    assert_eq!(echo["version"], "HTTP/1.1");
    assert!(echo["headers"].get("authorization").is_none());
}

#[tokio::test]
async fn https_upstream_with_an_unknown_certificate_is_a_generic_502() {
    let server = self_signed("localhost");
    let other = self_signed("localhost");
    let up = upstream::start_tls(server_config(&server, None)).await;
    for (extra, files) in [
        // A CA that did not sign the server's certificate.
        (
            "upstream_ca = \"ca.pem\"",
            vec![("ca.pem", other.cert.clone())],
        ),
        // The bundled public roots do not know a self-signed certificate.
        ("", vec![]),
    ] {
        let app = app_with_tls_route(up.addr.port(), extra, files).await;
        let (status, body) = status_and_echo(&app).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{extra}");
        assert_eq!(body, r#"{"error":"upstream unavailable"}"#);
    }
}

#[tokio::test]
async fn mtls_upstream_gets_the_client_certificate() {
    let server = self_signed("localhost");
    let client = self_signed("aigis-gateway");
    let up = upstream::start_tls(server_config(&server, Some(&client))).await;
    let with_cert = app_with_tls_route(
        up.addr.port(),
        "upstream_ca = \"ca.pem\"\nupstream_client_cert = \"client.pem\"\nupstream_client_key = \"client.key\"",
        vec![
            ("ca.pem", server.cert.clone()),
            ("client.pem", client.cert.clone()),
            ("client.key", client.key.clone()),
        ],
    )
    .await;
    assert_eq!(status_and_echo(&with_cert).await.0, StatusCode::OK);
    let without = app_with_tls_route(
        up.addr.port(),
        "upstream_ca = \"ca.pem\"",
        vec![("ca.pem", server.cert.clone())],
    )
    .await;
    assert_eq!(status_and_echo(&without).await.0, StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn http2_to_a_tls_upstream_by_alpn() {
    let server = self_signed("localhost");
    let up = upstream::start_tls(server_config(&server, None)).await;
    let app = app_with_tls_route(
        up.addr.port(),
        "upstream_ca = \"ca.pem\"\nupstream_http2 = true",
        vec![("ca.pem", server.cert.clone())],
    )
    .await;
    let (status, body) = status_and_echo(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let echo: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echo["version"], "HTTP/2.0");
}

#[tokio::test]
async fn a_stream_that_stalls_is_cut_off_and_audited() {
    let app = TestApp::builder()
        .with_key("analyst", None)
        .replace(
            "timeout = \"1s\"",
            "timeout = \"1s\"\nidle_timeout = \"300ms\"",
        )
        .build()
        .await;
    // The upstream sends one event, then waits for a release that never comes.
    let (_release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    *app.upstream.gate.release.lock().await = Some(release_rx);
    let key = app.key("analyst").to_string();
    let resp = app
        .send(post_json(
            "/v1/chat/completions",
            Some(&key),
            r#"{"model":"demo","stream":true}"#,
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    use http_body_util::BodyExt;
    let mut body = resp.into_body();
    let first = body.frame().await.unwrap().unwrap();
    assert!(first.data_ref().is_some());
    let started = std::time::Instant::now();
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), body.frame())
        .await
        .expect("the stall was not cut off");
    assert!(matches!(next, Some(Err(_))), "{next:?}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(250));
    drop(body);
    let rec = app.records().pop().unwrap();
    assert_eq!(
        (rec.decision, rec.reason.as_str(), rec.fault.as_deref()),
        (
            Decision::Error,
            "upstream stalled mid-response",
            Some("upstream")
        )
    );
}

#[test]
fn upstream_tls_settings_are_checked() {
    for (route, key) in [
        (
            "upstream = \"http://127.0.0.1:1\"\nupstream_ca = \"ca.pem\"",
            "routes[2].upstream_ca",
        ),
        (
            "upstream = \"https://127.0.0.1:1\"\nupstream_client_cert = \"c.pem\"",
            "routes[2].upstream_client_cert",
        ),
        ("upstream = \"ftp://127.0.0.1:1\"", "routes[2].upstream"),
        (
            "upstream = \"https://127.0.0.1:1\"\nidle_timeout = \"0s\"",
            "routes[2].idle_timeout",
        ),
    ] {
        let err = common::config_error(&format!(
            "[[routes]]\nname = \"x\"\npath_prefix = \"/x/\"\n{route}"
        ));
        assert!(err.starts_with(key), "{route}: {err}");
    }
}
