//! AIG229: Server listens on all interfaces (host='0.0.0.0').
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG229",
    name: "server-binds-all-interfaces",
    domain: Domain::Code,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#4", "000#11", "002#3"],
    summary: "Server listens on all interfaces (host='0.0.0.0')",
    docs: RuleDocs {
        what: "Fires on `run`, `run_server`, `launch`, `serve` and `uvicorn.Config` with `host='0.0.0.0'` (or `server_name='0.0.0.0'`, or `'::'`). Whether authentication and TLS sit in front cannot be seen in code, so this is a reminder.",
        why: "Every network the machine is on can reach the model API; without authentication and TLS in front, anyone there can query or abuse it.",
        example: "uvicorn.run(app, host='0.0.0.0', port=8000)",
        fix: "Bind to 127.0.0.1 behind an authenticating TLS proxy, or confirm that the deployment adds both.",
        references: &["https://www.uvicorn.org/settings/"],
    },
};
