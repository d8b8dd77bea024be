//! AIG108: an opcode straddles the end of a FRAME.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG108",
    name: "pickle-frame-straddle",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "002#5"],
    summary: "Pickle opcode crosses the end of its declared frame",
    docs: RuleDocs {
        what: "Fires when an opcode or its argument starts inside a protocol-4 FRAME and ends \
               after it.",
        why: "CPython's writer never produces this; scanners that read frame by frame lose \
              track of the opcodes after it, so it is a known evasion.",
        example: "FRAME of 9 bytes at 0x2, then BINUNICODE at 0x8 with 20 bytes",
        fix: "Re-save the object with a standard pickler, or as safetensors.",
        references: &["https://peps.python.org/pep-3154/"],
    },
};
