//! Response filter: drop headers that reveal the upstream's software
//! (checklist 000#10) and hop-by-hop headers, and add `X-Request-Id`.
//! Runs on every response, the gateway's own rejections included.

use crate::context::RequestCtx;
use crate::layers::request_id::REQUEST_ID_HEADER;
use axum::response::Response;
use http::{HeaderMap, HeaderName, HeaderValue};

/// Headers that name server software or frameworks, or only concern one hop.
pub const STRIPPED_RESPONSE_HEADERS: &[&str] = &[
    "server",
    "x-powered-by",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-runtime",
    "x-version",
    "x-generator",
    "x-envoy-upstream-service-time",
    "via",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "trailer",
];

pub fn filter(ctx: &RequestCtx, resp: &mut Response) {
    strip(resp.headers_mut());
    if let Ok(id) = HeaderValue::from_str(&ctx.request_id) {
        resp.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), id);
    }
}

pub(crate) fn strip(headers: &mut HeaderMap) {
    crate::layers::remove_listed(headers, STRIPPED_RESPONSE_HEADERS);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_headers_go_with_every_value_and_others_stay() {
        let mut h = HeaderMap::new();
        h.append("server", HeaderValue::from_static("uvicorn"));
        h.append("via", HeaderValue::from_static("1.1 a"));
        h.append("via", HeaderValue::from_static("1.1 b"));
        h.append("X-Powered-By", HeaderValue::from_static("Python"));
        h.append("content-type", HeaderValue::from_static("application/json"));
        h.append("x-served", HeaderValue::from_static("kept"));
        strip(&mut h);
        let mut left: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        left.sort_unstable();
        assert_eq!(left, ["content-type", "x-served"]);
        // Nothing listed present: nothing changes.
        strip(&mut h);
        assert_eq!(h.len(), 2);
    }
}
