//! AIG212: Native custom-op library loaded into the process.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG212",
    name: "native-op-library-load",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "Native custom-op library loaded into the process",
    docs: RuleDocs {
        what: "Fires on `tf.load_op_library`, `tf.load_library`, `torch.ops.load_library`, `torch.classes.load_library` and ONNX Runtime `SessionOptions.register_custom_ops_library`.",
        why: "A shared library runs native code with the process's privileges as soon as it is loaded; shipped next to a model, it is a code-execution path that no model scan covers.",
        example: "tf.load_op_library('./custom_ops.so')",
        fix: "Load only libraries built from reviewed source by your own pipeline, from a fixed path, and pin their hashes.",
        references: &[
            "https://www.tensorflow.org/guide/create_op",
            "https://onnxruntime.ai/docs/reference/operators/add-custom-op.html",
        ],
    },
};
