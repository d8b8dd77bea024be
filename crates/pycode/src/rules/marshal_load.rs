//! AIG202: Python code reads marshal data (code objects).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG202",
    name: "marshal-load",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "Python code reads marshal data (code objects)",
    docs: RuleDocs {
        what: "Fires on `marshal.load` and `marshal.loads`.",
        why: "marshal is an internal format for .pyc files: it is not checked against malformed or hostile input, and what it returns are code objects that are usually executed next.",
        example: "import marshal\ncode = marshal.loads(blob)\nexec(code)",
        fix: "Do not exchange code objects; ship source that is reviewed, or data in JSON.",
        references: &["https://docs.python.org/3/library/marshal.html"],
    },
};
