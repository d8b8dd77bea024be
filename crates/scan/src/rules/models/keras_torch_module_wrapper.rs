//! AIG164: Keras TorchModuleWrapper layer embeds a pickled PyTorch module.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG164",
    name: "keras-torch-module-wrapper",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "Keras TorchModuleWrapper layer embeds a pickled PyTorch module",
    docs: RuleDocs {
        what: "Fires on a `TorchModuleWrapper` layer: its config holds a base64 `torch.save` of a whole PyTorch module. aigis decodes it and scans the embedded pickle like any PyTorch file (those findings are reported under the layer).",
        why: "Rebuilding the layer calls `torch.load` on the embedded bytes with full unpickling (CVE-2025-49655), so a pickle payload runs on model load.",
        example: "config.layers[2].config.module: 1.2 MB torch.save payload",
        fix: "Rebuild the layer from code and load only weights; never load wrapped modules from untrusted files.",
        references: &["https://nvd.nist.gov/vuln/detail/CVE-2025-49655"],
    },
};
