//! Disclosure: request data and secrets written to logs, exception text and
//! tracebacks sent to clients, and full probability vectors returned from
//! route handlers.

use super::{Hit, split};
use crate::model::{Call, Return, Value};
use crate::rules::{
    exception_detail_in_response, prediction_scores_returned, sensitive_data_logged,
};

pub(crate) const LOG_METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
];
/// Request attributes that hold bodies, headers or cookies.
pub(crate) const REQUEST_PARTS: &[&str] = &[
    "json", "get_json", "headers", "data", "form", "body", "values", "cookies", "get_data", "args",
];
/// Name segments (split at `_`) that mark a secret on their own.
pub(crate) const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "apikey",
    "credentials",
    "credential",
];
/// Segments that make a `token` segment an authentication token: in ML code
/// a bare `token` (or `token_ids`, `max_tokens`) is usually a text token.
pub(crate) const TOKEN_QUALIFIERS: &[&str] = &[
    "hf", "api", "access", "auth", "bearer", "refresh", "github", "gh", "openai", "session", "jwt",
    "oauth", "csrf", "secret",
];
pub(crate) const SECRET_PAIRS: &[&str] = &["api_key", "access_key", "secret_key", "private_key"];
pub(crate) const RESPONSES: &[&str] = &[
    "JSONResponse",
    "jsonify",
    "make_response",
    "Response",
    "PlainTextResponse",
    "HTMLResponse",
    "HTTPException",
    "abort",
];
/// Roots of HTTP client libraries.
const CLIENT_ROOTS: &[&str] = &["http", "urllib", "urllib3", "requests", "httpx", "aiohttp"];
const TRACEBACK_CALLS: &[&str] = &[
    "traceback.format_exc",
    "traceback.format_exception",
    "traceback.format_tb",
    "traceback.format_stack",
];
pub(crate) const SCORE_MARKERS: &[&str] = &[
    "predict_proba",
    "predict_log_proba",
    "softmax",
    "log_softmax",
];

pub(super) fn check_call(call: &Call, method: &str, out: &mut Vec<Hit>) {
    logging(call, method, out);
    let callee = call.callee.as_str();
    if RESPONSES.contains(&method)
        && !is_client_side(callee)
        && call
            .positionals()
            .chain(call.keyword_values().map(|(_, v)| v))
            .any(leaks_exception)
    {
        let msg = format!(
            "{callee} carries exception text or a traceback to the client: it discloses paths, code and data"
        );
        out.push(Hit::at(
            &exception_detail_in_response::RULE,
            call,
            msg,
            format!("{method}(exception)"),
        ));
    }
}

fn logging(call: &Call, method: &str, out: &mut Vec<Hit>) {
    let callee = call.callee.as_str();
    let logs = callee == "print"
        || (LOG_METHODS.contains(&method)
            && (callee.starts_with("logging.") || callee.to_ascii_lowercase().contains("log")));
    if !logs {
        return;
    }
    let what = call.positionals().find_map(sensitive);
    if let Some(what) = what {
        let msg =
            format!("{callee} writes {what} to the log: logs are widely readable and kept long");
        out.push(Hit::at(
            &sensitive_data_logged::RULE,
            call,
            msg,
            format!("{method}({what})"),
        ));
    }
}

/// What sensitive thing a logged value holds: request data or a secret-named variable.
fn sensitive(v: &Value) -> Option<String> {
    v.mentions.iter().find_map(|m| {
        let parts: Vec<&str> = m.split('.').collect();
        let request = parts.iter().position(|p| *p == "request");
        if let Some(i) = request
            && let Some(part) = parts.get(i + 1)
        {
            let part = part.trim_end_matches("()");
            if REQUEST_PARTS.contains(&part) {
                return Some(format!("request.{part}"));
            }
        }
        let last = parts.last()?.to_ascii_lowercase();
        is_secret_name(&last).then_some(last)
    })
}

pub(crate) fn is_secret_name(name: &str) -> bool {
    let segs: Vec<&str> = name.split('_').collect();
    let token = segs.contains(&"token") && segs.iter().any(|s| TOKEN_QUALIFIERS.contains(s));
    token
        || SECRET_PAIRS.iter().any(|p| name.contains(p))
        || segs.iter().any(|seg| SECRET_WORDS.contains(seg))
}

fn leaks_exception(v: &Value) -> bool {
    v.exception
        || v.callees
            .iter()
            .any(|c| TRACEBACK_CALLS.contains(&c.as_str()))
}

pub(super) fn check_return(ret: &Return, out: &mut Vec<Hit>) {
    if !ret.ctx.in_route {
        return;
    }
    let wrapped = ret
        .value
        .callees
        .iter()
        .any(|c| RESPONSES.contains(&split(c).1));
    if leaks_exception(&ret.value) && !wrapped {
        out.push(Hit {
            rule: &exception_detail_in_response::RULE,
            span: ret.span,
            message: "the route handler returns exception text or a traceback to the client: it discloses paths, code and data".into(),
            key: "return(exception)".into(),
        });
    }
    let scores = ret
        .value
        .callees
        .iter()
        .chain(&ret.value.mentions)
        .any(|m| {
            m.split(['.', '(', ')'])
                .any(|seg| SCORE_MARKERS.contains(&seg))
        });
    if scores {
        out.push(Hit {
            rule: &prediction_scores_returned::RULE,
            span: ret.span,
            message: "the route handler returns model probabilities or scores: full confidence vectors help model extraction and membership inference; return the label or rounded top-k".into(),
            key: "return(scores)".into(),
        });
    }
}

/// HTTP client libraries have their own `HTTPException`/`Response`: raising
/// one is not answering a client.
fn is_client_side(callee: &str) -> bool {
    let root = callee.split('.').next().unwrap_or(callee);
    CLIENT_ROOTS.contains(&root)
}
