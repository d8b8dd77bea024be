//! AIG603: the dependency audit could not be completed.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG603",
    name: "dependency-audit-inconclusive",
    domain: Domain::Dependencies,
    severity: Severity::Medium,
    verdict: Verdict::Inconclusive,
    checklist: &["002#5"],
    summary: "Dependency file not fully audited (no or stale database, unreadable entry)",
    docs: RuleDocs {
        what: "Fires once per dependency file when there is no advisory database, when it is \
               older than the configured maximum age, or when it cannot be read; and per entry \
               when a line, version or included file cannot be read or an advisory's range \
               cannot be evaluated. The message says which.",
        why: "An audit that could not look is not a clean audit. pip-audit offline skips what it \
              cannot resolve and still prints \"No known vulnerabilities found\"; aigis fails \
              closed instead.",
        example: "requirements.txt: no advisory database at ~/.local/share/aigis/db; run `aigis db update`",
        fix: "Run `aigis db update` (online) or `aigis db update --from all.zip` (offline, from \
              OSV's PyPI export) and fix unreadable lines. `--allow-inconclusive` stops these \
              from failing CI (not recommended).",
        references: &["https://google.github.io/osv.dev/data/#data-dumps"],
    },
};
