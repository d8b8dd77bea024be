//! Request filter: may this identity do this? Roles grant routes, methods
//! and models; nothing is allowed unless granted (an unknown role has no
//! grants). Roles with `require_mfa` need token claims showing multi-factor
//! authentication (`amr` contains "mfa", or `acr` is one of the role's
//! `acr_values`); without them the answer is an RFC 9470 step-up challenge.
//! API keys carry no such claims, so they never satisfy `require_mfa`.
//!
//! The model is often only known from the body, so [`grant_model`] is called
//! by the request-body phase once it is.

use crate::config::Role;
use crate::context::{Identity, Session};
use crate::reject::GatewayError;
use crate::state::AppState;
use axum::extract::Request;

/// The configured role an identity names; one that names none is refused.
pub(crate) fn role_of<'a>(
    state: &'a AppState,
    identity: &Identity,
) -> Result<&'a Role, GatewayError> {
    state
        .config
        .roles
        .get(&identity.role)
        .ok_or(GatewayError::Forbidden("role not configured"))
}

/// `acr` value asked for when a role lists none.
pub const DEFAULT_ACR: &str = "mfa";

pub fn authorize(state: &AppState, s: &Session, req: &Request) -> Result<(), GatewayError> {
    let identity = crate::layers::identity(s)?;
    let (_, route) = crate::layers::matched_route(state, s)?;
    let role = role_of(state, identity)?;
    if !grants(&role.routes, &route.name) {
        return Err(GatewayError::Forbidden("route not granted"));
    }
    if !grants(&role.methods, req.method().as_str()) {
        return Err(GatewayError::Forbidden("method not granted"));
    }
    check_mfa(role, identity)
}

fn grants(list: &[String], item: &str) -> bool {
    list.iter().any(|g| g == "*" || g == item)
}

/// RFC 9470 step-up when the role needs MFA the identity does not show.
pub fn check_mfa(role: &Role, identity: &Identity) -> Result<(), GatewayError> {
    if !role.require_mfa {
        return Ok(());
    }
    let by_amr = identity
        .amr
        .as_ref()
        .is_some_and(|a| a.iter().any(|m| m == "mfa"));
    let by_acr = identity.acr.as_ref().is_some_and(|a| {
        role.acr_values.iter().any(|v| v == a) || (role.acr_values.is_empty() && a == DEFAULT_ACR)
    });
    if by_amr || by_acr {
        return Ok(());
    }
    let acr_values = if role.acr_values.is_empty() {
        DEFAULT_ACR.to_string()
    } else {
        role.acr_values.join(" ")
    };
    Err(GatewayError::StepUp { acr_values })
}

/// Whether `role` may use `model` (`None`: the request names no model, which
/// only a role granting every model may send).
pub fn grant_model(role: &Role, model: Option<&str>) -> Result<(), GatewayError> {
    if role.models.iter().any(|m| m == "*") {
        return Ok(());
    }
    match model {
        Some(m) if grants(&role.models, m) => Ok(()),
        Some(_) => Err(GatewayError::Forbidden("model not granted")),
        None => Err(GatewayError::Forbidden("request names no model")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::IdentityKind;

    fn ident(amr: Option<Vec<&str>>, acr: Option<&str>) -> Identity {
        Identity {
            kind: IdentityKind::Jwt,
            id: "sub".into(),
            role: "r".into(),
            tenant: None,
            amr: amr.map(|v| v.into_iter().map(String::from).collect()),
            acr: acr.map(String::from),
        }
    }

    #[test]
    fn mfa_role_steps_up_without_claims_and_passes_with_them() {
        let role = Role {
            require_mfa: true,
            acr_values: vec!["urn:acr:mfa".into()],
            ..Role::default()
        };
        match check_mfa(&role, &ident(None, None)) {
            Err(GatewayError::StepUp { acr_values }) => assert_eq!(acr_values, "urn:acr:mfa"),
            other => panic!("{other:?}"),
        }
        assert!(check_mfa(&role, &ident(Some(vec!["pwd", "mfa"]), None)).is_ok());
        assert!(check_mfa(&role, &ident(None, Some("urn:acr:mfa"))).is_ok());
        assert!(check_mfa(&role, &ident(None, Some("urn:acr:pwd"))).is_err());
    }

    #[test]
    fn models_are_denied_by_default() {
        let role = Role {
            models: vec!["a".into()],
            ..Role::default()
        };
        assert!(grant_model(&role, Some("a")).is_ok());
        assert!(grant_model(&role, Some("b")).is_err());
        assert!(grant_model(&role, None).is_err());
        assert!(grant_model(&Role::default(), Some("a")).is_err());
        let all = Role {
            models: vec!["*".into()],
            ..Role::default()
        };
        assert!(grant_model(&all, None).is_ok());
    }
}
