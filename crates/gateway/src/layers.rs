//! The request filters, one file each, in the order the stack in
//! [`crate::app`] runs them. Each is an axum `from_fn` middleware that either
//! passes the request on or answers with a [`crate::reject::GatewayError`].

pub mod authenticate;
pub mod authorize;
pub mod client_limit;
pub mod concurrency;
pub mod logging;
pub mod rate_limit;
pub mod request_body;
pub mod request_id;
pub mod response_filter;
pub mod route;

use crate::config::Route;
use crate::context::{Ctx, Identity, RouteMatch};
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::extract::Request;

/// The request context; the request-id layer always inserts it first.
pub(crate) fn ctx(req: &Request) -> Option<Ctx> {
    req.extensions().get::<Ctx>().cloned()
}

/// The route the route layer chose for this request, and its index.
/// Missing means the stack is miswired: an internal error.
pub(crate) fn matched_route<'a>(
    state: &'a AppState,
    req: &Request,
) -> Result<(usize, &'a Route), GatewayError> {
    let RouteMatch(index) = *req
        .extensions()
        .get::<RouteMatch>()
        .ok_or(GatewayError::Internal)?;
    let route = state
        .config
        .routes
        .get(index)
        .ok_or(GatewayError::Internal)?;
    Ok((index, route))
}

/// Who the authenticate layer says is calling. Missing means no credential
/// was accepted: 401.
pub(crate) fn identity(req: &Request) -> Result<&Identity, GatewayError> {
    req.extensions()
        .get::<Identity>()
        .ok_or(GatewayError::Unauthenticated)
}
