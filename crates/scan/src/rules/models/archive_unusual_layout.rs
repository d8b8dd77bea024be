//! AIG111: archive layout that is unusual but not inconsistent.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG111",
    name: "archive-unusual-layout",
    domain: Domain::Models,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#2"],
    summary: "Model archive has data before or after it, or unusual header flags",
    docs: RuleDocs {
        what: "Fires on bytes prepended before a zip archive, bytes after its end record, \
               and unusual general-purpose flags.",
        why: "Loaders still open such files; the extra bytes can carry a second payload for \
              another reader (a polyglot file).",
        example: "412 bytes before the first zip entry",
        fix: "Re-save the model; check where the extra data comes from.",
        references: &[],
    },
};
