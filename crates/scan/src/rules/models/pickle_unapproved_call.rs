//! AIG103: a pickle calls a global that no trusted profile allows.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG103",
    name: "pickle-unapproved-call",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "Pickle calls a function that is not on the trusted allowlist",
    docs: RuleDocs {
        what: "Fires when a pickle invokes (REDUCE, INST, OBJ) a global that is neither on \
               the allowlist of the built-in profiles (PyTorch, numpy, scikit-learn, ...) nor \
               trusted in the configuration, and is not a known gadget either.",
        why: "aigis decides safety by allowlist: denylists miss gadgets nobody has listed \
              yet. A call runs code with arguments chosen by whoever wrote the file.",
        example: "REDUCE at 0x40 calls mypkg.utils.make_model('resnet', 3)",
        fix: "If you trust the library and the call, add the exact name to `trusted_globals` \
              in aigis.toml (`trusted_globals = [\"mypkg.utils.make_model\"]`). Otherwise \
              do not load the file; prefer safetensors.",
        references: &[],
    },
};
