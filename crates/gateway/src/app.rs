//! The service: one visible stack. Requests go down it in this order and
//! responses come back up:
//!
//! | phase            | layer                        | refuses with |
//! |------------------|------------------------------|--------------|
//! | request filter   | `request_id::assign`         |              |
//! | logging          | `logging::log` (on the way out) |           |
//! | response filter  | `response_filter::filter` (on the way out) | |
//! | request filter   | `client_limit::limit`        | 429          |
//! | request filter   | `authenticate::authenticate` | 401          |
//! | request filter   | `route::select`              | 404          |
//! | request filter   | `authorize::authorize`       | 403, 401 step-up |
//! | request filter   | `rate_limit::limit`          | 429          |
//! | request filter   | `concurrency::limit`         | 429          |
//! | request filter   | `request_body::guard`        | 413, 408, 400, 403, 404 |
//! | upstream request | `proxy::upstream_request`    | 502, 504     |

use crate::layers::{
    authenticate, authorize, client_limit, concurrency, logging, rate_limit, request_body,
    request_id, response_filter, route,
};
use crate::proxy;
use crate::state::AppState;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use std::sync::Arc;
use tower::ServiceBuilder;

/// The public router (the proxy).
pub fn router(state: Arc<AppState>) -> Router {
    let s = || state.clone();
    let stack = ServiceBuilder::new()
        .layer(from_fn(request_id::assign))
        .layer(from_fn_with_state(s(), logging::log))
        .layer(from_fn(response_filter::filter))
        .layer(from_fn_with_state(s(), client_limit::limit))
        .layer(from_fn_with_state(s(), authenticate::authenticate))
        .layer(from_fn_with_state(s(), route::select))
        .layer(from_fn_with_state(s(), authorize::authorize))
        .layer(from_fn_with_state(s(), rate_limit::limit))
        .layer(from_fn_with_state(s(), concurrency::limit))
        .layer(from_fn_with_state(s(), request_body::guard));
    Router::new()
        .fallback(proxy::upstream_request)
        .with_state(s())
        .layer(stack)
}
