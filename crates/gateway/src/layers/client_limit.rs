//! Request filter, before authentication: the per-client-address rate
//! limit. It runs first so that floods of bad credentials are throttled
//! before any key lookup.

use crate::context::ClientAddr;
use crate::layers::rate_limit::refuse;
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

pub async fn limit(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Result<Response, GatewayError> {
    if let (Some(limiter), Some(ClientAddr(addr))) = (
        &state.limiters.per_client,
        req.extensions().get::<ClientAddr>(),
    ) {
        let ip = addr.ip().to_string();
        let v = limiter.check(&ip, tokio::time::Instant::now()).get().await;
        if !v.allowed {
            return Err(refuse("per-client", limiter.as_ref(), v));
        }
    }
    Ok(next.run(req).await)
}
