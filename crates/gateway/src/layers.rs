//! The phases, one file each, in the order the pipeline in [`crate::app`]
//! runs them. Each request filter either lets the request go on or answers
//! with a [`crate::reject::GatewayError`].

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
use crate::context::{Identity, Session};
use crate::reject::GatewayError;
use crate::state::AppState;

/// The route the route phase chose for this request, and its index.
/// Missing means the pipeline is miswired: an internal error.
pub(crate) fn matched_route<'a>(
    state: &'a AppState,
    s: &Session,
) -> Result<(usize, &'a Route), GatewayError> {
    let index = s.route.ok_or(GatewayError::Internal)?;
    let route = state
        .config
        .routes
        .get(index)
        .ok_or(GatewayError::Internal)?;
    Ok((index, route))
}

/// Who the authenticate phase says is calling. Missing means no credential
/// was accepted: 401.
pub(crate) fn identity(s: &Session) -> Result<&Identity, GatewayError> {
    s.identity.as_ref().ok_or(GatewayError::Unauthenticated)
}

/// Remove every header named in `listed` (lower case). One pass over the
/// headers present, which are usually fewer than the names listed (a
/// remove per listed name parsed and hashed each name on every request).
pub(crate) fn remove_listed(headers: &mut http::HeaderMap, listed: &[&str]) {
    let found: Vec<http::HeaderName> = headers
        .keys()
        .filter(|k| listed.contains(&k.as_str()))
        .cloned()
        .collect();
    for name in found {
        headers.remove(name);
    }
}
