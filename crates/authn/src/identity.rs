//! Who a validated token speaks for, mapped from its claims, and the
//! multi-factor step-up challenge of RFC 9470.
//!
//! Claim values are copied as data; nothing here decides access (that is
//! the gateway's authorization layer).

use crate::AuthnError;
use crate::config::ClaimNames;
use serde::Serialize;
use serde_json::{Map, Value};

/// Most entries taken from one list claim (roles, scopes, amr).
pub const MAX_LIST_CLAIM: usize = 64;

/// How the identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Jwt,
    Introspection,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub subject: String,
    pub issuer: String,
    pub roles: Vec<String>,
    /// From `scope` (space-separated) or `scp` (array or string).
    pub scopes: Vec<String>,
    pub tenant: Option<String>,
    /// Authentication methods (RFC 8176), e.g. `pwd`, `otp`, `hwk`, `mfa`.
    pub amr: Vec<String>,
    /// Authentication context class.
    pub acr: Option<String>,
    /// `exp`, seconds since the epoch.
    pub expires: Option<u64>,
    pub source: Source,
}

fn list(v: Option<&Value>, what: &str) -> Result<Vec<String>, AuthnError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split_ascii_whitespace()
            .take(MAX_LIST_CLAIM)
            .map(str::to_string)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .take(MAX_LIST_CLAIM)
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                _ => Err(AuthnError::BadClaim(what.to_string())),
            })
            .collect(),
        Some(_) => Err(AuthnError::BadClaim(what.to_string())),
    }
}

fn opt_string(v: Option<&Value>, what: &str) -> Result<Option<String>, AuthnError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(AuthnError::BadClaim(what.to_string())),
    }
}

impl Identity {
    /// Map claims; `subject` is `sub` (or, for introspection, `username`
    /// or `client_id` when `sub` is absent).
    pub fn from_claims(
        claims: &Map<String, Value>,
        issuer: &str,
        names: &ClaimNames,
        source: Source,
    ) -> Result<Identity, AuthnError> {
        let mut subject = opt_string(claims.get("sub"), "sub")?;
        if subject.is_none() && source == Source::Introspection {
            subject = opt_string(claims.get("username"), "username")?
                .or(opt_string(claims.get("client_id"), "client_id")?);
        }
        let subject = subject.ok_or_else(|| AuthnError::MissingClaim("sub".into()))?;
        let mut scopes = list(claims.get("scope"), "scope")?;
        if scopes.is_empty() {
            scopes = list(claims.get("scp"), "scp")?;
        }
        let expires = match claims.get("exp") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| AuthnError::BadClaim("exp".into()))?,
            ),
        };
        Ok(Identity {
            subject,
            issuer: issuer.to_string(),
            roles: list(claims.get(&names.roles), &names.roles)?,
            scopes,
            tenant: opt_string(claims.get(&names.tenant), &names.tenant)?,
            amr: list(claims.get("amr"), "amr")?,
            acr: opt_string(claims.get("acr"), "acr")?,
            expires,
            source,
        })
    }

    /// Whether the authentication meets a step-up requirement.
    pub fn meets(&self, req: &StepUp) -> bool {
        let acr_ok = req.acr_values.is_empty()
            || self
                .acr
                .as_ref()
                .is_some_and(|a| req.acr_values.contains(a));
        let amr_ok = req.amr.iter().all(|m| self.amr.contains(m));
        acr_ok && amr_ok
    }
}

/// What a role requires of the authentication (RFC 9470).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepUp {
    /// One of these `acr` values (empty: any).
    pub acr_values: Vec<String>,
    /// All of these `amr` values (e.g. `["mfa"]`).
    pub amr: Vec<String>,
}

/// The `WWW-Authenticate` value asking the client to authenticate again
/// at a higher level (RFC 9470 section 3), for a 401 response.
pub fn step_up_challenge(req: &StepUp) -> String {
    let mut out = String::from(
        "Bearer error=\"insufficient_user_authentication\", error_description=\"A different authentication level is required\"",
    );
    let acr: Vec<String> = req.acr_values.iter().map(|a| quote_safe(a)).collect();
    if !acr.is_empty() {
        out.push_str(&format!(", acr_values=\"{}\"", acr.join(" ")));
    }
    out
}

/// Keep a value inside an HTTP quoted-string: printable ASCII without `"`
/// and `\` (configuration values; anything else is dropped).
fn quote_safe(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_map_to_identity() {
        let c = json!({"sub":"alice","roles":["admin","reader"],"scope":"read write",
            "tenant":"t1","amr":["pwd","otp"],"acr":"urn:mfa","exp":2000000000u64});
        let id = Identity::from_claims(
            c.as_object().unwrap(),
            "iss",
            &ClaimNames::default(),
            Source::Jwt,
        )
        .unwrap();
        assert_eq!(id.roles, ["admin", "reader"]);
        assert_eq!(id.scopes, ["read", "write"]);
        assert_eq!(id.tenant.as_deref(), Some("t1"));
        assert!(id.meets(&StepUp {
            acr_values: vec!["urn:mfa".into()],
            amr: vec!["otp".into()]
        }));
        assert!(!id.meets(&StepUp {
            acr_values: vec![],
            amr: vec!["hwk".into()]
        }));
        let bad = json!({"sub":"a","roles":[1]});
        assert!(
            Identity::from_claims(
                bad.as_object().unwrap(),
                "i",
                &ClaimNames::default(),
                Source::Jwt
            )
            .is_err()
        );
    }

    #[test]
    fn step_up_header_names_the_required_acr() {
        let h = step_up_challenge(&StepUp {
            acr_values: vec!["urn:mfa".into(), "phr\"x".into()],
            amr: vec![],
        });
        assert_eq!(
            h,
            "Bearer error=\"insufficient_user_authentication\", error_description=\"A different authentication level is required\", acr_values=\"urn:mfa phrx\""
        );
    }
}
