//! AIG181: a model repository whose `auto_map` loads code from another repository.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG181",
    name: "model-repo-remote-code-other-repo",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "Model repository loads remote code from a different repository",
    docs: RuleDocs {
        what: "Fires when an `auto_map` entry has the form `owner/repo--module.Class`: Transformers fetches `module.py` from that other repository (at its latest revision unless the entry pins one) when the model is loaded with `trust_remote_code=True`.",
        why: "Reviewing the model's own repository is not enough: the code that runs lives elsewhere, under someone else's control, and can change after the review.",
        example: "config.json: auto_map AutoModel -> other-org/shared-code--modeling.Model",
        fix: "Vendor the referenced module into the model repository (or your own), review it, and point `auto_map` at the local copy; pin `revision=` when loading.",
        references: &["https://huggingface.co/docs/transformers/custom_models"],
    },
};
