//! The admin listener's router: `/healthz` (the process answers),
//! `/readyz` (keys loaded and every upstream reachable by TCP within 1 s),
//! `/metrics` (Prometheus text). Plain HTTP, loopback by default.

use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{StatusCode, header};
use std::sync::Arc;
use std::time::Duration;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    for route in &state.config.routes {
        let Some(authority) = route.upstream.parse::<http::Uri>().ok().and_then(|u| {
            u.authority()
                .map(|a| (a.host().to_string(), a.port_u16().unwrap_or(80)))
        }) else {
            return (StatusCode::SERVICE_UNAVAILABLE, "bad upstream\n").into_response();
        };
        let connect = tokio::net::TcpStream::connect(authority);
        if !matches!(
            tokio::time::timeout(Duration::from_secs(1), connect).await,
            Ok(Ok(_))
        ) {
            let body = format!("upstream of route {} unreachable\n", route.name);
            return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
        }
    }
    "ready\n".into_response()
}
