//! AIG201: Python code loads a joblib file (a pickle underneath).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG201",
    name: "joblib-load",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "Python code loads a joblib file (a pickle underneath)",
    docs: RuleDocs {
        what: "Fires on `joblib.load` (and the old `sklearn.externals.joblib.load`).",
        why: "joblib files are pickles with numpy arrays stored beside them; loading one runs whatever callables the pickle names. scikit-learn models shared as .joblib/.pkl are a common carrier.",
        example: "from joblib import load\nclf = load('clf.joblib')",
        fix: "Export scikit-learn models with skops (`skops.io.load` with trusted types) or ONNX; load joblib files only from a source you verify, after `aigis scan`.",
        references: &[
            "https://joblib.readthedocs.io/en/stable/persistence.html",
            "https://scikit-learn.org/stable/model_persistence.html",
        ],
    },
};
