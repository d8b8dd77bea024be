//! Request filter, before authentication: the per-client-address rate
//! limit. It runs first so that floods of bad credentials are throttled
//! before any key lookup.

use crate::context::Session;
use crate::layers::rate_limit::refuse;
use crate::reject::GatewayError;
use crate::state::AppState;

pub async fn limit(state: &AppState, s: &Session) -> Result<(), GatewayError> {
    if let (Some(limiter), Some(addr)) = (&state.limiters.per_client, s.ctx.client) {
        let ip = addr.ip().to_string();
        let v = limiter.check(&ip, tokio::time::Instant::now()).get().await;
        if !v.allowed {
            return Err(refuse("per-client", limiter.as_ref(), v));
        }
    }
    Ok(())
}
