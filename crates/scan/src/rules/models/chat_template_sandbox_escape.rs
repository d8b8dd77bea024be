//! AIG141: a chat template that reaches Python internals (Jinja sandbox escape).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG141",
    name: "chat-template-sandbox-escape",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#2", "000#9", "002#5"],
    summary: "Chat template walks to Python internals or process execution (Jinja SSTI, CVE-2024-34359)",
    docs: RuleDocs {
        what: "Fires when a chat template (GGUF `tokenizer.chat_template` and \
               `tokenizer.chat_template.*`) accesses, by attribute, constant item, the `attr` \
               filter or a dunder string constant, Python internals such as `__class__`, \
               `__mro__`, `__base__`, `__subclasses__`, `__globals__`, `__builtins__`, \
               `__init__`, `__import__`, `__getattribute__`, frame and code objects, or calls \
               module and process helpers such as `os`, `popen`, `system`, `eval`, `exec`, \
               `subprocess`, `import_module`. The template is tokenized, not grepped: text, \
               comments and raw blocks do not count, escaped and concatenated names are \
               decoded.",
        why: "Chat templates are rendered with Jinja2 whenever the model is used. Without \
              Jinja's sandbox (llama-cpp-python before 0.2.72, and any server that renders \
              templates with a plain `Environment`), such a walk reaches `os.popen` and runs \
              commands on the host that serves the model (CVE-2024-34359). No benign template \
              needs Python internals.",
        example: "{% for x in ().__class__.__base__.__subclasses__() %}...x()._module.__builtins__['__import__']('os').popen('id')",
        fix: "Do not load the model. If the weights are needed, replace the chat template \
              with a known-good one for the architecture, and render templates only in \
              Jinja's `ImmutableSandboxedEnvironment`.",
        references: &[
            "https://nvd.nist.gov/vuln/detail/CVE-2024-34359",
            "https://github.com/abetlen/llama-cpp-python/security/advisories/GHSA-56xg-wfcc-g829",
            "https://jinja.palletsprojects.com/en/stable/sandbox/",
        ],
    },
};
