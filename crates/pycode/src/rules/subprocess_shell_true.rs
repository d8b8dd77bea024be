//! AIG218: subprocess call with shell=True and a command built at run time.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG218",
    name: "subprocess-shell-true",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#8", "002#5"],
    summary: "subprocess call with shell=True and a command built at run time",
    docs: RuleDocs {
        what: "Fires on `subprocess.run`, `call`, `Popen`, `check_call` and `check_output` with `shell=True` when the command is not a literal.",
        why: "With a shell, metacharacters in any interpolated value run further commands.",
        example: "subprocess.run(f'convert {path} out.png', shell=True)",
        fix: "Pass an argument list and drop `shell=True`: `subprocess.run(['convert', path, 'out.png'])`.",
        references: &[
            "https://docs.python.org/3/library/subprocess.html#security-considerations",
            "https://cwe.mitre.org/data/definitions/78.html",
        ],
    },
};
