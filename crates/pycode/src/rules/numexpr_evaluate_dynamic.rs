//! AIG221: numexpr.evaluate on an expression built at run time.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG221",
    name: "numexpr-evaluate-dynamic",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#8", "002#5"],
    summary: "numexpr.evaluate on an expression built at run time",
    docs: RuleDocs {
        what: "Fires on `numexpr.evaluate` whose expression is not a literal.",
        why: "numexpr before 2.8.5 passed the expression to `eval()` (CVE-2023-39631): caller-built expressions ran Python code.",
        example: "ne.evaluate(expr)",
        fix: "Upgrade numexpr and keep expressions literal; validate anything spliced in.",
        references: &["https://nvd.nist.gov/vuln/detail/CVE-2023-39631"],
    },
};
