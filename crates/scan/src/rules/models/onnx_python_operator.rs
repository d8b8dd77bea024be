//! AIG151: an ONNX node that runs Python code named by the model.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG151",
    name: "onnx-python-operator",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "ONNX model has a Python operator (PyOp, PythonOp) that imports and runs Python",
    docs: RuleDocs {
        what: "Fires on `PyOp` nodes (onnxruntime's language-interop operator, in any \
               domain), on nodes with the `module` and `class_name` attributes that PyOp \
               reads, and on onnxruntime's `com.microsoft` `PythonOp`/`PythonOpGrad` \
               (training). The evidence is the Python callable the node names.",
        why: "When the runtime loads such a node it imports the named module and calls into \
              it: the model decides which Python code runs in the serving process.",
        example: "PyOp node 'py1' imports mymodule.Multi_1",
        fix: "Do not run the model on a runtime built with language-interop operators unless \
              you have reviewed the module it names; re-export it with standard operators.",
        references: &[
            "https://github.com/microsoft/onnxruntime/blob/main/docs/PyOp.md",
            "https://github.com/microsoft/onnxruntime-extensions",
        ],
    },
};
