//! The detectors: read the parser-independent facts and decide which rules
//! fire. One module per area; rule metadata lives in `crate::rules`.

mod deser;
mod disclosure;
mod exec;
mod frameworks;
mod serving;
mod shell;

use crate::model::{Call, Facts, Span};
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

/// Every hit of every call and return, in source order of the walk.
pub(crate) fn run(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for call in &facts.calls {
        deser::check(call, &mut out);
        frameworks::check(call, &mut out);
        exec::check(call, &mut out);
        serving::check_call(call, &mut out);
    }
    for ret in &facts.returns {
        disclosure::check_return(ret, &mut out);
    }
    out
}

/// `module.name` split at the last dot.
fn split(callee: &str) -> (&str, &str) {
    callee.rsplit_once('.').unwrap_or(("", callee))
}
