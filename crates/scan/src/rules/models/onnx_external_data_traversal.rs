//! AIG154: ONNX external data that points outside the model's directory.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG154",
    name: "onnx-external-data-traversal",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Malicious,
    checklist: &["000#2", "000#9"],
    summary: "ONNX tensor's external data escapes the model directory (absolute path, `..`, symlink)",
    docs: RuleDocs {
        what: "Fires when a tensor's `external_data` location is absolute (`/etc/passwd`, \
               `C:\\...`, `\\\\server\\share`), contains a `..` component, or — when the file \
               is on disk next to the model — resolves through a symlink to a path outside \
               the model's directory.",
        why: "Loaders read the named file into the tensor: a model that points at \
              `../../home/user/.ssh/id_rsa` turns inference outputs or re-saved models into \
              a way to read the serving host's files (CVE-2022-25882, CVE-2024-27318).",
        example: "tensor 'w' reads external data from ../../etc/passwd",
        fix: "Do not load the model. Legitimate external data sits next to the model file \
              (`model.onnx.data`) and is named by a relative path without `..`.",
        references: &[
            "https://nvd.nist.gov/vuln/detail/CVE-2022-25882",
            "https://nvd.nist.gov/vuln/detail/CVE-2024-27318",
            "https://onnx.ai/onnx/repo-docs/ExternalData.html",
        ],
    },
};
