//! AIG165: Model archive contains Python files or executables.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG165",
    name: "keras-embedded-code",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "Model archive contains Python files or executables",
    docs: RuleDocs {
        what: "Fires when a `.keras` archive holds members that are code: Python sources or bytecode (`.py`, `.pyc`), native libraries or executables (ELF, PE, Mach-O, `.so`, `.dll`), or scripts (`#!`).",
        why: "A model needs config, metadata and weights. Code shipped inside the archive is there to be run, by a custom loader or by a user told to.",
        example: "assets/helper.py (412 bytes)",
        fix: "Remove the code from the model archive; ship and review code separately.",
        references: &[],
    },
};
