//! AIG223: TLS certificate verification turned off (verify=False).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG223",
    name: "tls-verify-disabled",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["002#3", "000#11"],
    summary: "TLS certificate verification turned off (verify=False)",
    docs: RuleDocs {
        what: "Fires on any call with `verify=False`: requests, httpx clients and requests, and similar APIs.",
        why: "Without certificate checks anyone on the network path can read and change the traffic, including model downloads, API keys and inference data.",
        example: "requests.get(url, verify=False)",
        fix: "Keep verification on; for a private CA pass `verify='/path/ca.pem'`.",
        references: &[
            "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification",
        ],
    },
};
