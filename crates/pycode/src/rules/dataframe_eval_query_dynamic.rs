//! AIG220: DataFrame.eval/query on an expression built at run time.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG220",
    name: "dataframe-eval-query-dynamic",
    domain: Domain::Code,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#8", "002#5"],
    summary: "DataFrame.eval/query on an expression built at run time",
    docs: RuleDocs {
        what: "Fires on `<obj>.eval(expr)` and `<obj>.query(expr)` when the expression mentions a parameter or request data or is built (f-string, concatenation, call). The receiver's type is not known, so this is reported at lower confidence.",
        why: "DataFrame.query and DataFrame.eval evaluate an expression language with access to local variables (`@name`) and attributes; caller-built expressions can read data or reach code.",
        example: "df.query(f\"price > {request.args['min']}\")",
        fix: "Filter with boolean masks built from validated values: `df[df.price > float(value)]`.",
        references: &["https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.query.html"],
    },
};
