//! AIG604: a dependency comes from a URL, VCS or archive, not a release.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG604",
    name: "unresolvable-dependency",
    domain: Domain::Dependencies,
    severity: Severity::Low,
    verdict: Verdict::Inconclusive,
    checklist: &["000#14", "002#5"],
    summary: "Dependency from a URL, VCS reference or archive: no version to audit",
    docs: RuleDocs {
        what: "Fires on `git+https://...`, `name @ https://...`, wheel or sdist URLs and editable \
               remote checkouts, and lock entries with git or URL sources. Local paths (`-e .`) \
               are the project's own code and are listed at info level with a clean verdict.",
        why: "There is no release version to compare with advisories, so the audit cannot say \
              anything about it; a branch reference also changes without notice.",
        example: "git+https://github.com/org/lib@main#egg=lib",
        fix: "Depend on a released version from the index, or pin the commit hash and audit that \
              code separately; suppress with a reason once reviewed.",
        references: &["https://pip.pypa.io/en/stable/topics/vcs-support/"],
    },
};
