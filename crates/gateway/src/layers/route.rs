//! Request filter: choose the route (longest path prefix). Paths are
//! checked for traversal tricks before matching, so that `/v1/../admin`
//! cannot reach a prefix its role was not granted.

use crate::context::Session;
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::extract::Request;

pub fn select(state: &AppState, s: &mut Session, req: &Request) -> Result<(), GatewayError> {
    let path = req.uri().path();
    if !is_clean_path(path) {
        return Err(GatewayError::NoRoute);
    }
    let (index, route) = state.config.route_for(path).ok_or(GatewayError::NoRoute)?;
    s.ctx.with_facts(|f| f.route = Some(route.name.clone()));
    s.route = Some(index);
    Ok(())
}

/// No `.`/`..` segments, no empty segments, no encoded slashes, dots or
/// backslashes: the upstream must see the same path the gateway matched.
fn is_clean_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%2e")
        || path.contains('\\')
    {
        return false;
    }
    // Segments after the leading '/'; only the last may be empty (a trailing slash).
    let last = path.split('/').count().saturating_sub(2);
    path.split('/')
        .skip(1)
        .enumerate()
        .all(|(i, seg)| seg != "." && seg != ".." && (!seg.is_empty() || i == last))
}

#[cfg(test)]
mod tests {
    use super::is_clean_path;

    #[test]
    fn traversal_and_encoded_separators_are_refused() {
        assert!(is_clean_path("/v1/chat/completions"));
        assert!(is_clean_path("/v1/"));
        for bad in [
            "/v1/../admin",
            "/v1/./x",
            "/v1//x",
            "/v1/%2e%2e/x",
            "/v1/a%2Fb",
            "/v1/a\\b",
        ] {
            assert!(!is_clean_path(bad), "{bad}");
        }
    }
}
