//! Request filter: at most `limits.max_concurrent_per_key` requests in
//! flight per key. The permit lives in the response body, so a long token
//! stream counts until its last byte. Over the limit: 429.

use crate::body::Observed;
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub async fn limit(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Result<Response, GatewayError> {
    let max = state.config.limits.max_concurrent_per_key;
    if max == 0 {
        return Ok(next.run(req).await);
    }
    let id = crate::layers::identity(&req)?.id.clone();
    let sem = {
        let mut map = state.in_flight.lock().map_err(|_| GatewayError::Internal)?;
        // One semaphore per key id: bounded by the number of valid keys.
        map.entry(id)
            .or_insert_with(|| Arc::new(Semaphore::new(max as usize)))
            .clone()
    };
    let permit = sem
        .try_acquire_owned()
        .map_err(|_| GatewayError::TooManyConcurrent)?;
    let resp = next.run(req).await;
    let (parts, body) = resp.into_parts();
    Ok(Response::from_parts(
        parts,
        Body::new(Observed::holding(body, Box::new(permit))),
    ))
}
