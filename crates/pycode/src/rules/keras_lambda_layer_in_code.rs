//! AIG208: Keras Lambda layer defined in code.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG208",
    name: "keras-lambda-layer-in-code",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#3", "002#5"],
    summary: "Keras Lambda layer defined in code",
    docs: RuleDocs {
        what: "Fires on `keras.layers.Lambda(...)` and `tf.keras.layers.Lambda(...)` (and `tf_keras`).",
        why: "A Lambda layer's function is saved as Python bytecode inside the model; everyone who loads the model with safe mode off runs it, and the model can no longer be loaded safely.",
        example: "from tensorflow import keras\nlayer = keras.layers.Lambda(lambda x: x * 2)",
        fix: "Write a small custom layer class (registered with `keras.saving.register_keras_serializable`) or use built-in layers.",
        references: &["https://keras.io/api/layers/core_layers/lambda/"],
    },
};
