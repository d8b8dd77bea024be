//! The admin listener's router: `/healthz` (the process answers),
//! `/readyz` (the audit writer is running and every upstream is reachable
//! by TCP within 1 s), `/metrics` (Prometheus text, including the audit
//! log's lost records). Plain HTTP, loopback by default.

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
        format!(
            "{}# HELP aigis_gateway_audit_lost_total Audit records not written (queue full with when_full = \"drop\", or writer stopped).\n# TYPE aigis_gateway_audit_lost_total counter\naigis_gateway_audit_lost_total {}\n# HELP aigis_gateway_audit_up Whether the audit writer is running.\n# TYPE aigis_gateway_audit_up gauge\naigis_gateway_audit_up {}\n",
            state.metrics.render(),
            state.audit.lost(),
            u8::from(state.audit.failure().is_none())
        ),
    )
        .into_response()
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.audit.failure().is_some() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "audit log writer stopped\n",
        )
            .into_response();
    }
    for route in &state.config.routes {
        let Some(authority) = route.upstream.parse::<http::Uri>().ok().and_then(|u| {
            u.authority().map(|a| {
                let default_port = if u.scheme_str() == Some("https") {
                    443
                } else {
                    80
                };
                (a.host().to_string(), a.port_u16().unwrap_or(default_port))
            })
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
