//! AIG132: a safetensors metadata value that carries a pickle, executable or code.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG132",
    name: "safetensors-metadata-payload",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2", "002#5"],
    summary: "safetensors metadata carries an encoded payload (pickle, archive, executable, code)",
    docs: RuleDocs {
        what: "Fires when a `__metadata__` string holds a pickle (raw latin-1, base64 or hex \
               encoded), a model archive or compressed stream, an executable (ELF, PE, \
               Mach-O, a script with `#!`), or Python source that imports or executes code \
               (`import os`, `__import__(`, `exec(`, `eval(`, `subprocess.`). Decoded pickles \
               and archives are scanned like files, so a payload that calls `os.system` is \
               also reported by the pickle rules.",
        why: "safetensors is chosen because loading it runs nothing; metadata is the one free \
              field, and code that reads a config back with `pickle.loads(base64...)` or \
              `exec` turns it into a code-execution channel that scanners which only check \
              the tensor layout never look at.",
        example: "__metadata__ 'config' holds a base64-encoded pickle (61 bytes)",
        fix: "Find out which code reads this metadata key and how; strip the key \
              (re-save with plain string metadata), or do not use the file.",
        references: &["https://huggingface.co/docs/safetensors/metadata_parsing"],
    },
};
