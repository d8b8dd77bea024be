//! AIG161: Keras model carries a Lambda layer with Python bytecode.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG161",
    name: "keras-lambda-layer",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "000#3", "002#5"],
    summary: "Keras model carries a Lambda layer with Python bytecode",
    docs: RuleDocs {
        what: "Fires on a Lambda layer (or any `__lambda__` object) whose function is stored as marshalled Python bytecode. aigis decodes the bytecode statically and lists the names and constants it uses, without running it.",
        why: "Loading the layer runs that bytecode (`marshal.loads` + `FunctionType`). Keras 3 refuses it in safe mode, but `safe_mode=False` and tf.keras/HDF5 loaders run it.",
        example: "config.layers[1].config.function: bytecode of <lambda> using names ['ops', 'expand_dims']",
        fix: "Replace the Lambda layer with a registered custom layer whose code ships separately and is reviewed, or with built-in layers.",
        references: &["https://keras.io/api/layers/core_layers/lambda/"],
    },
};
