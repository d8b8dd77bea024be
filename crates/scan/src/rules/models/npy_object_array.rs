//! AIG113: a numpy file whose array holds Python objects (a pickle).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG113",
    name: "npy-object-array",
    domain: Domain::Models,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#1"],
    summary: "numpy file holds an object array, stored as a pickle",
    docs: RuleDocs {
        what: "Fires on .npy files (also inside .npz) whose dtype is, or contains, `object`. \
               aigis scans the embedded pickle like any other.",
        why: "Reading it needs `np.load(..., allow_pickle=True)`, which unpickles the data; \
              code that sets that flag runs whatever a later version of the file contains.",
        example: "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}",
        fix: "Store numeric arrays, or strings as a fixed-width dtype, and keep \
              `allow_pickle=False`.",
        references: &["https://numpy.org/doc/stable/reference/generated/numpy.load.html"],
    },
};
