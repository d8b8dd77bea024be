//! AIG107: BUILD applied to a class or module.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG107",
    name: "pickle-build-on-global",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#1", "002#5"],
    summary: "Pickle sets attributes on a class or module (monkey-patching)",
    docs: RuleDocs {
        what: "Fires when BUILD's target is an imported global itself (a class, function or \
               module) instead of an object made while loading.",
        why: "BUILD with a state dict sets attributes on its target, so this rewrites a \
              class or module in the loading process (e.g. replaces a method that later runs), \
              a persistence and evasion technique.",
        example: "BUILD at 0x61 on torch.nn.Module with state {'__setstate__': ...}",
        fix: "Do not load the file.",
        references: &[],
    },
};
