//! AIG234: pip installs over plain HTTP or with TLS checks off.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG234",
    name: "pip-insecure-index",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["002#5", "000#11"],
    summary: "pip installs over plain HTTP or with TLS checks off",
    docs: RuleDocs {
        what: "Fires on `pip install` with an `http://` URL, `--index-url`/`--extra-index-url`/`--find-links` over http://, or `--trusted-host`.",
        why: "Packages fetched without TLS can be swapped on the way; installing a package runs its code.",
        example: "%pip install --index-url http://pypi.internal/simple torch",
        fix: "Use https indexes with valid certificates and pin hashes (`--require-hashes`).",
        references: &["https://pip.pypa.io/en/stable/topics/secure-installs/"],
    },
};
