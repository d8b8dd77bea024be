//! AIG205: torch.load is called without an explicit weights_only=True.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG205",
    name: "torch-load-weights-only-default",
    domain: Domain::Code,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "torch.load is called without an explicit weights_only=True",
    docs: RuleDocs {
        what: "Fires on `torch.load` without `weights_only` (or with it set from a variable, or possibly inside `**kwargs`).",
        why: "PyTorch 2.6 and later default to `weights_only=True`, but older versions unpickle anything, and the same code may run on both. Saying it explicitly makes the safety independent of the installed version.",
        example: "state = torch.load('ckpt.pt', map_location='cpu')",
        fix: "Pass `weights_only=True` explicitly, or load safetensors.",
        references: &["https://pytorch.org/docs/stable/generated/torch.load.html"],
    },
};
