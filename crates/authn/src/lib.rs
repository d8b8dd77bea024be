//! Bearer-token authentication for the aigis gateway.
//!
//! [`JwtValidator`] validates JWTs against configured issuers
//! ([`IssuerConfig`]: an explicit algorithm list, audiences, a JWKS URL or
//! static keys, leeway, required claims), refusing `alg: none`, algorithms
//! outside the list, shared-secret algorithms altogether (so no HS/RS
//! confusion), keys or key URLs embedded in the header, expired and
//! not-yet-valid tokens, wrong issuers and audiences, unknown key ids and
//! oversized or malformed tokens. [`Introspector`] asks an OAuth 2.0
//! authorization server about opaque tokens (RFC 7662) with a short cache.
//! Both return an [`Identity`] (with `amr`/`acr` for multi-factor step-up,
//! see [`step_up_challenge`]) or an [`AuthnError`] naming the reason,
//! never the token.
//!
//! Network calls (JWKS refresh, introspection cache misses) block the
//! calling thread with a 5 s limit: async callers run `validate` and
//! `introspect` on a blocking pool (`tokio::task::spawn_blocking`), or call
//! [`JwtValidator::prefetch`] at start-up so that steady-state validation
//! does not fetch. The crate never prints.

mod config;
mod error;
mod http;
pub mod identity;
pub mod introspect;
pub mod jwks;
pub mod token;
mod validator;

pub use config::{
    CachePolicy, ClaimNames, DEFAULT_LEEWAY_S, IssuerConfig, KeySource, MAX_LEEWAY_S,
};
pub use error::AuthnError;
pub use http::{HTTP_TIMEOUT, check_url};
pub use identity::{Identity, Source, StepUp, step_up_challenge};
pub use introspect::{IntrospectionConfig, Introspector};
pub use validator::JwtValidator;
