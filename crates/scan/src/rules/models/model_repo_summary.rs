//! AIG182: what a model repository holds and how to load it safely.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG182",
    name: "model-repo-summary",
    domain: Domain::Models,
    severity: Severity::Info,
    verdict: Verdict::Clean,
    checklist: &["000#1", "002#5"],
    summary: "Model repository summary: safe and pickle-based weight files, remote code, a safe loading recipe",
    docs: RuleDocs {
        what: "Reported once per model repository folder (a folder with a Hugging Face style `config.json`): which weight files are in safe formats (safetensors, GGUF, ONNX), which are pickle-based (`.bin`, `.pt`, `.ckpt`, pickles), which carry configs that rebuild code (Keras, TensorFlow), whether loading needs `trust_remote_code=True`, and a loading recipe that avoids pickle and remote code where the folder allows it.",
        why: "Transformers picks weight files by name and falls back to pickle when safetensors are missing; a repository that ships both lets an attacker who can replace one file choose which one runs.",
        example: "model repository: 2 safe weight files (model-00001-of-00002.safetensors, ...), 1 pickle-based (pytorch_model.bin); load with use_safetensors=True",
        fix: "Keep only safe weight formats in the repository (convert with `aigis model convert`), load with `use_safetensors=True` and without `trust_remote_code`.",
        references: &["https://huggingface.co/docs/safetensors/index"],
    },
};
