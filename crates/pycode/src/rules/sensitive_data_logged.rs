//! AIG230: Request data or a secret written to logs.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG230",
    name: "sensitive-data-logged",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#15", "000#9"],
    summary: "Request data or a secret written to logs",
    docs: RuleDocs {
        what: "Fires on `print`, `logging.*` and `logger.*` calls whose arguments mention request bodies, headers, form data or cookies (`request.json`, `request.headers`, ...) or a variable named like a secret (`token`, `api_key`, `password`, `secret`, ...).",
        why: "Logs travel to many systems and people; tokens, credentials and user inputs (prompts, personal data) written there leak.",
        example: "logger.info(request.json)\nprint(f'token={hf_token}')",
        fix: "Log request ids and sizes, not contents; redact secrets before logging.",
        references: &["https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html"],
    },
};
