//! AIG217: Literal command run through a shell.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG217",
    name: "shell-call-literal-command",
    domain: Domain::Code,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#8", "002#5"],
    summary: "Literal command run through a shell",
    docs: RuleDocs {
        what: "Fires on `os.system`/`os.popen` with a literal command and on `subprocess.*(..., shell=True)` with a literal command.",
        why: "The command itself is fixed, but running through a shell depends on PATH and environment, and invites later edits that splice in data.",
        example: "os.system('nvidia-smi')",
        fix: "Use `subprocess.run(['nvidia-smi'], check=True)`.",
        references: &["https://docs.python.org/3/library/subprocess.html#security-considerations"],
    },
};
