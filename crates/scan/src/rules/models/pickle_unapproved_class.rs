//! AIG104: a pickle rebuilds or references a class that no trusted profile allows.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG104",
    name: "pickle-unapproved-global",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "002#5"],
    summary: "Pickle constructs or references a global that is not on the trusted allowlist",
    docs: RuleDocs {
        what: "Fires when a pickle imports a global outside the trusted profiles and only \
               constructs it as a class (NEWOBJ, copyreg._reconstructor) or references it \
               as a value.",
        why: "Importing runs the module's top-level code, and constructing runs the class' \
              __new__ and __setstate__; both are less direct than a call with chosen \
              arguments, hence the lower severity, but the file still depends on code that \
              nobody has reviewed. Files with this finding are `unapproved` and fail by \
              default.",
        example: "NEWOBJ at 0x31 constructs mypkg.model.Net",
        fix: "Trust the exact class in aigis.toml (`trusted_globals = [\"mypkg.model.Net\"]`) \
              if you trust the package, or save a state_dict / safetensors instead of a \
              whole object.",
        references: &[],
    },
};
