//! AIG120: the file could not be analysed completely.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG120",
    name: "scan-inconclusive",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Inconclusive,
    checklist: &["000#2"],
    summary: "Model file could not be fully analysed (truncated, malformed, over a limit)",
    docs: RuleDocs {
        what: "Fires when analysis stopped before the end of the file or of a member: the \
               stream is truncated or malformed, a size, count or nesting limit was reached, or \
               the content is a format aigis does not analyse yet. The message says why.",
        why: "A file that was not read to the end cannot be called clean: the part not read \
              may hold the payload. Scanners that say `clean` here are how bypasses work.",
        example: "archive/data.pkl: truncated at 0x1f4 inside BINUNICODE",
        fix: "Re-download the file and check its digest. If a limit was hit on a legitimate \
              file, raise it in aigis.toml. To stop inconclusive files from failing CI, pass \
              `--allow-inconclusive` (not recommended).",
        references: &[],
    },
};
