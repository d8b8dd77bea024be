//! AIG156: ONNX metadata or doc strings that carry a pickle.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG156",
    name: "onnx-metadata-pickle",
    domain: Domain::Models,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#2"],
    summary: "ONNX metadata, doc string or string attribute holds a pickle (raw or base64)",
    docs: RuleDocs {
        what: "Fires when a `metadata_props` value, a doc string or a string attribute of the \
               model is a pickle: raw bytes starting with a PROTO opcode, a protocol 0 pickle \
               that imports a name, or base64 of either. The pickle is then scanned like any \
               other, so a payload in it fires the pickle rules too (e.g. AIG101).",
        why: "ONNX runtimes never unpickle metadata, but the code around them does: \
              configuration and preprocessing objects smuggled through `metadata_props` are \
              `pickle.loads`-ed by the loader script, running whatever they name.",
        example: "metadata_props['config'] is a base64 pickle (protocol 4, 61 bytes)",
        fix: "Store configuration as JSON in metadata; never unpickle model metadata.",
        references: &["https://onnx.ai/onnx/api/helper.html#onnx.helper.set_model_props"],
    },
};
