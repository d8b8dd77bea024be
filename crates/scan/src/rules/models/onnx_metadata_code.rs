//! AIG157: ONNX metadata or doc strings that carry Python code.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG157",
    name: "onnx-metadata-code",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#2"],
    summary: "ONNX metadata, doc string or string attribute holds Python code that runs commands",
    docs: RuleDocs {
        what: "Fires when a `metadata_props` value, a doc string or a string attribute \
               contains Python that imports or calls code-execution functions: \
               `__import__(`, `os.system(`, `subprocess.`, `exec(`/`eval(` as calls, \
               `marshal.loads(`, `__builtins__`, `__subclasses__`. Method calls such as \
               `model.eval()` do not count.",
        why: "Code in model metadata is there to be `exec`-ed by a loader script or a \
              pre/post-processing hook; a model that carries it asks its user to run code.",
        example: "metadata_props['postprocess'] contains __import__('os').system(...)",
        fix: "Keep code out of model files; ship reviewed code in your own repository.",
        references: &[],
    },
};
