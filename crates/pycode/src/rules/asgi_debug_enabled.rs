//! AIG226: FastAPI/Starlette app created with debug=True.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG226",
    name: "asgi-debug-enabled",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#4", "000#11", "002#3"],
    summary: "FastAPI/Starlette app created with debug=True",
    docs: RuleDocs {
        what: "Fires on `FastAPI(debug=True)` and `Starlette(debug=True)`.",
        why: "Debug mode returns tracebacks with source lines and local details to the client on errors.",
        example: "app = FastAPI(debug=True)",
        fix: "Leave debug off in deployed apps; log errors on the server side.",
        references: &["https://www.starlette.io/applications/"],
    },
};
