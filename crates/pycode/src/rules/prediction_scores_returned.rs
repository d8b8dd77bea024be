//! AIG232: Route handler returns full probability vectors.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG232",
    name: "prediction-scores-returned",
    domain: Domain::Code,
    severity: Severity::Info,
    verdict: Verdict::Clean,
    checklist: &["000#10"],
    summary: "Route handler returns full probability vectors",
    docs: RuleDocs {
        what: "Fires on `return` from a route handler whose value comes from `predict_proba`, `predict_log_proba` or `softmax`.",
        why: "Full confidence vectors make model extraction and membership inference much cheaper than labels alone.",
        example: "@app.post('/predict')\ndef predict(x):\n    return {'p': model.predict_proba([x]).tolist()}",
        fix: "Return the label, or top-k rounded scores, unless clients need the full vector.",
        references: &["https://owasp.org/www-project-machine-learning-security-top-10/"],
    },
};
