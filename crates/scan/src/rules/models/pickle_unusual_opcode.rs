//! AIG115: opcodes the unpickler accepts but benign writers do not emit.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG115",
    name: "pickle-unusual-opcode",
    domain: Domain::Models,
    severity: Severity::Low,
    verdict: Verdict::Clean,
    checklist: &["000#1"],
    summary: "Pickle uses an opcode sequence that no standard writer produces",
    docs: RuleDocs {
        what: "Fires on constructs CPython's unpickler accepts but `pickle.dump`, `torch.save` \
               and joblib never write: a second PROTO inside a stream, STOP before the end of \
               a declared FRAME, NEXT_BUFFER (out-of-band buffers, which a file cannot supply).",
        why: "Hand-assembled pickles use such sequences to confuse scanners that model the \
              format loosely. aigis follows the unpickler exactly, so they change nothing in \
              its verdict, but they tell you the file was not written by the library it \
              claims to come from.",
        example: "PROTO 4 after the first opcode at 0x57",
        fix: "Find out who produced the file; re-save the model in a safe format.",
        references: &[],
    },
};
