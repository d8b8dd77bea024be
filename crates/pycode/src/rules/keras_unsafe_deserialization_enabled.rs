//! AIG210: Keras unsafe deserialization enabled process-wide.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG210",
    name: "keras-unsafe-deserialization-enabled",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "Keras unsafe deserialization enabled process-wide",
    docs: RuleDocs {
        what: "Fires on `keras.config.enable_unsafe_deserialization()`.",
        why: "It turns safe mode off for every later load in the process, including models loaded by other libraries.",
        example: "keras.config.enable_unsafe_deserialization()",
        fix: "Remove the call; if one trusted model needs it, pass `safe_mode=False` to that one load and verify the file first.",
        references: &["https://keras.io/api/utils/config_utils/"],
    },
};
