//! AIG180: a model repository that only loads with `trust_remote_code=True`.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG180",
    name: "model-repo-remote-code",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "Model repository needs trust_remote_code=True: its Python files run on load",
    docs: RuleDocs {
        what: "Fires on a Hugging Face style `config.json`, `tokenizer_config.json` or processor config whose `auto_map` (or `custom_pipelines`) names classes in the repository's own Python modules. The finding lists the files that would run, says which are missing from the folder (Transformers downloads them from the Hub at load time) and what each one imports that reaches the system (`os`, `subprocess`, `eval`, ...).",
        why: "`from_pretrained(..., trust_remote_code=True)` imports those modules and runs them with the user's rights. Whoever can push to the repository can change that code, and a model card asking for `trust_remote_code=True` is the usual way such code reaches users.",
        example: "config.json: auto_map AutoModelForCausalLM -> modeling_evil.EvilForCausalLM (modeling_evil.py imports os)",
        fix: "Read the listed files before loading. Prefer architectures that Transformers ships; when remote code is needed, pin `revision=` to a reviewed commit and vendor the code into your own repository.",
        references: &["https://huggingface.co/docs/transformers/custom_models"],
    },
};
