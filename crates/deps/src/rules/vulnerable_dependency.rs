//! AIG600: a pinned dependency version has a known vulnerability.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG600",
    name: "vulnerable-dependency",
    domain: Domain::Dependencies,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#14", "002#1", "002#5"],
    summary: "Pinned dependency version is affected by a known advisory (OSV)",
    docs: RuleDocs {
        what: "Fires when a version pinned in a requirements file, pyproject.toml, lock file or \
               conda environment falls in an advisory's affected ranges or versions in the local \
               OSV database (`aigis db update`). Versions are compared by PEP 440, so local \
               builds such as `2.1.0+cu121` count as their release. Advisories that alias each \
               other (PYSEC, GHSA, CVE) are one finding. The severity comes from the advisory's \
               CVSS v3 score where given, else its database severity; without either it stays high.",
        why: "ML stacks pin old framework versions for reproducibility and then never move them; \
              known deserialization and remote-code-execution bugs in torch, tensorflow, \
              transformers or mlflow stay exploitable in the deployed service.",
        example: "torch==1.13.0   # PYSEC-2022-43015 (CVE-2022-45907), fixed in 1.13.1",
        fix: "Upgrade to one of the fixed versions the finding names and re-lock. If the \
              vulnerable code path is provably unused, suppress the finding in aigis.toml with \
              a reason.",
        references: &["https://osv.dev/", "https://peps.python.org/pep-0440/"],
    },
};
