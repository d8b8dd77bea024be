//! ML frameworks: Keras Lambda layers and unsafe loading, TensorFlow file
//! I/O on caller data, native op libraries, remote code and unpinned
//! Hugging Face downloads.

use super::{Hit, split};
use crate::model::Call;
use crate::rules::{
    hf_download_unpinned_revision, keras_lambda_layer_in_code, keras_load_model_unsafe_mode,
    keras_unsafe_deserialization_enabled, native_op_library_load, tf_io_path_from_input,
    trust_remote_code_enabled,
};

/// Roots under which Keras lives (`tensorflow.keras`, standalone `keras`, `tf_keras`).
const KERAS_ROOTS: &[&str] = &[
    "keras.",
    "tensorflow.keras.",
    "tf_keras.",
    "tensorflow.python.keras.",
];
const NATIVE_LOADERS: &[&str] = &[
    "tensorflow.load_op_library",
    "tensorflow.load_library",
    "torch.ops.load_library",
    "torch.classes.load_library",
];
/// Keyword names that carry a path for `tf.io` functions.
const PATH_KEYWORDS: &[&str] = &[
    "filename", "path", "name", "src", "dst", "oldname", "newname", "pattern", "dirname",
];
pub(crate) const HF_DOWNLOADS: &[&str] = &[
    "from_pretrained",
    "hf_hub_download",
    "snapshot_download",
    "load_dataset",
];
/// Shortest hex string taken as a commit hash.
const MIN_COMMIT_HEX: usize = 7;

fn is_keras(callee: &str) -> bool {
    KERAS_ROOTS.iter().any(|r| callee.starts_with(r))
}

pub(super) fn check(call: &Call, out: &mut Vec<Hit>) {
    let callee = call.callee.as_str();
    let method = split(callee).1;
    keras(call, callee, method, out);
    tf_io(call, out);
    if NATIVE_LOADERS.contains(&callee) || method == "register_custom_ops_library" {
        let msg = format!(
            "{callee} loads a native shared library into the process: its code runs with full privileges"
        );
        out.push(Hit::at(&native_op_library_load::RULE, call, msg, callee));
    }
    if call
        .keyword("trust_remote_code")
        .is_some_and(|v| v.is_true())
    {
        let msg = format!(
            "{callee}(trust_remote_code=True) downloads and runs Python code from the model repository"
        );
        out.push(Hit::at(
            &trust_remote_code_enabled::RULE,
            call,
            msg,
            format!("{method}(trust_remote_code=True)"),
        ));
    }
    if HF_DOWNLOADS.contains(&method) {
        hf_revision(call, method, out);
    }
}

fn tf_io(call: &Call, out: &mut Vec<Hit>) {
    let callee = call.callee.as_str();
    let io = matches!(
        callee,
        "tensorflow.io.read_file" | "tensorflow.io.write_file"
    ) || callee.starts_with("tensorflow.io.gfile.")
        || callee.starts_with("tensorflow.gfile.");
    if !io {
        return;
    }
    let positional = call.positionals().take(2).any(|a| a.tainted);
    let keyword = call
        .keywords
        .iter()
        .any(|(k, v)| PATH_KEYWORDS.contains(k) && v.get().tainted);
    if positional || keyword {
        let msg = format!(
            "{callee} on a path that comes from a function parameter or request data: callers can read or write any file the server can"
        );
        out.push(Hit::at(&tf_io_path_from_input::RULE, call, msg, callee));
    }
}

/// Only literal Hub ids (`org/name`) are judged: ids from variables are often local paths.
fn hf_revision(call: &Call, method: &str, out: &mut Vec<Hit>) {
    let repo = call
        .arg(0, "repo_id")
        .or_else(|| call.keyword("pretrained_model_name_or_path"));
    let Some(repo) = repo.and_then(|r| r.as_str()) else {
        return;
    };
    if !looks_like_hub_id(repo) {
        return;
    }
    let msg = match call.keyword("revision") {
        None if call.splat => return,
        None => format!(
            "{method}('{repo}') without revision=: the download follows the default branch, which its owner can change"
        ),
        Some(v) => match v.as_str() {
            Some(rev) if is_commit(rev) => return,
            Some(rev) => format!(
                "{method}('{repo}', revision='{rev}'): a branch or tag can move; pin a commit hash"
            ),
            None => return,
        },
    };
    out.push(Hit::at(
        &hf_download_unpinned_revision::RULE,
        call,
        msg,
        format!("{method}({repo})"),
    ));
}

fn looks_like_hub_id(s: &str) -> bool {
    let bad_start = s.starts_with(['.', '/', '~', '\\']) || s.contains(':');
    !bad_start && s.matches('/').count() == 1 && !s.ends_with('/')
}

fn is_commit(rev: &str) -> bool {
    rev.len() >= MIN_COMMIT_HEX && rev.len() <= 64 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

fn keras(call: &Call, callee: &str, method: &str, out: &mut Vec<Hit>) {
    if is_keras(callee)
        && (callee.ends_with(".layers.Lambda") || callee.ends_with(".layers.core.Lambda"))
    {
        let msg = "Keras Lambda layer: its Python function is serialised as bytecode into the saved model and runs wherever the model is loaded";
        out.push(Hit::at(
            &keras_lambda_layer_in_code::RULE,
            call,
            msg,
            callee,
        ));
    }
    if is_keras(callee)
        && method == "load_model"
        && call.keyword("safe_mode").is_some_and(|v| v.is_false())
    {
        let msg = format!(
            "{callee}(safe_mode=False) runs Lambda bytecode and arbitrary callables stored in the model"
        );
        out.push(Hit::at(
            &keras_load_model_unsafe_mode::RULE,
            call,
            msg,
            format!("{callee}(safe_mode=False)"),
        ));
    }
    if method == "enable_unsafe_deserialization"
        && (is_keras(callee) || callee == "enable_unsafe_deserialization")
    {
        let msg = "Keras unsafe deserialization enabled process-wide: every later load runs Lambda bytecode";
        out.push(Hit::at(
            &keras_unsafe_deserialization_enabled::RULE,
            call,
            msg,
            callee,
        ));
    }
}
