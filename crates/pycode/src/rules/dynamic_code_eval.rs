//! AIG215: eval, exec or compile on a value that is not a literal.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG215",
    name: "dynamic-code-eval",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#8", "002#5"],
    summary: "eval, exec or compile on a value that is not a literal",
    docs: RuleDocs {
        what: "Fires on `eval`, `exec` and `compile` whose first argument is not a string literal. A literal argument is the author's own code and is not reported.",
        why: "If any part of the string comes from a request, a file, a model output or an LLM, it runs as Python with the process's privileges.",
        example: "result = eval(request.args['expr'])",
        fix: "Parse data with `json` or `ast.literal_eval`; map names to functions with a dict; never evaluate model or user output.",
        references: &[
            "https://docs.python.org/3/library/functions.html#eval",
            "https://cwe.mitre.org/data/definitions/95.html",
        ],
    },
};
