//! AIG106: EXT1/EXT2/EXT4 opcodes.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG106",
    name: "pickle-extension-registry",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "002#5"],
    summary: "Pickle reaches a global through the copyreg extension registry",
    docs: RuleDocs {
        what: "Fires on EXT1, EXT2 and EXT4 opcodes, which import whatever global the loading \
               process registered under a number with `copyreg.add_extension`.",
        why: "The imported name is not in the file, so it cannot be judged; a process that \
              registered extensions would import it silently.",
        example: "EXT1 at 0x3 with code 7",
        fix: "Re-save the object without extension codes, or as safetensors.",
        references: &["https://docs.python.org/3/library/copyreg.html"],
    },
};
