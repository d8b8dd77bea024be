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

use crate::context::Ctx;
use axum::extract::Request;

/// The request context; the request-id layer always inserts it first.
pub(crate) fn ctx(req: &Request) -> Option<Ctx> {
    req.extensions().get::<Ctx>().cloned()
}
