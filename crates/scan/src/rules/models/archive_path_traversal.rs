//! AIG112: archive members that escape the extraction folder or are links.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG112",
    name: "archive-path-traversal",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#9"],
    summary: "Archive member with an absolute path, `..`, or a link",
    docs: RuleDocs {
        what: "Fires on zip and tar members whose names are absolute or contain `..`, and on \
               tar symlinks, hard links and device files.",
        why: "Extracting the archive (tarfile.extractall without a filter, naive unzip code) \
              writes outside the target folder: overwriting code, configuration or keys.",
        example: "tar member ../../.bashrc",
        fix: "Do not extract the archive; if you must, use tarfile's `filter=\"data\"` and \
              reject such members.",
        references: &["https://peps.python.org/pep-0706/"],
    },
};
