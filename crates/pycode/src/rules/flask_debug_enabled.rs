//! AIG225: Flask/Werkzeug app run with debug=True.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG225",
    name: "flask-debug-enabled",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#4", "000#11", "002#3"],
    summary: "Flask/Werkzeug app run with debug=True",
    docs: RuleDocs {
        what: "Fires on `.run(debug=True)` and `.run_server(debug=True)` (Flask, Dash), e.g. `app.run(debug=True)` for `app = Flask(__name__)`. `asyncio.run` is excluded.",
        why: "The Werkzeug debugger gives an interactive Python console on errors: anyone who reaches the app (or guesses the PIN) runs code on the server.",
        example: "app = Flask(__name__)\napp.run(debug=True)",
        fix: "Drive debug from an environment variable that is off in deployment, and serve with a production WSGI server.",
        references: &["https://flask.palletsprojects.com/en/stable/debugging/"],
    },
};
