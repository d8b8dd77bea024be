//! AIG143: a GGUF metadata string that carries a pickle, executable or code.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG143",
    name: "gguf-metadata-payload",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "GGUF metadata carries an encoded payload (pickle, archive, executable, code)",
    docs: RuleDocs {
        what: "Fires when a GGUF metadata string (any key but the chat templates, which \
               have their own rules) holds a pickle (raw, base64 or hex encoded), a model \
               archive or compressed stream, an executable, or Python source that imports or \
               executes code. Decoded pickles and archives are scanned like files.",
        why: "GGUF is chosen because llama.cpp loads it without running anything; a free-text \
              metadata field is where a second-stage payload hides for tooling that reads the \
              metadata back with `pickle.loads` or `exec`.",
        example: "metadata 'general.description' holds a base64 pickle (58 bytes)",
        fix: "Remove the payload from the metadata; metadata should describe the model, not carry code.",
        references: &[],
    },
};
