//! AIG114: APPEND/SETITEM/ADDITEMS applied to an imported global.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG114",
    name: "pickle-global-mutation",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#1", "002#5"],
    summary: "Pickle changes a module-level object of the loading process",
    docs: RuleDocs {
        what: "Fires when APPEND(S), SETITEM(S) or ADDITEMS is applied to an imported global \
               itself (a list, dict or set that lives in a module) rather than to a container \
               made while loading.",
        why: "Those opcodes call the target's `append`, `extend`, `__setitem__` or `add`, so \
              the pickle edits interpreter state: `sys.path` (import hijacking), `os.environ` \
              (`LD_PRELOAD`, proxy settings), registries that later code trusts. No benign \
              writer emits this.",
        example: "SETITEM at 0x31 on the imported global os.environ",
        fix: "Do not load the file.",
        references: &["https://docs.python.org/3/library/pickle.html#pickle-inside"],
    },
};
