//! What the phases learn about a request and hand to later phases: the
//! [`Session`] (pingora's per-request context) with the request context
//! (shared with the logging phase, which outlives the request), the
//! authenticated [`Identity`] and the route; and the client address.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The peer address of the connection, inserted by the server per connection.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub SocketAddr);

/// How an identity was established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    ApiKey,
    /// A JWT bearer token (aigis-authn, see [`crate::tokens`]).
    Jwt,
    /// An OAuth2 token checked by introspection (RFC 7662, aigis-authn).
    Introspected,
}

/// Who is calling, after the authenticate phase. API keys fill `id` (the key
/// id), `role` and `tenant`; token-based identities (`id` is
/// `<issuer name>:<sub>`, `role` empty when the token names no configured
/// role) also carry the `amr`/`acr` claims the authorize phase checks for MFA.
#[derive(Clone, Debug)]
pub struct Identity {
    pub kind: IdentityKind,
    /// Key id, or `<issuer name>:<token subject>`.
    pub id: String,
    pub role: String,
    pub tenant: Option<String>,
    /// Authentication methods (RFC 8176), from token claims.
    pub amr: Option<Vec<String>>,
    /// Authentication context class, from token claims.
    pub acr: Option<String>,
}

/// What the request filters learn, for the phases after them. Owned by the
/// pipeline in [`crate::app`]; never shared between requests.
pub struct Session {
    pub ctx: Ctx,
    /// Set by the authenticate phase.
    pub identity: Option<Identity>,
    /// Index of the route (in `config.routes`) the route phase chose.
    pub route: Option<usize>,
    /// The per-key limit's policy and verdict, for the `RateLimit` headers
    /// of a response that was let through.
    pub key_limit: Option<((u64, u64), crate::ratelimit::Verdict)>,
    /// Why a streamed request body was cut off (request-body phase).
    pub body_verdict: Option<Arc<crate::body::BodyVerdict>>,
    /// Kept until the response body is finished (a concurrency permit).
    pub guards: Vec<Box<dyn std::any::Any + Send + Sync>>,
}

impl Session {
    pub fn new(ctx: Ctx) -> Session {
        Session {
            ctx,
            identity: None,
            route: None,
            key_limit: None,
            body_verdict: None,
            guards: Vec::new(),
        }
    }
}

/// Facts gathered along the way for the audit record.
#[derive(Debug, Default)]
pub struct Facts {
    pub identity: Option<String>,
    pub role: Option<String>,
    pub tenant: Option<String>,
    pub model: Option<String>,
    pub route: Option<String>,
}

/// Per-request context, created by the request-id phase.
#[derive(Debug)]
pub struct RequestCtx {
    pub request_id: String,
    pub started: Instant,
    pub method: String,
    pub client: Option<SocketAddr>,
    pub facts: Mutex<Facts>,
    /// Request body bytes read so far.
    pub bytes_in: AtomicU64,
    /// The upstream went silent mid-response past the route's idle timeout.
    pub upstream_stalled: AtomicBool,
}

impl RequestCtx {
    /// Update the facts (a poisoned lock only loses audit detail).
    pub fn with_facts(&self, f: impl FnOnce(&mut Facts)) {
        if let Ok(mut g) = self.facts.lock() {
            f(&mut g);
        }
    }
}

/// Shared handle: the session's, and the logging phase's once the response
/// is on its way.
pub type Ctx = Arc<RequestCtx>;
