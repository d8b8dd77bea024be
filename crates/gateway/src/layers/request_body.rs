//! Request filter, last before the upstream request: the body.
//!
//! - A `Content-Length` above the route's `max_body_bytes` is refused (413)
//!   before reading.
//! - JSON bodies (`application/json`, `*+json`) are read into memory, at
//!   most `max_body_bytes`, within `limits.body_read_timeout` (408), checked
//!   for nesting depth (400, `json_depth`) and searched for the top-level
//!   `"model"`; then forwarded. So JSON is bounded-buffered, not streamed.
//! - Other bodies stream upstream through `body::RequestGuard`, which cuts
//!   them off at the size limit or deadline (the proxy then answers 413/408).
//!
//! The model (from a KServe `/v2/models/{name}/...` path or the JSON body)
//! must be served by the route and granted to the role.

use crate::body::{BodyVerdict, RequestGuard};
use crate::context::Session;
use crate::json_depth::check_depth;
use crate::layers::authorize::{grant_model, role_of};
use crate::layers::matched_route;
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::Request;
use http_body_util::{BodyExt, Limited};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Longest model name taken from a path or body.
pub const MAX_MODEL_NAME: usize = 256;

pub async fn guard(
    state: &AppState,
    s: &mut Session,
    req: Request,
) -> Result<Request, GatewayError> {
    let (_, route) = matched_route(state, s)?;
    let limit = route.max_body_bytes;
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(GatewayError::BodyTooLarge { limit });
    }
    let ctx = s.ctx.clone();
    let timeout = state.config.limits.body_read_timeout.0;
    let (parts, body) = req.into_parts();
    let mut model = model_from_path(parts.uri.path()).map(str::to_string);
    let body = if is_json(&parts.headers) {
        let usize_limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let read = tokio::time::timeout(timeout, Limited::new(body, usize_limit).collect()).await;
        let bytes = match read {
            Err(_) => return Err(GatewayError::BodyTimeout),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
                return Err(GatewayError::BodyTooLarge { limit });
            }
            Ok(Err(_)) => return Err(GatewayError::BadJson("body could not be read")),
            Ok(Ok(c)) => c.to_bytes(),
        };
        ctx.bytes_in.store(bytes.len() as u64, Ordering::Relaxed);
        check_depth(&bytes, state.config.limits.max_json_depth)
            .map_err(|_| GatewayError::BadJson("nested too deeply"))?;
        if model.is_none() && !bytes.is_empty() {
            model = model_from_json(&bytes)?;
        }
        Body::from(bytes)
    } else {
        let verdict = Arc::new(BodyVerdict::default());
        s.body_verdict = Some(verdict.clone());
        let deadline = tokio::time::Instant::now() + timeout;
        Body::new(RequestGuard::new(
            body,
            limit,
            deadline,
            ctx.clone(),
            verdict,
        ))
    };
    if let Some(m) = &model
        && !route.models.is_empty()
        && !route.models.iter().any(|x| x == m)
    {
        ctx.with_facts(|f| f.model = Some(m.clone()));
        return Err(GatewayError::UnknownModel);
    }
    ctx.with_facts(|f| f.model = model.clone());
    let role = role_of(state, crate::layers::identity(s)?)?;
    grant_model(role, model.as_deref())?;
    Ok(Request::from_parts(parts, body))
}

fn is_json(h: &http::HeaderMap) -> bool {
    h.get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let mime = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        })
        .unwrap_or(false)
}

/// KServe v2 / Triton: `/v2/models/{name}[/versions/{v}]/...`.
fn model_from_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v2/models/")?;
    let name = rest.split('/').next()?;
    (!name.is_empty() && name.len() <= MAX_MODEL_NAME).then_some(name)
}

/// The top-level `"model"` string of an OpenAI-style body.
fn model_from_json(bytes: &[u8]) -> Result<Option<String>, GatewayError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        model: Option<serde_json::Value>,
    }
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|_| GatewayError::BadJson("not valid JSON"))?;
    match probe.model {
        None => Ok(None),
        Some(serde_json::Value::String(s)) if s.len() <= MAX_MODEL_NAME => Ok(Some(s)),
        Some(_) => Err(GatewayError::BadJson("\"model\" must be a short string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_from_paths_and_bodies() {
        assert_eq!(model_from_path("/v2/models/resnet/infer"), Some("resnet"));
        assert_eq!(model_from_path("/v2/models//infer"), None);
        assert_eq!(model_from_path("/v1/chat/completions"), None);
        assert_eq!(
            model_from_json(br#"{"model":"m","x":[1]}"#).unwrap(),
            Some("m".into())
        );
        assert_eq!(model_from_json(br#"{"messages":[]}"#).unwrap(), None);
        assert!(model_from_json(br#"{"model":3}"#).is_err());
        assert!(model_from_json(b"[1,2").is_err());
    }
}
