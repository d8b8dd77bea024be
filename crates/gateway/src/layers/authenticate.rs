//! Request filter: who is calling. Today: API keys, from
//! `Authorization: Bearer aig_...` or `X-API-Key: aig_...`, checked against
//! the in-memory key table (one constant-time HMAC verify).
//!
//! JWT bearer tokens and OAuth2 introspection (aigis-authn) are NOT wired
//! yet: a bearer credential that is not key-shaped is where they will plug
//! in; today it is refused with 401 like any bad credential.
//!
//! The credential is removed from the request here so that no later phase
//! (or the upstream) ever sees it.

use crate::context::{Identity, IdentityKind};
use crate::keys::unix_now;
use crate::layers::ctx;
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::AUTHORIZATION;
use std::sync::Arc;

pub const API_KEY_HEADER: &str = "x-api-key";

pub async fn authenticate(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Result<Response, GatewayError> {
    let identity = identify(&state, &req).ok_or(GatewayError::Unauthenticated)?;
    req.headers_mut().remove(AUTHORIZATION);
    req.headers_mut().remove(API_KEY_HEADER);
    if let Some(ctx) = ctx(&req) {
        ctx.with_facts(|f| {
            f.identity = Some(identity.id.clone());
            f.role = Some(identity.role.clone());
            f.tenant = identity.tenant.clone();
        });
    }
    req.extensions_mut().insert(identity);
    Ok(next.run(req).await)
}

fn identify(state: &AppState, req: &Request) -> Option<Identity> {
    let h = req.headers();
    let presented = match (h.get(AUTHORIZATION), h.get(API_KEY_HEADER)) {
        (Some(_), Some(_)) => return None, // two credentials: ambiguous, refuse
        (Some(a), None) => {
            let a = a.to_str().ok()?;
            let (scheme, token) = a.split_once(' ')?;
            if !scheme.eq_ignore_ascii_case("bearer") {
                return None;
            }
            token.trim()
        }
        (None, Some(k)) => k.to_str().ok()?.trim(),
        (None, None) => return None,
    };
    let keys = state.keys.load();
    let entry = keys.check(&state.hasher, presented, unix_now())?;
    Some(Identity {
        kind: IdentityKind::ApiKey,
        id: entry.id.clone(),
        role: entry.role.clone(),
        tenant: entry.tenant.clone(),
        amr: None,
        acr: None,
    })
}
