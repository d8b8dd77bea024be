//! AIG228: Streamlit protection turned off in code.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG228",
    name: "streamlit-insecure-option",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#4", "000#11", "002#3"],
    summary: "Streamlit protection turned off in code",
    docs: RuleDocs {
        what: "Fires on `st.set_option` that turns off `server.enableCORS` or `server.enableXsrfProtection`, or turns on `global.developmentMode` or `client.showErrorDetails`. Options set in `.streamlit/config.toml` are not seen here.",
        why: "These options remove cross-site protections or show tracebacks to users.",
        example: "st.set_option('server.enableXsrfProtection', False)",
        fix: "Keep the defaults in code; set deployment options in a reviewed config file.",
        references: &["https://docs.streamlit.io/develop/api-reference/configuration/config.toml"],
    },
};
