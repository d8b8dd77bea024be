//! AIG233: Download piped straight into an interpreter (curl | sh).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG233",
    name: "shell-pipe-to-interpreter",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["002#5", "000#11"],
    summary: "Download piped straight into an interpreter (curl | sh)",
    docs: RuleDocs {
        what: "Fires on shell lines (notebook `!` lines) where `curl` or `wget` output is piped into sh, bash, python and similar, or wrapped as `bash <(curl ...)`.",
        why: "Whatever the server (or anyone on the path) sends runs immediately, unreviewed, and differently each time.",
        example: "!curl -sSL https://example.com/install.sh | bash",
        fix: "Download to a file, verify its hash or signature, review it, then run it.",
        references: &[],
    },
};
