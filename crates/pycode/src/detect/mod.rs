//! The detectors: read the parser-independent facts and decide which rules
//! fire. One module per area; rule metadata lives in `crate::rules`.

pub(crate) mod deser;
pub(crate) mod disclosure;
pub(crate) mod exec;
pub(crate) mod frameworks;
mod serving;
mod shell;

use crate::model::{Call, Return, Span};
use aigis_findings::Rule;

pub(crate) use shell::scan_shell;

/// A rule that fired on a span of the source, before positions are computed.
#[derive(Debug)]
pub(crate) struct Hit {
    pub rule: &'static Rule,
    pub span: Span,
    pub message: String,
    pub key: String,
}

impl Hit {
    fn at(
        rule: &'static Rule,
        call: &Call,
        message: impl Into<String>,
        key: impl Into<String>,
    ) -> Hit {
        Hit {
            rule,
            span: call.span,
            message: message.into(),
            key: key.into(),
        }
    }
}

/// The hits of one call, appended to `out`.
pub(crate) fn check_call(call: &Call, out: &mut Vec<Hit>) {
    deser::check(call, out);
    frameworks::check(call, out);
    exec::check(call, out);
    serving::check_call(call, out);
}

/// The hits of one `return` in a route handler, appended to `out`.
pub(crate) fn check_return(ret: &Return, out: &mut Vec<Hit>) {
    disclosure::check_return(ret, out);
}

/// `module.name` split at the last dot.
fn split(callee: &str) -> (&str, &str) {
    callee.rsplit_once('.').unwrap_or(("", callee))
}
