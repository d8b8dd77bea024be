//! AIG171: TensorFlow graph reads, writes or lists files.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG171",
    name: "tf-file-op",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#2", "002#5"],
    summary: "TensorFlow graph reads, writes or lists files",
    docs: RuleDocs {
        what: "Fires on nodes whose op touches the file system from inside the graph: ReadFile, WriteFile, MatchingFiles, DeleteFile-style ops, file readers and record datasets, text-file lookup-table initialisers, ImmutableConst, summary and debug writers; and on checkpoint Save/Restore ops whose path is fixed in the graph and leaves the model's directory.",
        why: "Ops run wherever the model is served: a graph can read `/etc/passwd` or a credentials file and return it as an output, or write files on the server. Checkpoint ops (SaveV2, RestoreV2, MergeV2Checkpoints, ...) are reported only when their path is a constant of the graph (directly, through Identity, or joined by StringJoin) that is absolute, climbs out with `..`, starts at `~` or is a URL: savers normally take the path from a placeholder the loader feeds.",
        example: "node 'leak' runs op 'ReadFile'",
        fix: "Remove file access from the serving graph; feed data through inputs.",
        references: &["https://github.com/tensorflow/tensorflow/blob/master/SECURITY.md"],
    },
};
