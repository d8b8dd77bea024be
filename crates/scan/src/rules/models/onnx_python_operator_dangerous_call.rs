//! AIG152: an ONNX Python operator that names a known code-execution callable.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG152",
    name: "onnx-python-operator-dangerous-call",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "ONNX Python operator names a known code-execution function (os.system, eval, ...)",
    docs: RuleDocs {
        what: "Fires when a Python operator's `module` and `class_name` resolve to a callable \
               on aigis's pickle denylist (process execution, eval/exec, dynamic import, file \
               and network helpers): the same judgement as a pickle's imports.",
        why: "The runtime imports the module and calls the name while loading the model: the \
              model runs that function with the privileges of the serving process.",
        example: "PyOp node 'n0' calls os.system",
        fix: "Do not load the model. Obtain it from a trusted source and verify its signature.",
        references: &["https://github.com/microsoft/onnxruntime/blob/main/docs/PyOp.md"],
    },
};
