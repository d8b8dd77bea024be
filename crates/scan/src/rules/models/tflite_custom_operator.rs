//! AIG175: a TFLite operator whose kernel is a custom op, named by string.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG175",
    name: "tflite-custom-operator",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "TFLite model uses a custom operator (kernel code must ship outside the model)",
    docs: RuleDocs {
        what: "Fires on operator codes with builtin code CUSTOM whose `custom_code` is not one \
               the stock interpreter registers itself (`TFLite_Detection_PostProcess`, `Mfcc`, \
               `AudioSpectrogram`, `NumericVerify`) or MediaPipe ships with its runtime \
               (`Convolution2DTransposeBias`, `MaxPoolingWithArgmax2D`, `MaxUnpooling2D`, \
               `TransformLandmarks`, `TransformTensorBilinear`, `Landmarks2TransformMatrix`), \
               and on `Flex` operators that name an op \
               outside TensorFlow's op set (`data/tensorflow/ops.txt`). One finding per \
               custom name, with the number of operators that use it and the first one \
               (subgraph, operator index, output tensor).",
        why: "The interpreter only runs such a model after the application registers a kernel \
              under that name (`MutableOpResolver::AddCustom`, a delegate, or a Flex build \
              with the custom TensorFlow op linked in): native code chosen by whoever made \
              the model, fed with the model's inputs and its opaque `custom_options` bytes.",
        example: "custom operator 'Exfil' (1 operator: subgraph 0 'main', operator 2, output 'out')",
        fix: "Find out which library implements the operator and review it before registering \
              it; prefer models converted to builtin operators only. If the operator is \
              yours, suppress the rule for these files in aigis.toml.",
        references: &["https://ai.google.dev/edge/litert/models/ops_custom"],
    },
};
