//! AIG231: Exception text or traceback returned to the client.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG231",
    name: "exception-detail-in-response",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#9", "000#10"],
    summary: "Exception text or traceback returned to the client",
    docs: RuleDocs {
        what: "Fires on response constructors (`JSONResponse`, `jsonify`, `Response`, `make_response`, `HTTPException`, ...) given an exception variable (`except ... as e`) or `traceback.format_exc()`, and on `return` of such values from route handlers.",
        why: "Exception messages and tracebacks disclose paths, library versions, code and sometimes data or secrets.",
        example: "except Exception as e:\n    return jsonify({'error': str(e)}), 500",
        fix: "Log the exception on the server with an id and return a generic message with that id.",
        references: &["https://cwe.mitre.org/data/definitions/209.html"],
    },
};
