//! AIG214: Hugging Face download without a pinned commit.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG214",
    name: "hf-download-unpinned-revision",
    domain: Domain::Code,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#2", "002#5"],
    summary: "Hugging Face download without a pinned commit",
    docs: RuleDocs {
        what: "Fires on `from_pretrained`, `hf_hub_download`, `snapshot_download` and `load_dataset` of a literal Hub id (`org/name`) without `revision=`, or with a revision that is not a commit hash (a branch or tag such as `main`). Ids held in variables are not judged: they are often local paths.",
        why: "Without a pinned commit every run downloads whatever the repository holds today: a compromised or changed repository changes your model silently.",
        example: "tok = AutoTokenizer.from_pretrained('org/model')",
        fix: "Pass `revision='<40-hex commit>'` and update it deliberately.",
        references: &["https://huggingface.co/docs/huggingface_hub/guides/download"],
    },
};
