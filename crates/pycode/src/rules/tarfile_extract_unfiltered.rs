//! AIG222: tarfile extraction without a filter.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG222",
    name: "tarfile-extract-unfiltered",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#9", "002#5"],
    summary: "tarfile extraction without a filter",
    docs: RuleDocs {
        what: "Fires on `extractall`/`extract` of a `tarfile` object without `filter='data'` (or `'tar'`, or a filter function), unless `extractall` is given `members=`. `zipfile` extraction is not reported: it sanitises names.",
        why: "Tar members can be named `../../x`, absolute, or be links: without a filter they are written outside the target directory (CVE-2007-4559); datasets and model archives are usual inputs.",
        example: "with tarfile.open(path) as tar:\n    tar.extractall('data')",
        fix: "Pass `filter='data'` (Python 3.12+, backported to 3.8+ security releases), or check every member's resolved path before extracting.",
        references: &[
            "https://docs.python.org/3/library/tarfile.html#extraction-filters",
            "https://nvd.nist.gov/vuln/detail/CVE-2007-4559",
        ],
    },
};
