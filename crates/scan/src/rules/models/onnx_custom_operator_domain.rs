//! AIG150: an ONNX node in an operator domain outside the standard set.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG150",
    name: "onnx-custom-operator-domain",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "ONNX model uses operators from a custom domain (native custom-op library needed)",
    docs: RuleDocs {
        what: "Fires on nodes whose operator domain is none of ONNX's own (`ai.onnx`, \
               `ai.onnx.ml`, the training domains) nor a runtime's known contrib domain \
               (`com.microsoft`, `com.microsoft.nchwc`, `com.microsoft.mlfeaturizers`, \
               `org.pytorch.aten`), and that call no function defined in the model. One finding \
               per operator, with its node count and example node names. `ai.onnx.contrib` is \
               onnxruntime-extensions' domain, where operators may be Python functions.",
        why: "A runtime can only run such a node after the user registers a custom operator \
              library (`SessionOptions.register_custom_ops_library`) or Python callbacks: \
              native or Python code that ships outside the model and is chosen by whoever \
              made it. A model that asks for unknown code is not a plain tensor program.",
        example: "operator 'Exfil' in domain 'evil.ops' (1 node: 'n0')",
        fix: "Find out which library implements the domain and review it before loading it; \
              prefer models that use standard operators only. If the domain is yours, \
              suppress the rule for these files in aigis.toml.",
        references: &["https://onnxruntime.ai/docs/reference/operators/add-custom-op.html"],
    },
};
