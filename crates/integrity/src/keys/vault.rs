//! `vault:MOUNT/PATH#FIELD`: one field of a HashiCorp Vault / OpenBao KV
//! version 2 secret, read over HTTPS with a blocking client (ureq, rustls on
//! ring).
//!
//! Environment: `VAULT_ADDR` (required; `http://` only to a loopback host),
//! `VAULT_TOKEN`, or an AppRole login with `VAULT_ROLE_ID` and
//! `VAULT_SECRET_ID` (at `auth/$VAULT_APPROLE_MOUNT`, default `approle`) when
//! no token is set; `VAULT_NAMESPACE` (sent as `X-Vault-Namespace`);
//! `VAULT_CACERT` (a PEM file of CA certificates that replaces the built-in
//! web PKI roots). Redirects are not followed, so the token is only ever sent
//! to `VAULT_ADDR`. Tokens, secret ids and response bodies are zeroised and
//! never appear in errors; error messages from the server (`errors` in its
//! JSON) are quoted, shortened.

use super::EnvSource;
use serde_json::Value;
use std::time::Duration;
use ureq::Agent;
use ureq::tls::{PemItem, RootCerts, TlsConfig};
use zeroize::{Zeroize, Zeroizing};

/// Longest response body read from the server.
pub const MAX_VAULT_RESPONSE: u64 = 1024 * 1024;
/// Whole-request time limit (connect, TLS, response).
pub const VAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest CA bundle read from `VAULT_CACERT`.
pub const MAX_CACERT_BYTES: u64 = 4 * 1024 * 1024;

/// Why a Vault read failed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("VAULT_ADDR is not set")]
    NoAddr,
    #[error("VAULT_ADDR {0:?}: {1}")]
    BadAddr(String, &'static str),
    #[error("no credentials: set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole")]
    NoCredentials,
    #[error("VAULT_CACERT {path}: {why}")]
    CaCert { path: String, why: String },
    #[error("{url}: {why}")]
    Transport { url: String, why: String },
    #[error("AppRole login failed (HTTP {status}): {message}")]
    LoginFailed { status: u16, message: String },
    #[error(
        "{secret}: permission denied (HTTP 403: wrong or expired token, or a policy without read on this path)"
    )]
    Denied { secret: String },
    #[error("{secret}: no such secret (HTTP 404)")]
    NotFound { secret: String },
    #[error("{secret}: HTTP {status} not followed (the token is only sent to VAULT_ADDR)")]
    Redirected { secret: String, status: u16 },
    #[error("{secret}: HTTP {status}: {message}")]
    Status {
        secret: String,
        status: u16,
        message: String,
    },
    #[error("{url}: unexpected response: {why}")]
    BadResponse { url: String, why: &'static str },
    #[error("{secret}: no field {field:?} (fields: {available})")]
    FieldMissing {
        secret: String,
        field: String,
        available: String,
    },
    #[error("{secret}: field {field:?} is not a string")]
    FieldNotString { secret: String, field: String },
}

/// Fetch `field` of the KV v2 secret `mount/path`.
pub(crate) fn fetch(
    env: &dyn EnvSource,
    mount: &str,
    path: &str,
    field: &str,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let var = |name: &str| {
        env.var_os(name)
            .and_then(|v| v.into_string().ok())
            .filter(|v| !v.is_empty())
            .map(Zeroizing::new)
    };
    let addr = var("VAULT_ADDR").ok_or(VaultError::NoAddr)?;
    let base = check_addr(&addr)?;
    let agent = agent(var("VAULT_CACERT").as_deref().map(String::as_str))?;
    let namespace = var("VAULT_NAMESPACE");
    let ns = namespace.as_deref().map(String::as_str);
    let token = match (
        var("VAULT_TOKEN"),
        var("VAULT_ROLE_ID"),
        var("VAULT_SECRET_ID"),
    ) {
        (Some(token), _, _) => token,
        (None, Some(role_id), Some(secret_id)) => {
            let approle = var("VAULT_APPROLE_MOUNT");
            let approle = approle
                .as_deref()
                .map_or("approle", |m| m.trim_matches('/'));
            let url = format!("{base}/v1/auth/{approle}/login");
            let body = Zeroizing::new(
                serde_json::json!({"role_id": role_id.as_str(), "secret_id": secret_id.as_str()})
                    .to_string(),
            );
            let req = with_ns(agent.post(&url), ns).content_type("application/json");
            let (status, mut json) = call(&url, req.send(body.as_bytes()))?;
            if status != 200 {
                return Err(VaultError::LoginFailed {
                    status,
                    message: server_message(&mut json),
                });
            }
            let token = json
                .pointer("/auth/client_token")
                .and_then(Value::as_str)
                .map(|t| Zeroizing::new(t.to_string()));
            scrub(&mut json);
            token.ok_or(VaultError::BadResponse {
                url,
                why: "no auth.client_token in the login response",
            })?
        }
        _ => return Err(VaultError::NoCredentials),
    };
    let secret = format!("vault:{mount}/{path}");
    let url = format!("{base}/v1/{mount}/data/{path}");
    let req = with_ns(agent.get(&url), ns).header("X-Vault-Token", token.as_str());
    let (status, mut json) = call(&url, req.call())?;
    let result = read_field(&secret, field, status, &mut json, &url);
    scrub(&mut json);
    result
}

fn read_field(
    secret: &str,
    field: &str,
    status: u16,
    json: &mut Value,
    url: &str,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let secret = secret.to_string();
    match status {
        200 => {}
        403 => return Err(VaultError::Denied { secret }),
        404 => return Err(VaultError::NotFound { secret }),
        300..=399 => return Err(VaultError::Redirected { secret, status }),
        _ => {
            return Err(VaultError::Status {
                secret,
                status,
                message: server_message(json),
            });
        }
    }
    let Some(data) = json.pointer("/data/data").and_then(Value::as_object) else {
        return Err(VaultError::BadResponse {
            url: url.to_string(),
            why: "no data.data object (is the mount KV version 2?)",
        });
    };
    match data.get(field) {
        Some(Value::String(s)) => Ok(Zeroizing::new(s.as_bytes().to_vec())),
        Some(_) => Err(VaultError::FieldNotString {
            secret,
            field: field.to_string(),
        }),
        None => {
            let mut names: Vec<&str> = data.keys().map(String::as_str).take(20).collect();
            names.sort_unstable();
            Err(VaultError::FieldMissing {
                secret,
                field: field.to_string(),
                available: names.join(", "),
            })
        }
    }
}

fn with_ns<B>(req: ureq::RequestBuilder<B>, ns: Option<&str>) -> ureq::RequestBuilder<B> {
    match ns {
        Some(ns) => req.header("X-Vault-Namespace", ns),
        None => req,
    }
}

/// `VAULT_ADDR` without its trailing `/`, refusing plain HTTP off loopback.
fn check_addr(addr: &str) -> Result<String, VaultError> {
    let bad = |why| VaultError::BadAddr(addr.to_string(), why);
    let base = addr.trim_end_matches('/');
    let (scheme, rest) = base
        .split_once("://")
        .ok_or_else(|| bad("expected https://HOST[:PORT]"))?;
    let authority = rest.split('/').next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err(bad("expected https://HOST[:PORT] without user info"));
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme {
        "https" => Ok(base.to_string()),
        "http" if loopback => Ok(base.to_string()),
        "http" => Err(bad(
            "plain http is only allowed to a loopback address; use https",
        )),
        _ => Err(bad("expected an https:// address")),
    }
}

fn agent(cacert: Option<&str>) -> Result<Agent, VaultError> {
    let mut tls = TlsConfig::builder();
    if let Some(path) = cacert {
        let ca_err = |why: String| VaultError::CaCert {
            path: path.to_string(),
            why,
        };
        let mut pem = Vec::new();
        let file = std::fs::File::open(path).map_err(|e| ca_err(e.to_string()))?;
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_CACERT_BYTES), &mut pem)
            .map_err(|e| ca_err(e.to_string()))?;
        let mut certs = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            if let PemItem::Certificate(c) = item.map_err(|e| ca_err(e.to_string()))? {
                certs.push(c);
            }
        }
        if certs.is_empty() {
            return Err(ca_err("no PEM certificates".to_string()));
        }
        tls = tls.root_certs(RootCerts::new_with_certs(&certs));
    }
    let config = Agent::config_builder()
        .timeout_global(Some(VAULT_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(tls.build())
        .build();
    Ok(config.into())
}

/// Status and parsed JSON body (at most [`MAX_VAULT_RESPONSE`] bytes).
fn call(
    url: &str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<(u16, Value), VaultError> {
    let transport = |e: ureq::Error| VaultError::Transport {
        url: url.to_string(),
        why: e.to_string(),
    };
    let mut response = response.map_err(transport)?;
    let status = response.status().as_u16();
    let body = Zeroizing::new(
        response
            .body_mut()
            .with_config()
            .limit(MAX_VAULT_RESPONSE)
            .read_to_string()
            .map_err(transport)?,
    );
    // Error and redirect responses may have empty or non-JSON bodies.
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    Ok((status, json))
}

/// The server's first error message, shortened and printable.
fn server_message(json: &mut Value) -> String {
    let msg: String = json
        .pointer("/errors/0")
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    scrub(json);
    msg
}

/// Zero every string in a parsed response before it is freed.
fn scrub(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(scrub),
        Value::Object(o) => o.values_mut().for_each(scrub),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_off_loopback() {
        assert!(check_addr("https://vault.example:8200/").is_ok());
        assert!(check_addr("http://127.0.0.1:8200").is_ok());
        assert!(check_addr("http://[::1]:8200").is_ok());
        assert!(check_addr("http://localhost:8200").is_ok());
        assert!(check_addr("http://vault.example:8200").is_err());
        assert!(check_addr("http://127.0.0.1.evil.example").is_err());
        assert!(check_addr("https://user:pw@vault.example").is_err());
        assert!(check_addr("vault.example:8200").is_err());
        assert!(check_addr("ftp://vault.example").is_err());
    }
}
