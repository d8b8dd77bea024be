//! AIG203: numpy.load is called with allow_pickle=True.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG203",
    name: "numpy-load-allow-pickle",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "numpy.load is called with allow_pickle=True",
    docs: RuleDocs {
        what: "Fires on `numpy.load(..., allow_pickle=True)` and on `allow_pickle` set from a variable. `numpy.load` without `allow_pickle`, or with `allow_pickle=False`, is not reported.",
        why: "With pickles allowed, object arrays in .npy/.npz files are unpickled: a crafted file runs arbitrary code. numpy refuses them by default since 1.16.3 (CVE-2019-6446).",
        example: "import numpy as np\narr = np.load('features.npy', allow_pickle=True)",
        fix: "Save numeric arrays only (no dtype=object) and load with the default `allow_pickle=False`.",
        references: &[
            "https://numpy.org/doc/stable/reference/generated/numpy.load.html",
            "https://nvd.nist.gov/vuln/detail/CVE-2019-6446",
        ],
    },
};
