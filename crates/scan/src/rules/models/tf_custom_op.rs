//! AIG170: TensorFlow graph uses an op outside the standard op set.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG170",
    name: "tf-custom-op",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "TensorFlow graph uses an op outside the standard op set",
    docs: RuleDocs {
        what: "Fires on a node of a SavedModel, frozen GraphDef or their function library whose op is neither a standard TensorFlow op (the list in `data/tensorflow/ops.txt`, taken from TensorFlow's generated op wrappers) nor a function the graph defines.",
        why: "A custom op is native code from a shared library (`tf.load_op_library`) that the loader must provide; the graph runs it with the model's inputs. Review where that library comes from before serving the model.",
        example: "node 'custom/Decode' runs op 'MyCompany>FastDecode'",
        fix: "Ship and review the op library with the model, or rebuild the model from standard ops.",
        references: &["https://www.tensorflow.org/guide/create_op"],
    },
};
