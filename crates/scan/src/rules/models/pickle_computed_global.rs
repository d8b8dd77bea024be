//! AIG105: STACK_GLOBAL with computed operands.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG105",
    name: "pickle-computed-global",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#1", "002#5"],
    summary: "Pickle imports a global whose name is computed at load time",
    docs: RuleDocs {
        what: "Fires when STACK_GLOBAL takes its module or name from something other than a \
               string literal (the result of a call, a persistent object).",
        why: "Pickle writers always emit names as strings. A computed name hides the import \
              from every scanner, so the file is built to evade inspection.",
        example: "STACK_GLOBAL at 0x55 with module computed by builtins.str.join",
        fix: "Do not load the file.",
        references: &[],
    },
};
