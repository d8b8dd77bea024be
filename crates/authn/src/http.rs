//! The one HTTP client of this crate: blocking (ureq, rustls on ring with
//! the webpki roots, as aigis-integrity's Vault client), HTTPS only except
//! to loopback addresses (tests, a local identity provider), no redirects,
//! a whole-request timeout and a response size limit.
//!
//! Calls block: the gateway runs them on its blocking pool. They happen only
//! on a JWKS refresh or an introspection cache miss.

use crate::AuthnError;
use std::time::Duration;
use ureq::Agent;

/// Whole-request time limit (connect, TLS, response).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// A response: status, selected headers and a size-limited body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub cache_control: Option<String>,
    pub body: Vec<u8>,
}

/// Refuse URLs that are not `https://`, or `http://` to a loopback host.
pub fn check_url(url: &str) -> Result<(), AuthnError> {
    if url.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let host_port = rest.split('/').next().unwrap_or("");
        let host = if let Some(v6) = host_port.strip_prefix('[') {
            v6.split(']').next().unwrap_or("")
        } else {
            host_port.split(':').next().unwrap_or("")
        };
        if matches!(host, "127.0.0.1" | "localhost" | "::1") {
            return Ok(());
        }
    }
    Err(AuthnError::Config(format!(
        "{url}: expected an https:// URL (http:// only to loopback)"
    )))
}

pub fn agent() -> Agent {
    Agent::config_builder()
        .timeout_global(Some(HTTP_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn read(
    url: &str,
    r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    limit: u64,
) -> Result<Response, AuthnError> {
    let unavailable = |e: ureq::Error| AuthnError::Unavailable(format!("{url}: {e}"));
    let mut r = r.map_err(unavailable)?;
    let status = r.status().as_u16();
    let cache_control = r
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = r
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(unavailable)?;
    Ok(Response {
        status,
        cache_control,
        body,
    })
}

/// GET with a body limit.
pub fn get(agent: &Agent, url: &str, limit: u64) -> Result<Response, AuthnError> {
    read(
        url,
        agent.get(url).header("Accept", "application/json").call(),
        limit,
    )
}

/// POST a form with HTTP Basic client authentication.
pub fn post_form(
    agent: &Agent,
    url: &str,
    basic: &str,
    form: &[(&str, &str)],
    limit: u64,
) -> Result<Response, AuthnError> {
    let req = agent
        .post(url)
        .header("Accept", "application/json")
        .header("Authorization", basic);
    read(url, req.send_form(form.iter().copied()), limit)
}

/// `max-age` from a Cache-Control value, if any.
pub fn max_age(cache_control: &str) -> Option<u64> {
    cache_control.split(',').find_map(|d| {
        let d = d.trim();
        let (k, v) = d.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://idp.example/jwks").is_ok());
        assert!(check_url("http://127.0.0.1:8080/jwks").is_ok());
        assert!(check_url("http://[::1]:80/x").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(check_url("http://idp.example/jwks").is_err());
        assert!(check_url("http://127.0.0.1.evil.example/").is_err());
        assert!(check_url("ftp://x").is_err());
    }

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(max_age("public, max-age=600"), Some(600));
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("max-age=abc"), None);
    }
}
