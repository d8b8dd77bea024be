//! The request error: every failure a request can meet, who is at
//! fault (pingora's words: downstream = the client, upstream = the model
//! server, internal = us), and the response it becomes.
//!
//! Responses are generic JSON (`{"error":"..."}`) and never carry internal
//! detail: upstream addresses, I/O errors and key material stay out of them.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use std::time::Duration;

/// Who caused a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    /// The client: bad credentials, no grant, too many requests, bad body.
    Downstream,
    /// The model server: refused, reset, timed out.
    Upstream,
    /// The gateway itself.
    Internal,
}

/// Everything that can stop a request, as data.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("missing or invalid credentials")]
    Unauthenticated,
    /// A bearer token that was checked and refused; carries aigis-authn's
    /// reason code (`expired-token`, `alg-none`, ...), never token contents.
    #[error("{0}")]
    InvalidToken(&'static str),
    /// A bearer token that could not be checked: the identity provider is
    /// unreachable and no last-good keys exist. Carries the reason code.
    #[error("{0}")]
    AuthUnavailable(&'static str),
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// The role needs multi-factor authentication the identity lacks
    /// (RFC 9470 step-up); carries the `acr_values` to ask for.
    #[error("multi-factor authentication required")]
    StepUp { acr_values: String },
    #[error("no route for this path")]
    NoRoute,
    #[error("model not served by this route")]
    UnknownModel,
    #[error("rate limited by the {policy} limit")]
    RateLimited {
        policy: &'static str,
        retry_after: Duration,
        limit: u64,
        window_secs: u64,
    },
    #[error("{policy} daily quota exhausted")]
    QuotaExhausted {
        policy: &'static str,
        retry_after: Duration,
        limit: u64,
    },
    #[error("too many concurrent requests for this key")]
    TooManyConcurrent,
    #[error("request body larger than {limit} bytes")]
    BodyTooLarge { limit: u64 },
    #[error("request body not received in time")]
    BodyTimeout,
    #[error("request body is not acceptable JSON: {0}")]
    BadJson(&'static str),
    /// The audit writer has stopped and `audit.on_failure = "refuse"`.
    #[error("service unavailable")]
    AuditUnavailable,
    #[error("upstream unavailable")]
    UpstreamUnavailable,
    #[error("upstream timed out")]
    UpstreamTimeout,
    #[error("internal error")]
    Internal,
}

impl GatewayError {
    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        match self {
            GatewayError::UpstreamUnavailable
            | GatewayError::UpstreamTimeout
            | GatewayError::AuthUnavailable(_) => Fault::Upstream,
            GatewayError::Internal | GatewayError::AuditUnavailable => Fault::Internal,
            _ => Fault::Downstream,
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        use GatewayError::*;
        match self {
            Unauthenticated | InvalidToken(_) | StepUp { .. } => StatusCode::UNAUTHORIZED,
            Forbidden(_) => StatusCode::FORBIDDEN,
            NoRoute | UnknownModel => StatusCode::NOT_FOUND,
            RateLimited { .. } | QuotaExhausted { .. } | TooManyConcurrent => {
                StatusCode::TOO_MANY_REQUESTS
            }
            BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            BadJson(_) => StatusCode::BAD_REQUEST,
            UpstreamUnavailable => StatusCode::BAD_GATEWAY,
            UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AuditUnavailable | AuthUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The audit `decision` word for this error.
    pub fn decision(&self) -> &'static str {
        use GatewayError::*;
        match self {
            Unauthenticated | InvalidToken(_) | StepUp { .. } => "unauthenticated",
            Forbidden(_) | UnknownModel | NoRoute => "denied",
            RateLimited { .. } | QuotaExhausted { .. } | TooManyConcurrent => "limited",
            BodyTooLarge { .. } | BodyTimeout | BadJson(_) => "rejected",
            UpstreamUnavailable | UpstreamTimeout | Internal | AuditUnavailable
            | AuthUnavailable(_) => "error",
        }
    }

    /// The message clients see: short, generic, no internal detail;
    /// `None` when it is the error's own text (`reason`).
    fn public_message(&self) -> Option<&'static str> {
        match self {
            GatewayError::Forbidden(_) => Some("forbidden"),
            GatewayError::Internal => Some("internal error"),
            GatewayError::InvalidToken(_) => Some("invalid token"),
            GatewayError::AuthUnavailable(_) => Some("authentication temporarily unavailable"),
            _ => None,
        }
    }
}

/// What the logging phase learns from an error response: the reason, and
/// who was at fault. Put into the response's extensions.
#[derive(Clone, Debug)]
pub struct ErrorFacts {
    pub decision: &'static str,
    pub reason: String,
    pub fault: Fault,
}

/// The JSON body of every refusal: `{"error": "..."}`.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let reason = self.to_string();
        let body = serde_json::to_string(&ErrorBody {
            error: self.public_message().unwrap_or(&reason),
        })
        .unwrap_or_default();
        let mut resp = Response::new(axum::body::Body::from(body));
        *resp.status_mut() = self.status();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        match &self {
            GatewayError::Unauthenticated => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"aigis\""),
                );
            }
            GatewayError::InvalidToken(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(crate::layers::authenticate::INVALID_TOKEN_CHALLENGE),
                );
            }
            GatewayError::StepUp { acr_values } => {
                let v = format!(
                    "Bearer error=\"insufficient_user_authentication\", error_description=\"multi-factor authentication required\", acr_values=\"{acr_values}\""
                );
                if let Ok(v) = HeaderValue::from_str(&v) {
                    headers.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            GatewayError::RateLimited {
                policy,
                retry_after,
                limit,
                window_secs,
            } => crate::layers::rate_limit::limit_headers(
                headers,
                policy,
                *limit,
                *window_secs,
                0,
                *retry_after,
                true,
            ),
            GatewayError::QuotaExhausted {
                policy,
                retry_after,
                limit,
            } => crate::layers::rate_limit::limit_headers(
                headers,
                policy,
                *limit,
                86_400,
                0,
                *retry_after,
                true,
            ),
            _ => {}
        }
        resp.extensions_mut().insert(ErrorFacts {
            decision: self.decision(),
            reason,
            fault: self.fault(),
        });
        resp
    }
}
