//! AIG209: Keras model loaded with safe_mode=False.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG209",
    name: "keras-load-model-unsafe-mode",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "Keras model loaded with safe_mode=False",
    docs: RuleDocs {
        what: "Fires on `keras.models.load_model`/`keras.saving.load_model` (and tf.keras) with `safe_mode=False`.",
        why: "Safe mode is what stops Keras from running Lambda bytecode and arbitrary callables stored in a model config; turning it off runs whatever the file carries (CVE-2024-3660 class).",
        example: "model = keras.models.load_model('m.keras', safe_mode=False)",
        fix: "Keep the default `safe_mode=True`; rebuild models that need it without Lambda layers.",
        references: &[
            "https://keras.io/api/models/model_saving_apis/model_saving_and_loading/",
            "https://nvd.nist.gov/vuln/detail/CVE-2024-3660",
        ],
    },
};
