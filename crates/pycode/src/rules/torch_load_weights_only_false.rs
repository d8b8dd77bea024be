//! AIG204: torch.load is called with weights_only=False.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG204",
    name: "torch-load-weights-only-false",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "torch.load is called with weights_only=False",
    docs: RuleDocs {
        what: "Fires on `torch.load(..., weights_only=False)` under any alias (`import torch as t; t.load`).",
        why: "With `weights_only=False`, torch.load is a full unpickler: a crafted checkpoint runs arbitrary code when it is loaded.",
        example: "import torch\nstate = torch.load('ckpt.pt', weights_only=False)",
        fix: "Pass `weights_only=True` (allow extra classes with `torch.serialization.add_safe_globals`) or store weights as safetensors.",
        references: &[
            "https://pytorch.org/docs/stable/generated/torch.load.html",
            "https://github.com/pytorch/pytorch/security",
        ],
    },
};
