//! AIG219: pandas.eval on an expression built at run time.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG219",
    name: "pandas-eval-dynamic",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#8", "002#5"],
    summary: "pandas.eval on an expression built at run time",
    docs: RuleDocs {
        what: "Fires on `pandas.eval` whose expression is not a literal.",
        why: "pandas.eval parses a Python-like language; with the python engine, and through attribute access, crafted expressions have reached code execution.",
        example: "pd.eval(user_expr)",
        fix: "Build the computation in code from validated column names and operators.",
        references: &["https://pandas.pydata.org/docs/reference/api/pandas.eval.html"],
    },
};
