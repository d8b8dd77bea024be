//! Preprocessing and serving: tar extraction, TLS verification, debug
//! modes, public sharing and binding, logging of secrets and request data,
//! exception text and probability vectors in responses.

use super::{Hit, split};
use crate::model::{Call, Return, Value};
use crate::rules::{
    asgi_debug_enabled, exception_detail_in_response, flask_debug_enabled, gradio_public_share,
    prediction_scores_returned, sensitive_data_logged, server_binds_all_interfaces,
    streamlit_insecure_option, tarfile_extract_unfiltered, tls_verify_disabled,
    tls_warnings_disabled,
};

const SAFE_TAR_FILTERS: &[&str] = &["data", "tar"];
const ASGI_APPS: &[&str] = &[
    "fastapi.FastAPI",
    "starlette.applications.Starlette",
    "starlette.Starlette",
];
const LOG_METHODS: &[&str] = &[
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
const REQUEST_PARTS: &[&str] = &[
    "json", "get_json", "headers", "data", "form", "body", "values", "cookies", "get_data", "args",
];
/// Name segments (split at `_`) that mark a secret.
const SECRET_WORDS: &[&str] = &[
    "token",
    "password",
    "passwd",
    "pwd",
    "secret",
    "apikey",
    "credentials",
    "credential",
];
const SECRET_PAIRS: &[&str] = &["api_key", "access_key", "secret_key", "private_key"];
const RESPONSES: &[&str] = &[
    "JSONResponse",
    "jsonify",
    "make_response",
    "Response",
    "PlainTextResponse",
    "HTMLResponse",
    "HTTPException",
    "abort",
];
const TRACEBACK_CALLS: &[&str] = &[
    "traceback.format_exc",
    "traceback.format_exception",
    "traceback.format_tb",
    "traceback.format_stack",
];
const SCORE_MARKERS: &[&str] = &[
    "predict_proba",
    "predict_log_proba",
    "softmax",
    "log_softmax",
];
/// (Streamlit option, the value that weakens it).
const STREAMLIT_WEAK: &[(&str, bool)] = &[
    ("server.enableCORS", false),
    ("server.enableXsrfProtection", false),
    ("global.developmentMode", true),
    ("client.showErrorDetails", true),
];

pub(super) fn check_call(call: &Call, out: &mut Vec<Hit>) {
    let callee = call.callee.as_str();
    let method = split(callee).1;
    tarfile(call, method, out);
    if call.keyword("verify").is_some_and(|v| v.is_false()) {
        let msg = format!(
            "{callee}(verify=False) turns off TLS certificate checks: anyone on the path can read and change the traffic"
        );
        out.push(Hit::at(
            &tls_verify_disabled::RULE,
            call,
            msg,
            format!("{method}(verify=False)"),
        ));
    }
    if method == "disable_warnings" && callee.contains("urllib3") {
        let msg = "urllib3.disable_warnings() hides the warning for unverified HTTPS requests";
        out.push(Hit::at(
            &tls_warnings_disabled::RULE,
            call,
            msg,
            "urllib3.disable_warnings",
        ));
    }
    let debug = call.keyword("debug").is_some_and(|v| v.is_true());
    if debug
        && matches!(method, "run" | "run_server")
        && !callee.starts_with("asyncio.")
        && !callee.starts_with("uvicorn.")
    {
        let msg = format!(
            "{callee}(debug=True) starts the Werkzeug debugger: anyone who reaches it can run Python on the server"
        );
        out.push(Hit::at(
            &flask_debug_enabled::RULE,
            call,
            msg,
            format!("{method}(debug=True)"),
        ));
    }
    if debug && ASGI_APPS.contains(&callee) {
        let msg = format!(
            "{callee}(debug=True) returns tracebacks with source lines to clients on errors"
        );
        out.push(Hit::at(
            &asgi_debug_enabled::RULE,
            call,
            msg,
            format!("{callee}(debug=True)"),
        ));
    }
    if method == "launch" && call.keyword("share").is_some_and(|v| v.is_true()) {
        let msg = "launch(share=True) publishes the app on a public *.gradio.live URL, without authentication unless auth= is set";
        out.push(Hit::at(
            &gradio_public_share::RULE,
            call,
            msg,
            "launch(share=True)",
        ));
    }
    streamlit(call, out);
    binds_all(call, method, out);
    logging(call, method, out);
    if RESPONSES.contains(&method)
        && call
            .args
            .iter()
            .chain(call.keywords.iter().map(|(_, v)| v))
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

fn tarfile(call: &Call, method: &str, out: &mut Vec<Hit>) {
    if !call.callee.starts_with("tarfile.") || !matches!(method, "extractall" | "extract") {
        return;
    }
    let filtered = match call.keyword("filter") {
        Some(f) => match f.as_str() {
            Some(s) => SAFE_TAR_FILTERS.contains(&s),
            None => !f.is_literal(),
        },
        None => false,
    };
    let checked = method == "extractall" && call.arg(1, "members").is_some();
    if !filtered && !checked {
        let msg = format!(
            "tarfile {method} without filter='data': member names like ../../x or absolute paths and links write outside the target directory"
        );
        out.push(Hit::at(
            &tarfile_extract_unfiltered::RULE,
            call,
            msg,
            format!("tarfile.{method}"),
        ));
    }
}

fn streamlit(call: &Call, out: &mut Vec<Hit>) {
    if !matches!(
        call.callee.as_str(),
        "streamlit.set_option" | "streamlit.config.set_option"
    ) {
        return;
    }
    let (Some(key), Some(value)) = (call.args.first().and_then(Value::as_str), call.args.get(1))
    else {
        return;
    };
    if STREAMLIT_WEAK
        .iter()
        .any(|(k, weak)| *k == key && value.as_bool() == Some(*weak))
    {
        let msg = format!(
            "Streamlit option {key} set to {:?} weakens the app's protections",
            value.as_bool().unwrap_or_default()
        );
        out.push(Hit::at(
            &streamlit_insecure_option::RULE,
            call,
            msg,
            format!("streamlit.set_option({key})"),
        ));
    }
}

fn binds_all(call: &Call, method: &str, out: &mut Vec<Hit>) {
    let host = call.keyword("host").or_else(|| call.keyword("server_name"));
    let all = host
        .and_then(Value::as_str)
        .is_some_and(|h| h == "0.0.0.0" || h == "::");
    if all && matches!(method, "run" | "run_server" | "launch" | "serve" | "Config") {
        let msg = format!(
            "{}(host='0.0.0.0') listens on every interface: make sure authentication and TLS sit in front (reported as a reminder; aigis cannot see them)",
            call.callee
        );
        out.push(Hit::at(
            &server_binds_all_interfaces::RULE,
            call,
            msg,
            format!("{method}(host=0.0.0.0)"),
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
    let what = call.args.iter().find_map(sensitive);
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
        let secret = SECRET_PAIRS.iter().any(|p| last.contains(p))
            || last.split('_').any(|seg| SECRET_WORDS.contains(&seg));
        secret.then(|| last.clone())
    })
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
