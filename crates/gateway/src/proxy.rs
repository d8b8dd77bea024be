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
use crate::context::Session;
use crate::layers::request_id::REQUEST_ID_HEADER;
use crate::pool::{Http1Pool, PooledBody, UpstreamError};
use crate::reject::GatewayError;
use crate::state::AppState;
use crate::tls::upstream_client_config;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderName, HeaderValue, Uri, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
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

/// HTTP clients per route (each with its own connection pool): plain
/// HTTP/1.1, h2c, or TLS with the route's trust settings.
pub struct Upstreams {
    routes: Vec<Upstream>,
}

/// A route's clients and the parts of its base URL, parsed once.
struct Upstream {
    /// One client per worker thread (`listen.workers`) plus one for the
    /// runtime that runs the gateway, so that a worker's requests use
    /// connections whose tasks run on its own thread.
    clients: Vec<UpstreamClient>,
    scheme: Scheme,
    authority: Authority,
    /// The base URL's path without its trailing slash (often empty).
    base_path: String,
    /// `Host` for the upstream.
    host: HeaderValue,
}

impl Upstream {
    /// This thread's client.
    fn client(&self) -> &UpstreamClient {
        let i = crate::server::worker_index();
        &self.clients[i % self.clients.len()]
    }
}

enum UpstreamClient {
    /// Plain HTTP/1.1: this crate's pool ([`crate::pool`]).
    Http1(Arc<Http1Pool>),
    /// h2c.
    Plain(Client<HttpConnector, Body>),
    Tls(Client<HttpsConnector<HttpConnector>, Body>),
}

impl UpstreamClient {
    async fn request(&self, req: Request) -> Result<http::Response<PooledBody>, UpstreamError> {
        match self {
            UpstreamClient::Http1(pool) => pool.send(req).await,
            UpstreamClient::Plain(c) => Ok(c.request(req).await?.map(PooledBody::unpooled)),
            UpstreamClient::Tls(c) => Ok(c.request(req).await?.map(PooledBody::unpooled)),
        }
    }

    /// Whether requests carry only the path and query (hyper's connection
    /// API), not the absolute URI (hyper-util's client).
    fn origin_form(&self) -> bool {
        matches!(self, UpstreamClient::Http1(_))
    }
}

impl Upstreams {
    /// Build every route's client; TLS settings (CA file, client
    /// certificate) are read now, so errors surface at start.
    pub fn new(config: &GatewayConfig) -> Result<Upstreams, crate::Error> {
        let routes = config
            .routes
            .iter()
            .map(|r| upstream_for(r, config.listen.workers.unwrap_or(0) + 1))
            .collect::<Result<_, _>>()?;
        Ok(Upstreams { routes })
    }
}

fn upstream_for(route: &Route, clients: usize) -> Result<Upstream, crate::Error> {
    let bad =
        |why: &str| crate::Error::invalid("routes.upstream", format!("{}: {why}", route.name));
    let base: Uri = route.upstream.parse().map_err(|_| bad("not a URL"))?;
    let authority = base.authority().cloned().ok_or_else(|| bad("no host"))?;
    let host = HeaderValue::from_str(authority.as_str()).map_err(|_| bad("bad host"))?;
    let scheme = base.scheme().cloned().unwrap_or(Scheme::HTTP);
    Ok(Upstream {
        clients: (0..clients)
            .map(|_| client_for(route, &scheme, &authority))
            .collect::<Result<_, _>>()?,
        scheme,
        authority,
        base_path: base.path().trim_end_matches('/').to_string(),
        host,
    })
}

fn client_for(
    route: &Route,
    scheme: &Scheme,
    authority: &Authority,
) -> Result<UpstreamClient, crate::Error> {
    let plain = *scheme != Scheme::HTTPS;
    if plain && !route.upstream_http2 {
        let addr = format!(
            "{}:{}",
            authority.host(),
            authority.port_u16().unwrap_or(80)
        );
        return Ok(UpstreamClient::Http1(Http1Pool::new(addr)));
    }
    let mut conn = HttpConnector::new();
    conn.set_nodelay(true);
    conn.set_connect_timeout(Some(Duration::from_secs(5)));
    let mut builder = Client::builder(TokioExecutor::new());
    builder
        .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
        .pool_idle_timeout(Duration::from_secs(60))
        .http2_only(route.upstream_http2);
    if plain {
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

/// The upstream-request phase, after every request filter let the request through.
pub async fn upstream_request(
    state: &Arc<AppState>,
    s: &Session,
    req: Request,
) -> Result<Response, GatewayError> {
    let (index, route) = crate::layers::matched_route(state, s)?;
    let ctx = &s.ctx;
    let verdict = s.body_verdict.as_ref();
    let (mut parts, body) = req.into_parts();
    let up = state
        .upstreams
        .routes
        .get(index)
        .ok_or(GatewayError::Internal)?;
    let path_and_query = match parts.uri.path_and_query() {
        Some(pq) if up.base_path.is_empty() => pq.clone(),
        pq => {
            let pq = pq.map(|p| p.as_str()).unwrap_or("/");
            PathAndQuery::try_from(format!("{}{pq}", up.base_path))
                .map_err(|_| GatewayError::Internal)?
        }
    };
    let client = up.client();
    let mut uri = http::uri::Parts::default();
    if !client.origin_form() {
        uri.scheme = Some(up.scheme.clone());
        uri.authority = Some(up.authority.clone());
    }
    uri.path_and_query = Some(path_and_query);
    let uri = Uri::from_parts(uri).map_err(|_| GatewayError::Internal)?;
    crate::layers::remove_listed(&mut parts.headers, HOP_BY_HOP);
    parts.headers.insert(header::HOST, up.host.clone());
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
