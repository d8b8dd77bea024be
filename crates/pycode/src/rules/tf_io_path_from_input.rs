//! AIG211: TensorFlow file I/O on a path from a parameter or request.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG211",
    name: "tf-io-path-from-input",
    domain: Domain::Code,
    severity: Severity::Medium,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "000#9"],
    summary: "TensorFlow file I/O on a path from a parameter or request",
    docs: RuleDocs {
        what: "Fires on `tf.io.read_file`, `tf.io.write_file` and `tf.io.gfile.*` when a path argument mentions a parameter of the enclosing function or request data (`request.*`).",
        why: "`tf.io` and `gfile` reach local files and remote file systems (gs://, s3://, hdfs://); a path chosen by the caller reads or overwrites any file the server can.",
        example: "def load(path):\n    return tf.io.read_file(path)",
        fix: "Resolve the path against a fixed base directory and refuse anything outside it, or map ids to paths on the server.",
        references: &["https://www.tensorflow.org/api_docs/python/tf/io/read_file"],
    },
};
