//! AIG206: torch.package.PackageImporter loads a package.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG206",
    name: "torch-package-importer",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "torch.package.PackageImporter loads a package",
    docs: RuleDocs {
        what: "Fires on `torch.package.PackageImporter(...)`.",
        why: "A torch.package archive holds Python source and pickles; importing from it runs that code in the process.",
        example: "from torch.package import PackageImporter\nimp = PackageImporter('model.pt')",
        fix: "Load torch packages only from sources you verify; prefer TorchScript/ExportedProgram or safetensors weights with code from your own repository.",
        references: &["https://pytorch.org/docs/stable/package.html"],
    },
};
