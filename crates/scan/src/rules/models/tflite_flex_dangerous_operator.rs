//! AIG176: a TFLite Flex operator that runs a TensorFlow file or Python op.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG176",
    name: "tflite-flex-dangerous-operator",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "TFLite model runs a TensorFlow file or Python op through the Flex delegate",
    docs: RuleDocs {
        what: "Fires on custom operator codes `Flex<Op>` (Select TensorFlow ops) whose \
               TensorFlow op touches the file system (ReadFile, WriteFile, MatchingFiles, \
               file readers and datasets, ...) or calls back into Python (PyFunc, \
               EagerPyFunc): the ops tf-file-op (AIG171) and tf-python-op (AIG172) report in \
               TensorFlow graphs. Flex operators of other standard TensorFlow ops are listed \
               by `aigis model inspect` and not reported.",
        why: "An interpreter built with the Flex delegate (`tensorflow-lite-select-tf-ops`, \
              the full `tensorflow` pip package) runs the named TensorFlow kernel with the \
              model's inputs: a `.tflite` file can read `/etc/passwd` or a credentials file \
              into an output tensor, or write files on the device, with no custom code at all.",
        example: "Flex operator 'FlexReadFile' runs TensorFlow's ReadFile (1 operator: subgraph 0, operator 0, output 'contents')",
        fix: "Do not run the model with the Flex delegate; rebuild it from builtin operators \
              and feed data through its inputs.",
        references: &["https://ai.google.dev/edge/litert/models/ops_select"],
    },
};
