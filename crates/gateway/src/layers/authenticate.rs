//! Request filter: who is calling. One credential per request, from
//! `Authorization: Bearer ...` or `X-API-Key: ...` (both at once is refused
//! as ambiguous):
//!
//! - `aig_...` (and anything in `X-API-Key`) is an API key, checked against
//!   the in-memory key table (one constant-time HMAC verify);
//! - any other bearer token goes to [`crate::tokens::TokenAuth`]: a JWT
//!   (three parts) to the configured issuers, otherwise introspection;
//!   without `[auth]` it is refused like any bad credential.
//!
//! Answers: no or bad credential, 401 with `WWW-Authenticate: Bearer`; a
//! token that was checked and refused, 401 with `error="invalid_token"`
//! (RFC 6750); a token that could not be checked because the identity
//! provider is unreachable and no last-good keys exist, 503 with no detail.
//! The audit record's `reason` is aigis-authn's reason code
//! (`expired-token`, `alg-none`, ...), never token contents.
//!
//! The credential is removed from the request here so that no later phase
//! (or the upstream) ever sees it.

use crate::context::{Identity, IdentityKind, Session};
use crate::keys::{KEY_PREFIX, unix_now};
use crate::reject::GatewayError;
use crate::state::AppState;
use aigis_authn::AuthnError;
use axum::extract::Request;
use http::header::AUTHORIZATION;
use zeroize::Zeroizing;

pub const API_KEY_HEADER: &str = "x-api-key";

/// `WWW-Authenticate` for a token that was checked and refused.
pub const INVALID_TOKEN_CHALLENGE: &str = "Bearer realm=\"aigis\", error=\"invalid_token\"";

/// The credential a request presents.
enum Credential {
    None,
    ApiKey(Zeroizing<String>),
    Token(Zeroizing<String>),
}

pub async fn authenticate(
    state: &AppState,
    s: &mut Session,
    req: &mut Request,
) -> Result<(), GatewayError> {
    let identity = match credential(req) {
        Credential::None => return Err(GatewayError::Unauthenticated),
        Credential::ApiKey(k) => api_key(state, &k).ok_or(GatewayError::Unauthenticated)?,
        Credential::Token(t) => match state.tokens.get() {
            None => return Err(GatewayError::Unauthenticated),
            Some(tokens) => tokens.authenticate(&t).await.map_err(token_rejection)?,
        },
    };
    req.headers_mut().remove(AUTHORIZATION);
    req.headers_mut().remove(API_KEY_HEADER);
    s.ctx.with_facts(|f| {
        // Claims from an identity provider are redacted, like every
        // audited string, by the audit sink.
        f.identity = Some(identity.id.clone());
        f.role = (!identity.role.is_empty()).then(|| identity.role.clone());
        f.tenant = identity.tenant.clone();
    });
    s.identity = Some(identity);
    Ok(())
}

fn credential(req: &Request) -> Credential {
    let h = req.headers();
    let bad = Credential::None;
    match (h.get(AUTHORIZATION), h.get(API_KEY_HEADER)) {
        (Some(_), Some(_)) => bad, // two credentials: ambiguous, refuse
        (Some(a), None) => {
            let Some((scheme, token)) = a.to_str().ok().and_then(|a| a.split_once(' ')) else {
                return bad;
            };
            if !scheme.eq_ignore_ascii_case("bearer") {
                return bad;
            }
            let token = token.trim();
            if token.starts_with(KEY_PREFIX) {
                Credential::ApiKey(Zeroizing::new(token.to_string()))
            } else if token.is_empty() {
                bad
            } else {
                Credential::Token(Zeroizing::new(token.to_string()))
            }
        }
        (None, Some(k)) => match k.to_str() {
            Ok(k) => Credential::ApiKey(Zeroizing::new(k.trim().to_string())),
            Err(_) => bad,
        },
        (None, None) => bad,
    }
}

fn api_key(state: &AppState, presented: &str) -> Option<Identity> {
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

/// 401 `invalid_token`, or 503 when the token could not be checked.
fn token_rejection(e: AuthnError) -> GatewayError {
    if e.is_unavailable() {
        GatewayError::AuthUnavailable(e.reason())
    } else {
        GatewayError::InvalidToken(e.reason())
    }
}
