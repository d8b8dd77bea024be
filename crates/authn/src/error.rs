//! The crate's one error type. Every variant names a reason and never
//! carries token contents, claims values or secrets, so that it can be
//! logged and mapped to a 401 as it is.

/// Why a bearer token was not accepted (or the authenticator could not
/// decide).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthnError {
    #[error("token longer than {max} bytes")]
    TooLarge { max: usize },
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    #[error("unsigned token (alg none)")]
    AlgNone,
    #[error("algorithm {0} not allowed for this issuer")]
    AlgNotAllowed(String),
    #[error("token header carries a key or key location ({0}); never trusted")]
    EmbeddedKey(&'static str),
    #[error("token header has critical extensions (crit); none are supported")]
    CriticalHeader,
    #[error("unknown issuer")]
    UnknownIssuer,
    #[error("no key with this key id for the issuer")]
    UnknownKid,
    #[error("key does not match the token algorithm")]
    KeyAlgMismatch,
    #[error("bad signature")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("token not yet valid (nbf)")]
    NotYetValid,
    #[error("wrong audience")]
    WrongAudience,
    #[error("wrong issuer")]
    WrongIssuer,
    #[error("missing required claim {0}")]
    MissingClaim(String),
    #[error("claim {0} has the wrong type")]
    BadClaim(String),
    #[error("token is not active (introspection)")]
    Inactive,
    /// Keys or the introspection endpoint could not be reached and no
    /// last-good data exists (maps to 503, not 401, at the gateway).
    #[error("key set or introspection endpoint unavailable: {0}")]
    Unavailable(String),
    #[error("invalid authentication configuration: {0}")]
    Config(String),
}

impl AuthnError {
    /// A short kebab-case code for audit records and metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            AuthnError::TooLarge { .. } => "token-too-large",
            AuthnError::Malformed(_) => "malformed-token",
            AuthnError::AlgNone => "alg-none",
            AuthnError::AlgNotAllowed(_) => "alg-not-allowed",
            AuthnError::EmbeddedKey(_) => "embedded-key",
            AuthnError::CriticalHeader => "crit-header",
            AuthnError::UnknownIssuer => "unknown-issuer",
            AuthnError::UnknownKid => "unknown-kid",
            AuthnError::KeyAlgMismatch => "key-alg-mismatch",
            AuthnError::BadSignature => "bad-signature",
            AuthnError::Expired => "expired-token",
            AuthnError::NotYetValid => "token-not-yet-valid",
            AuthnError::WrongAudience => "wrong-audience",
            AuthnError::WrongIssuer => "wrong-issuer",
            AuthnError::MissingClaim(_) => "missing-claim",
            AuthnError::BadClaim(_) => "bad-claim",
            AuthnError::Inactive => "inactive-token",
            AuthnError::Unavailable(_) => "authn-unavailable",
            AuthnError::Config(_) => "authn-config",
        }
    }

    /// Whether the gateway should answer 503 (could not decide) rather
    /// than 401 (decided: not authenticated).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AuthnError::Unavailable(_) | AuthnError::Config(_))
    }
}
