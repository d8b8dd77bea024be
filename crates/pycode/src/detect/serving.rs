//! Preprocessing and serving configuration: tar extraction, TLS
//! verification, debug modes, public sharing and binding to all interfaces.

use super::{Hit, split};
use crate::model::{Call, Value};
use crate::rules::{
    asgi_debug_enabled, flask_debug_enabled, gradio_public_share, server_binds_all_interfaces,
    streamlit_insecure_option, tarfile_extract_unfiltered, tls_verify_disabled,
    tls_warnings_disabled,
};

/// Modules whose calls take `verify=` as the TLS switch.
const HTTP_ROOTS: &[&str] = &["requests", "httpx", "aiohttp", "urllib3", "huggingface_hub"];
/// Methods of HTTP clients and sessions held in variables (`self.session.get`).
const HTTP_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "delete",
    "patch",
    "head",
    "options",
    "request",
    "send",
    "stream",
    "Session",
    "Client",
    "AsyncClient",
    "urlopen",
];
const SAFE_TAR_FILTERS: &[&str] = &["data", "tar"];
const ASGI_APPS: &[&str] = &[
    "fastapi.FastAPI",
    "starlette.applications.Starlette",
    "starlette.Starlette",
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
    tls(call, callee, method, out);
    debug_and_share(call, callee, method, out);
    streamlit(call, out);
    binds_all(call, method, out);
    super::disclosure::check_call(call, method, out);
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
    let (Some(key), Some(value)) = (
        call.positional(0).and_then(Value::as_str),
        call.positional(1),
    ) else {
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

fn is_http_client(callee: &str, method: &str) -> bool {
    let root = callee.split('.').next().unwrap_or(callee);
    HTTP_ROOTS.contains(&root) || HTTP_METHODS.contains(&method)
}

fn tls(call: &Call, callee: &str, method: &str, out: &mut Vec<Hit>) {
    if call.keyword("verify").is_some_and(|v| v.is_false()) && is_http_client(callee, method) {
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
}

fn debug_and_share(call: &Call, callee: &str, method: &str, out: &mut Vec<Hit>) {
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
}
