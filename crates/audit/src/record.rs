//! What one audited request looks like: who, what, how it ended. Never a
//! body, never a credential: the fields are metadata the gateway already
//! decided on, and the writer still passes every string through
//! [`crate::redact`] before it reaches the file.

use serde::{Deserialize, Serialize};

/// How the gateway decided on a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Authenticated, authorised and proxied.
    Allow,
    /// Refused: unauthenticated (401) or unauthorised (403).
    Deny,
    /// Refused by a rate limit or quota (429).
    Limit,
    /// Refused as malformed or abusive: too large, too slow, bad JSON (4xx).
    Reject,
    /// Failed inside the gateway or upstream (5xx).
    Error,
}

/// One request, as written to the audit log (inside a chained line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When the request arrived, RFC 3339 UTC.
    pub time: String,
    /// The gateway's request id (also sent to the client and upstream).
    pub request_id: String,
    /// API key id or token subject; `None` when the caller was not identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The matched route (its configured name or path), not the raw URL with
    /// its query string; empty (and left out) before a route was chosen.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub route: String,
    pub method: String,
    /// The client's IP address (the connection's peer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// HTTP status sent to the client.
    pub status: u16,
    /// From the request's arrival to the end of the response body.
    pub latency_us: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub decision: Decision,
    /// Why (a short reason code such as `expired-token` or `rate-limit:key`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// For failures: whose fault (`downstream`, `upstream` or `internal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

impl AuditRecord {
    /// A record stamped with the current time; the caller fills the rest.
    pub fn now(request_id: impl Into<String>, decision: Decision) -> AuditRecord {
        AuditRecord {
            time: crate::time::now_rfc3339(),
            request_id: request_id.into(),
            identity: None,
            role: None,
            tenant: None,
            model: None,
            route: String::new(),
            method: String::new(),
            client: None,
            status: 0,
            latency_us: 0,
            bytes_in: 0,
            bytes_out: 0,
            decision,
            reason: String::new(),
            fault: None,
        }
    }

    /// Pass every string field through [`crate::redact`] (the writer does
    /// this to each record; other sinks of these records should too).
    pub fn redact(&mut self) {
        self.redact_with(&mut crate::redact::RedactMemo::default());
    }

    /// [`AuditRecord::redact`], remembering the fields whose values repeat
    /// across records in `memo`; `time` and `request_id`, new in every
    /// record, are scanned without it, unless they have the shapes that
    /// cannot hold a secret ([`crate::redact::plain_time_or_id`]).
    pub fn redact_with(&mut self, memo: &mut crate::redact::RedactMemo) {
        for s in [&mut self.time, &mut self.request_id] {
            if !crate::redact::plain_time_or_id(s) {
                crate::redact::redact_in_place(s);
            }
        }
        for s in self.repeating_strings_mut() {
            memo.redact_in_place(s);
        }
    }

    /// The string fields other than `time` and `request_id`.
    fn repeating_strings_mut(&mut self) -> impl Iterator<Item = &mut String> {
        [
            self.identity.as_mut(),
            self.role.as_mut(),
            self.tenant.as_mut(),
            self.model.as_mut(),
            Some(&mut self.route),
            Some(&mut self.method),
            self.client.as_mut(),
            Some(&mut self.reason),
            self.fault.as_mut(),
        ]
        .into_iter()
        .flatten()
    }
}
