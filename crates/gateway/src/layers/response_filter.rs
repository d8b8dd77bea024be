//! Response filter: drop headers that reveal the upstream's software
//! (checklist 000#10) and hop-by-hop headers, and add `X-Request-Id`.
//! Runs on every response, the gateway's own rejections included.

use crate::layers::ctx;
use crate::layers::request_id::REQUEST_ID_HEADER;
use axum::extract::Request;
use axum::middleware::Next;
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

pub async fn filter(req: Request, next: Next) -> Response {
    let id = ctx(&req).map(|c| c.request_id.clone());
    let mut resp = next.run(req).await;
    strip(resp.headers_mut());
    if let Some(id) = id.and_then(|i| HeaderValue::from_str(&i).ok()) {
        resp.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), id);
    }
    resp
}

pub(crate) fn strip(headers: &mut HeaderMap) {
    for h in STRIPPED_RESPONSE_HEADERS {
        headers.remove(*h);
    }
}
