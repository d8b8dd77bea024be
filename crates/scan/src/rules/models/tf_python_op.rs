//! AIG172: TensorFlow graph calls back into Python (PyFunc).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG172",
    name: "tf-python-op",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "TensorFlow graph calls back into Python (PyFunc)",
    docs: RuleDocs {
        what: "Fires on PyFunc, PyFuncStateless and EagerPyFunc nodes (`tf.py_function`, `tf.numpy_function`). The node names a Python function by token; the function itself lives in the process that loads the model.",
        why: "Such a graph only runs with Python code the loader registers; a model that needs it is not self-contained and hides logic from any review of the file.",
        example: "node 'pyfunc' runs op 'EagerPyFunc' (token 'pyfunc_3')",
        fix: "Replace the Python callback with TensorFlow ops before exporting.",
        references: &["https://www.tensorflow.org/api_docs/python/tf/py_function"],
    },
};
