//! AIG131: a key that appears twice in a safetensors header.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG131",
    name: "safetensors-duplicate-key",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "safetensors header declares a tensor or metadata key twice",
    docs: RuleDocs {
        what: "Fires when a tensor name, a field of a tensor entry, `__metadata__`, or a key \
               inside it appears more than once in the header JSON.",
        why: "JSON parsers disagree on duplicates: the reference reader keeps the last \
              occurrence, others keep the first or refuse the file. A reviewer or scanner can \
              then see one tensor or metadata value while the loader uses another. No writer \
              produces duplicates.",
        example: "tensor 'lm_head.weight' is declared 2 times (the reference reader keeps the last)",
        fix: "Do not use the file; re-export the weights from a trusted source.",
        references: &["https://www.rfc-editor.org/rfc/rfc8259#section-4"],
    },
};
