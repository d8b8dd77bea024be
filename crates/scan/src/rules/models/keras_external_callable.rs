//! AIG160: Keras config names a class or function outside Keras.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG160",
    name: "keras-external-callable",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "000#3", "002#5"],
    summary: "Keras config names a class or function outside Keras",
    docs: RuleDocs {
        what: "Fires when a layer, loss, metric, initializer or other object in a Keras model config (`config.json` of a `.keras` file, `model_config` of an HDF5 file) names a `module`/`class_name` or `registered_name` outside Keras' own namespaces (`keras`, `keras.src`, `tf_keras`, `keras_hub`, ...).",
        why: "Keras imports that module and calls what it names while it rebuilds the model. In Keras before 3.9 (CVE-2025-1550) that was any importable callable with attacker-chosen arguments, even in safe mode; today it is still custom code that runs on load, and must be reviewed like code.",
        example: "config.layers[3]: module 'my_lab.layers', class_name 'Adapter'",
        fix: "Review the named code; when it is yours and trusted, add it to `trusted-globals` as `module.Name`. Prefer exporting models without custom objects.",
        references: &["https://nvd.nist.gov/vuln/detail/CVE-2025-1550"],
    },
};
