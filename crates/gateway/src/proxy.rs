//! Upstream request phase: send the filtered request to the route's model
//! server and stream its answer back. Bodies are never buffered here.
//!
//! The upstream sees the same path and query; hop-by-hop headers and the
//! client's credentials are removed, `X-Request-Id` and `X-Forwarded-For`
//! are set. A failure to connect or a broken response is 502, no response
//! headers within the route's `timeout` is 504; both as generic JSON with no
//! detail (the detail goes to the log). Upstreams are HTTP/1.1, or HTTP/2
//! (`upstream_http2`: prior knowledge on `http://`, ALPN on `https://`),
//! over TCP or TLS. The response body is cut off when the upstream stays
//! silent longer than the route's `idle_timeout` between two chunks.

use crate::body::{BodyVerdict, IdleGuard};
use crate::config::{GatewayConfig, Route};
use crate::context::Ctx;
use crate::layers::request_id::REQUEST_ID_HEADER;
use crate::reject::GatewayError;
use crate::state::AppState;
use crate::tls::upstream_client_config;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use http::{HeaderName, HeaderValue, Uri, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Idle upstream connections kept per host.
pub const POOL_MAX_IDLE_PER_HOST: usize = 256;

/// Request headers that concern one hop only.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
];

/// One HTTP client per route (each with its own connection pool): plain
/// HTTP/1.1, h2c, or TLS with the route's trust settings.
pub struct Upstreams {
    clients: Vec<UpstreamClient>,
}

enum UpstreamClient {
    Plain(Client<HttpConnector, Body>),
    Tls(Client<HttpsConnector<HttpConnector>, Body>),
}

impl UpstreamClient {
    fn request(&self, req: Request) -> ResponseFuture {
        match self {
            UpstreamClient::Plain(c) => c.request(req),
            UpstreamClient::Tls(c) => c.request(req),
        }
    }
}

impl Upstreams {
    /// Build every route's client; TLS settings (CA file, client
    /// certificate) are read now, so errors surface at start.
    pub fn new(config: &GatewayConfig) -> Result<Upstreams, crate::Error> {
        let clients = config
            .routes
            .iter()
            .map(client_for)
            .collect::<Result<_, _>>()?;
        Ok(Upstreams { clients })
    }
}

fn client_for(route: &Route) -> Result<UpstreamClient, crate::Error> {
    let mut conn = HttpConnector::new();
    conn.set_nodelay(true);
    conn.set_connect_timeout(Some(Duration::from_secs(5)));
    let mut builder = Client::builder(TokioExecutor::new());
    builder
        .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
        .pool_idle_timeout(Duration::from_secs(60))
        .http2_only(route.upstream_http2);
    if !route.upstream.starts_with("https://") {
        return Ok(UpstreamClient::Plain(builder.build(conn)));
    }
    conn.enforce_http(false);
    let tls = HttpsConnectorBuilder::new()
        .with_tls_config(upstream_client_config(route)?)
        .https_only();
    let connector = if route.upstream_http2 {
        tls.enable_http2().wrap_connector(conn)
    } else {
        tls.enable_http1().wrap_connector(conn)
    };
    Ok(UpstreamClient::Tls(builder.build(connector)))
}

/// The handler at the bottom of the stack.
pub async fn upstream_request(
    State(state): State<Arc<AppState>>,
    req: Request,
) -> Result<Response, GatewayError> {
    let (index, route) = crate::layers::matched_route(&state, &req)?;
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(GatewayError::Internal)?;
    let verdict = req.extensions().get::<Arc<BodyVerdict>>().cloned();
    let (mut parts, body) = req.into_parts();
    let base: Uri = route.upstream.parse().map_err(|_| GatewayError::Internal)?;
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let base_path = base.path().trim_end_matches('/');
    let uri = Uri::builder()
        .scheme(base.scheme_str().unwrap_or("http"))
        .authority(base.authority().ok_or(GatewayError::Internal)?.clone())
        .path_and_query(format!("{base_path}{path_and_query}"))
        .build()
        .map_err(|_| GatewayError::Internal)?;
    for h in HOP_BY_HOP {
        parts.headers.remove(*h);
    }
    if let Some(authority) = uri.authority()
        && let Ok(v) = HeaderValue::from_str(authority.as_str())
    {
        parts.headers.insert(header::HOST, v);
    }
    if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
        parts
            .headers
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), v);
    }
    if let Some(c) = ctx.client
        && let Ok(v) = HeaderValue::from_str(&c.ip().to_string())
    {
        parts
            .headers
            .insert(HeaderName::from_static("x-forwarded-for"), v);
    }
    parts.uri = uri;
    parts.version = http::Version::HTTP_11;
    parts.extensions = http::Extensions::new();
    let client = state
        .upstreams
        .clients
        .get(index)
        .ok_or(GatewayError::Internal)?;
    let sent = tokio::time::timeout(
        route.timeout.0,
        client.request(Request::from_parts(parts, body)),
    )
    .await;
    match sent {
        Ok(Ok(resp)) => {
            let (state, ctx, route_name) = (state.clone(), ctx.clone(), route.name.clone());
            let on_stall = Box::new(move || {
                ctx.upstream_stalled.store(true, Ordering::Relaxed);
                state.metrics.upstream_error();
                tracing::warn!(request_id = %ctx.request_id, route = %route_name, "upstream response stalled; cut off");
            });
            let idle = route.idle_timeout.0;
            Ok(resp.map(|b| Body::new(IdleGuard::new(b, idle, on_stall))))
        }
        Ok(Err(e)) => {
            match verdict.map(|v| v.get()) {
                Some(BodyVerdict::TOO_LARGE) => {
                    return Err(GatewayError::BodyTooLarge {
                        limit: route.max_body_bytes,
                    });
                }
                Some(BodyVerdict::TIMED_OUT) => return Err(GatewayError::BodyTimeout),
                _ => {}
            }
            state.metrics.upstream_error();
            tracing::warn!(request_id = %ctx.request_id, route = %route.name, error = %e, "upstream request failed");
            Err(GatewayError::UpstreamUnavailable)
        }
        Err(_) => {
            state.metrics.upstream_error();
            tracing::warn!(request_id = %ctx.request_id, route = %route.name, "upstream timed out");
            Err(GatewayError::UpstreamTimeout)
        }
    }
}
