//! AIG236: Files made world-writable (chmod 777).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG236",
    name: "chmod-world-writable",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#13", "002#4"],
    summary: "Files made world-writable (chmod 777)",
    docs: RuleDocs {
        what: "Fires on shell lines with `chmod 777`, `666`, `o+w`, `a+w` or `a+rwx`.",
        why: "Any user or process on the machine can then replace code, models or data.",
        example: "!chmod -R 777 /models",
        fix: "Grant the least access needed to the user that runs the service.",
        references: &[],
    },
};
