//! Reading an outcome back from a response for the logging phase: a
//! rejection carries [`ErrorFacts`]; anything else the upstream answered is
//! "allowed" (an upstream 4xx/5xx is still a request we let through).

use crate::reject::{ErrorFacts, Fault};
use axum::response::Response;

pub(crate) fn decision_of(resp: &Response) -> (&'static str, Option<String>, Option<String>) {
    match resp.extensions().get::<ErrorFacts>() {
        Some(f) => {
            let fault = match f.fault {
                Fault::Downstream => "downstream",
                Fault::Upstream => "upstream",
                Fault::Internal => "internal",
            };
            (f.decision, Some(f.reason.clone()), Some(fault.to_string()))
        }
        None => ("allowed", None, None),
    }
}
