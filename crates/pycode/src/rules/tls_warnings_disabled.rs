//! AIG224: urllib3 insecure-request warnings silenced.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG224",
    name: "tls-warnings-disabled",
    domain: Domain::Code,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["002#3", "000#11"],
    summary: "urllib3 insecure-request warnings silenced",
    docs: RuleDocs {
        what: "Fires on `urllib3.disable_warnings()` (also through `requests.packages.urllib3`).",
        why: "It usually accompanies `verify=False` and hides the warning that would reveal it.",
        example: "urllib3.disable_warnings()",
        fix: "Remove it together with `verify=False`.",
        references: &["https://urllib3.readthedocs.io/en/stable/advanced-usage.html#tls-warnings"],
    },
};
