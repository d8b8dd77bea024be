//! Request filter: at most `limits.max_concurrent_per_key` requests in
//! flight per key. The permit lives in the response body, so a long token
//! stream counts until its last byte. Over the limit: 429.

use crate::context::Session;
use crate::reject::GatewayError;
use crate::state::AppState;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub fn limit(state: &AppState, s: &mut Session) -> Result<(), GatewayError> {
    let max = state.config.limits.max_concurrent_per_key;
    if max == 0 {
        return Ok(());
    }
    let id = &crate::layers::identity(s)?.id;
    let sem = {
        let mut map = state.in_flight.lock().map_err(|_| GatewayError::Internal)?;
        // One semaphore per key id: bounded by the number of valid keys.
        // Looked up first, so that the usual case copies no key id.
        match map.get(id) {
            Some(sem) => sem.clone(),
            None => map
                .entry(id.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(max as usize)))
                .clone(),
        }
    };
    let permit = sem
        .try_acquire_owned()
        .map_err(|_| GatewayError::TooManyConcurrent)?;
    s.guards.push(Box::new(permit));
    Ok(())
}
