//! AIG155: ONNX external data that is missing, malformed or out of range.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG155",
    name: "onnx-external-data-unresolved",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#2"],
    summary: "ONNX external data file is missing, not a file, or smaller than the range read",
    docs: RuleDocs {
        what: "Fires when a tensor stored as external data names no location, has an offset \
               or length that is not a non-negative integer, or — for a model on disk — names \
               a file that does not exist next to it, is not a regular file, or is shorter \
               than `offset + length`.",
        why: "The model cannot load as shipped, and what a loader does with a bad range \
              depends on its version (older readers mapped past the end of the file). The \
              weights that would be read cannot be checked either.",
        example: "tensor 'w' reads 4096 bytes at offset 1000000 from weights.bin (12 bytes)",
        fix: "Download the model together with its data files and check their digests; \
              re-save the model with `onnx.save(..., save_as_external_data=True)`.",
        references: &["https://onnx.ai/onnx/repo-docs/ExternalData.html"],
    },
};
