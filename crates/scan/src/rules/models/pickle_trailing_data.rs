//! AIG109: several pickles, or bytes after the pickle.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG109",
    name: "pickle-trailing-data",
    domain: Domain::Models,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#1"],
    summary: "Pickle file holds more than one pickle, or data after STOP",
    docs: RuleDocs {
        what: "Fires when a plain pickle file continues after its first STOP: further pickles \
               (all of which aigis scans) or bytes that are not a pickle.",
        why: "`pickle.load` reads only the first pickle, but loaders that call it repeatedly \
              run the rest; data appended to a model is also a way to hide a second payload \
              from scanners that stop at the first STOP.",
        example: "a benign pickle at 0x0, then a second pickle at 0x1f3",
        fix: "Check where the extra data comes from; re-save the model in a safe format.",
        references: &[],
    },
};
