//! AIG163: Keras config reaches a known dangerous callable.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG163",
    name: "keras-dangerous-callable",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#2", "000#3", "002#5"],
    summary: "Keras config reaches a known dangerous callable",
    docs: RuleDocs {
        what: "Fires when a Keras config names a function or class that is a known gadget: a denylisted Python callable (os.system, builtins.exec, subprocess, ...) through `module`/`class_name`, or a Keras function that downloads files, loads nested models or turns off safe mode (`keras.utils.get_file`, `keras.config.enable_unsafe_deserialization`, `keras.models.load_model`).",
        why: "Keras calls these while it rebuilds the model: CVE-2025-1550 (arbitrary module import), CVE-2025-8747 (get_file writes attacker files), CVE-2025-9905/9906 (safe-mode bypass by enabling unsafe deserialization from inside the config).",
        example: "config.layers[0].config.activation: module 'keras.utils', class_name 'function', config 'get_file'",
        fix: "Do not load the model.",
        references: &[
            "https://nvd.nist.gov/vuln/detail/CVE-2025-8747",
            "https://nvd.nist.gov/vuln/detail/CVE-2025-9906",
        ],
    },
};
