//! AIG102: a pickle imports a known gadget without calling it directly.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG102",
    name: "pickle-dangerous-global",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Malicious,
    checklist: &["000#1", "002#5"],
    summary: "Pickle imports a known gadget (referenced, not called directly)",
    docs: RuleDocs {
        what: "Fires when a pickle imports a denylisted global but the machine saw no direct \
               call of it: it is passed as a value, e.g. as an argument to another callable \
               or stored in the state of an object.",
        why: "Importing the name already imports its module, and a reference is how gadgets \
              are handed to higher-order callables (map, partial, __reduce_ex__ chains). No \
              benign model references process, eval or loader functions.",
        example: "builtins.map(os.system, ['id'])  # os.system only referenced",
        fix: "Do not load the file; obtain the model from a trusted source.",
        references: &[],
    },
};
