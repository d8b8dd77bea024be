//! What the layers learn about a request and hand to later phases: the
//! request context (shared with the logging phase, which outlives the inner
//! layers), the authenticated [`Identity`], the client address and the route.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Instant;

/// The peer address of the connection, inserted by the server per connection.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub SocketAddr);

/// How an identity was established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    ApiKey,
    /// A JWT bearer token (aigis-authn; not wired yet).
    Jwt,
    /// An OAuth2 token checked by introspection (aigis-authn; not wired yet).
    Introspected,
}

/// Who is calling, after the authenticate layer. API keys fill `id` (the key
/// id), `role` and `tenant`; token-based identities will also carry the
/// `amr`/`acr` claims the authorize layer checks for MFA.
#[derive(Clone, Debug)]
pub struct Identity {
    pub kind: IdentityKind,
    /// Key id, or the token subject.
    pub id: String,
    pub role: String,
    pub tenant: Option<String>,
    /// Authentication methods (RFC 8176), from token claims.
    pub amr: Option<Vec<String>>,
    /// Authentication context class, from token claims.
    pub acr: Option<String>,
}

/// The route chosen for a request.
#[derive(Clone, Copy, Debug)]
pub struct RouteMatch(pub usize);

/// Facts gathered along the way for the audit record.
#[derive(Debug, Default)]
pub struct Facts {
    pub identity: Option<String>,
    pub role: Option<String>,
    pub tenant: Option<String>,
    pub model: Option<String>,
    pub route: Option<String>,
}

/// Per-request context, created by the request-id layer.
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

/// Shared handle stored in request extensions.
pub type Ctx = std::sync::Arc<RequestCtx>;
