//! AIG110: zip structure that loaders accept but scanners may read differently.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG110",
    name: "zip-tampering",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "Model archive has inconsistencies that PyTorch tolerates (CRC, flags, names)",
    docs: RuleDocs {
        what: "Fires on zip anomalies in model archives: CRC mismatches, the encryption flag \
               on a stored member, local and central headers that disagree on name, size or \
               method, duplicate member names, overlapping members.",
        why: "PyTorch's reader ignores these while Python's zipfile and most scanners reject \
              the file or read another member, so a crafted archive loads in PyTorch and \
              looks broken or benign to the scanner. Real `torch.save` output never has them.",
        example: "member archive/data.pkl: local header name archive/data.pk1",
        fix: "Re-create the archive from a trusted source; do not load it.",
        references: &["https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT"],
    },
};
