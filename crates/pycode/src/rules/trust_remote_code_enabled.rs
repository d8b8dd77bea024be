//! AIG213: trust_remote_code=True runs code from a model repository.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG213",
    name: "trust-remote-code-enabled",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "002#5"],
    summary: "trust_remote_code=True runs code from a model repository",
    docs: RuleDocs {
        what: "Fires on any call with `trust_remote_code=True`: `from_pretrained`, `pipeline`, `AutoModel*`, `load_dataset` and others.",
        why: "The library downloads Python files named by the repository's config (`auto_map`) and imports them: whoever controls the repository, or can push to it, runs code on your machine.",
        example: "model = AutoModel.from_pretrained('org/model', trust_remote_code=True)",
        fix: "Use architectures built into transformers; if remote code is needed, review it and pin `revision=` to the reviewed commit, or vendor the code.",
        references: &["https://huggingface.co/docs/transformers/custom_models"],
    },
};
