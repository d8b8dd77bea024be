//! AIG216: Shell command built at run time (os.system, os.popen, subprocess.getoutput).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG216",
    name: "shell-call-dynamic-command",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#8", "002#5"],
    summary: "Shell command built at run time (os.system, os.popen, subprocess.getoutput)",
    docs: RuleDocs {
        what: "Fires on `os.system`, `os.popen`, `subprocess.getoutput` and `getstatusoutput` when the command is not a string literal.",
        why: "These always run the command through a shell: quotes, `;`, `$()` or backticks in any part of the string run further commands.",
        example: "os.system('wget ' + url)",
        fix: "Use `subprocess.run([...])` with an argument list and no shell.",
        references: &[
            "https://docs.python.org/3/library/subprocess.html#security-considerations",
            "https://cwe.mitre.org/data/definitions/78.html",
        ],
    },
};
