//! AIG235: pip install with --extra-index-url (dependency confusion).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG235",
    name: "pip-extra-index-url",
    domain: Domain::Code,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["002#5", "000#11"],
    summary: "pip install with --extra-index-url (dependency confusion)",
    docs: RuleDocs {
        what: "Fires on `pip install --extra-index-url ...`.",
        why: "pip picks the highest version across all indexes: a public package named like your private one wins.",
        example: "!pip install --extra-index-url https://pypi.internal/simple mylib",
        fix: "Use one index that proxies PyPI, or pin versions with hashes.",
        references: &["https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-extra-index-url"],
    },
};
