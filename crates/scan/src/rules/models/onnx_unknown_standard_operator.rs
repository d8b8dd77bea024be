//! AIG153: an operator in ONNX's own domains that ONNX does not define.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG153",
    name: "onnx-unknown-standard-operator",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#2"],
    summary: "ONNX node uses an operator name that no ONNX version defines in its domain",
    docs: RuleDocs {
        what: "Fires on nodes in the default domain (`\"\"`/`ai.onnx`), `ai.onnx.ml`, \
               `ai.onnx.preview` or the training domains whose operator is not in ONNX's \
               operator set (every version, from `data/onnx/standard_ops.txt`), and that \
               call no function defined in the model.",
        why: "A custom operator library can register kernels in the default domain, so a \
              custom operator dressed as a standard one escapes a review that only looks at \
              domains. A standard runtime refuses the model; one with that library runs \
              native code chosen by the model's author.",
        example: "operator 'ReadFileOp' is not a standard operator of domain 'ai.onnx'",
        fix: "Find out which library provides the operator; re-export with standard operators.",
        references: &["https://onnx.ai/onnx/operators/"],
    },
};
