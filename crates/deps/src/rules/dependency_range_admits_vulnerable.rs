//! AIG601: a version range admits versions with known advisories.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG601",
    name: "dependency-range-admits-vulnerable",
    domain: Domain::Dependencies,
    severity: Severity::Medium,
    verdict: Verdict::Clean,
    checklist: &["000#14", "002#5"],
    summary: "Unpinned requirement admits versions that a known advisory affects",
    docs: RuleDocs {
        what: "Only when range checks are asked for: fires when a requirement's specifier set \
               (`>=1.0,<2`, `^1.2`, none) admits a version that an advisory lists as affected. \
               The versions tried are the advisory's explicit list, its range bounds and the \
               specifier's own lower bounds, so a \
               range given only by `fixed` events with no list is not found.",
        why: "What gets installed from a range depends on the day and the index; a range that \
              still admits a vulnerable release can install it.",
        example: "jinja2>=2.7   # admits 2.10 (PYSEC-2019-217)",
        fix: "Raise the lower bound above the fixed version, or pin through a lock file.",
        references: &["https://peps.python.org/pep-0440/#version-specifiers"],
    },
};
