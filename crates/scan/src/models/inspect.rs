//! `aigis model inspect`: what a model file contains — format, container
//! members, every import with how it is used and how the policy judges it,
//! tensor-like entries, and for tensor files (safetensors, GGUF) the header:
//! tensors, metadata, chat templates; ONNX and TFLite operators — gathered by
//! the same code paths as `scan`.

use crate::policy::{Judgement, Policy};
use aigis_findings::{Finding, Location, Verdict};
use aigis_pickle::{Analysis, Callee, Stop};
use serde::Serialize;

/// One member of a container (zip entry, tar member, decompressed stream).
#[derive(Clone, Debug, Serialize)]
pub struct MemberInfo {
    pub location: String,
    pub size: u64,
    /// What the member's content was recognised as (`pickle`, `data`, ...).
    pub kind: String,
}

/// One imported global, merged over the pickle.
#[derive(Clone, Debug, Serialize)]
pub struct ImportInfo {
    pub name: String,
    /// How it is used: called, constructed, patched, referenced.
    pub uses: Vec<&'static str>,
    pub calls: usize,
    pub first_offset: u64,
    /// `allowed (pytorch)`, `trusted`, `denied (exec)`, `unknown`.
    pub policy: String,
}

/// One pickle (a file, a member, or a nested payload).
#[derive(Clone, Debug, Serialize)]
pub struct PickleInfo {
    pub location: String,
    pub protocol: u8,
    pub streams: usize,
    pub opcodes: u64,
    pub imports: Vec<ImportInfo>,
    pub calls: usize,
    /// Persistent ids (PyTorch storages).
    pub persistent_ids: u64,
    /// Calls that rebuild tensors or arrays (`_rebuild_tensor_v2`, `_reconstruct`, ...).
    pub tensor_like: usize,
    /// `complete`, or why analysis stopped.
    pub end: String,
}

/// Most tensors listed for a tensor file; the count says how many there are.
pub const MAX_LISTED_TENSORS: usize = 100;
/// Most metadata entries listed.
pub const MAX_LISTED_METADATA: usize = 200;
/// Characters of a metadata value shown.
pub const MAX_VALUE_CHARS: usize = 160;
/// Characters of a chat template shown.
pub const MAX_TEMPLATE_CHARS: usize = 64 * 1024;

/// One tensor declared by a tensor file's header.
#[derive(Clone, Debug, Serialize)]
pub struct TensorEntry {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<u64>,
    /// Absolute byte offset of the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

/// One metadata entry (value shortened).
#[derive(Clone, Debug, Serialize)]
pub struct MetadataEntry {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// One chat template (text shortened past [`MAX_TEMPLATE_CHARS`]).
#[derive(Clone, Debug, Serialize)]
pub struct TemplateEntry {
    pub key: String,
    pub bytes: usize,
    pub text: String,
}

/// A fact about the file's header (`version`, `byte order`, ...).
#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    pub name: &'static str,
    pub value: String,
}

/// What a tensor file's header declares.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TensorFileInfo {
    pub facts: Vec<Fact>,
    /// The format keeps tensors where the scan does not look (HDF5 datasets).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub tensors_not_read: bool,
    pub tensor_count: u64,
    /// The first [`MAX_LISTED_TENSORS`].
    pub tensors: Vec<TensorEntry>,
    pub metadata_count: u64,
    /// The first [`MAX_LISTED_METADATA`].
    pub metadata: Vec<MetadataEntry>,
    pub templates: Vec<TemplateEntry>,
}

impl TensorFileInfo {
    pub(crate) fn fact(&mut self, name: &'static str, value: impl ToString) {
        self.facts.push(Fact {
            name,
            value: value.to_string(),
        });
    }
}

/// At most `max` characters of `s`, control characters (newlines too) escaped.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// At most `max` characters of `s`, as they are.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", s.get(..at).unwrap_or(s)),
        None => s.to_string(),
    }
}

/// Everything `aigis model inspect` shows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Inspection {
    pub path: String,
    pub format: String,
    pub verdict: Option<Verdict>,
    pub members: Vec<MemberInfo>,
    pub pickles: Vec<PickleInfo>,
    /// Keras configs (`.keras` archives), one per config read.
    pub keras: Vec<KerasInfo>,
    /// TensorFlow graphs: op name and how many nodes run it.
    pub tf_ops: Vec<(String, usize)>,
    /// The header of a safetensors or GGUF file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tensor_file: Option<TensorFileInfo>,
    /// ONNX models (the file, or members of a container).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub onnx: Vec<OnnxInfo>,
    /// TFLite models (the file, or members of a container).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tflite: Vec<TfliteInfo>,
    pub findings: Vec<Finding>,
}

/// Most objects listed per Keras config.
pub const MAX_KERAS_OBJECTS: usize = 10_000;

/// What a Keras config builds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct KerasInfo {
    pub location: String,
    /// Every object with a `class_name`, in config order.
    pub objects: Vec<KerasObject>,
    /// Objects past [`MAX_KERAS_OBJECTS`], counted only.
    pub objects_dropped: usize,
    pub lambdas: Vec<LambdaInfo>,
}

/// One object of a Keras config.
#[derive(Clone, Debug, Serialize)]
pub struct KerasObject {
    pub path: String,
    pub class_name: String,
    pub module: Option<String>,
    /// The layer (or other named object) it belongs to.
    pub name: String,
}

/// A Lambda function's statically decoded bytecode.
#[derive(Clone, Debug, Serialize)]
pub struct LambdaInfo {
    pub path: String,
    pub layer: String,
    /// `co_name`, or why the bytecode could not be read.
    pub code: String,
    pub names: Vec<String>,
    pub constants: Vec<String>,
}

/// One ONNX model: header, operators, tensors, external data, metadata.
#[derive(Clone, Debug, Serialize)]
pub struct OnnxInfo {
    pub location: String,
    pub ir_version: i64,
    /// `producer_name producer_version`, e.g. `pytorch 2.4.0`.
    pub producer: String,
    pub model_version: i64,
    pub opsets: Vec<OpsetInfo>,
    /// Graphs walked: main, subgraphs, training graphs, functions.
    pub graphs: usize,
    pub nodes: usize,
    /// Operator histogram, most used first.
    pub ops: Vec<OpCount>,
    pub domains: Vec<DomainInfo>,
    /// Model-local functions, `domain:name`.
    pub functions: Vec<String>,
    pub initializers: usize,
    /// Bytes the initializers' dims and types declare.
    pub initializer_bytes: u64,
    pub external_initializers: usize,
    /// Tensor contents stored in the model file itself.
    pub inline_tensor_bytes: u64,
    pub external_data: Vec<ExternalInfo>,
    /// `metadata_props` (values cut for display).
    pub metadata: Vec<TextEntry>,
    pub doc_string: String,
}

/// An imported opset.
#[derive(Clone, Debug, Serialize)]
pub struct OpsetInfo {
    pub domain: String,
    pub version: i64,
}

/// How often an operator is used, and how aigis classifies it.
#[derive(Clone, Debug, Serialize)]
pub struct OpCount {
    pub domain: String,
    pub op_type: String,
    pub count: usize,
    /// `standard`, `runtime contrib`, `model-local function`,
    /// `not an ONNX operator`, `custom domain`, `python`.
    pub status: &'static str,
}

/// Nodes per operator domain.
#[derive(Clone, Debug, Serialize)]
pub struct DomainInfo {
    pub domain: String,
    pub nodes: usize,
    /// `onnx standard`, `onnxruntime contrib operators`, `custom`, ...
    pub note: &'static str,
}

/// One external data file.
#[derive(Clone, Debug, Serialize)]
pub struct ExternalInfo {
    pub location: String,
    pub tensors: usize,
    /// Bytes the tensors' ranges cover (their `length`, or dims and type).
    pub bytes: u64,
    /// `ok`, `not checked (...)`, or what is wrong.
    pub status: String,
}

/// One TFLite model: operator codes and their use, subgraphs, metadata.
#[derive(Clone, Debug, Serialize)]
pub struct TfliteInfo {
    pub location: String,
    /// `Model.version` (3 for every current converter).
    pub schema_version: u32,
    pub description: String,
    pub operator_codes: Vec<TfliteCode>,
    pub subgraphs: Vec<TfliteSubgraph>,
    pub metadata: Vec<TfliteMetadata>,
    pub buffers: usize,
    /// Bytes of buffers inside the FlatBuffer.
    pub inline_buffer_bytes: u64,
    /// Bytes of buffers after it, by offset (models over 2 GB).
    pub external_buffer_bytes: u64,
    pub signatures: u64,
    /// `complete`, or why reading stopped.
    pub end: String,
}

/// One operator code and how many operators use it.
#[derive(Clone, Debug, Serialize)]
pub struct TfliteCode {
    pub index: usize,
    /// The builtin operator's name, or the custom code.
    pub name: String,
    pub builtin_code: i32,
    pub version: i32,
    pub operators: usize,
    /// `builtin`, `custom`, `flex: TensorFlow op`, `not a builtin operator`, ...
    pub status: &'static str,
}

/// One subgraph.
#[derive(Clone, Debug, Serialize)]
pub struct TfliteSubgraph {
    pub name: String,
    pub tensors: u64,
    pub operators: usize,
}

/// One `Model.metadata` entry.
#[derive(Clone, Debug, Serialize)]
pub struct TfliteMetadata {
    pub name: String,
    pub buffer: u32,
    /// The size of the buffer it names, when that buffer exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

/// A key and a value shown as text.
#[derive(Clone, Debug, Serialize)]
pub struct TextEntry {
    pub key: String,
    pub value: String,
}

pub(crate) fn pickle_info(
    a: &Analysis,
    policy: &Policy,
    loc: &Location,
    torchscript: bool,
) -> PickleInfo {
    let mut calls_per = vec![0usize; a.imports.len()];
    let mut tensor_like = 0;
    for c in &a.calls {
        if let Callee::Import(i) = c.callee {
            if let Some(n) = calls_per.get_mut(i) {
                *n += 1;
            }
            if a.imports.get(i).is_some_and(|imp| {
                let last = imp.name.rsplit('.').next().unwrap_or("");
                last.starts_with("_rebuild") || last == "_reconstruct"
            }) {
                tensor_like += 1;
            }
        }
    }
    let imports = a
        .imports
        .iter()
        .enumerate()
        .map(|(i, imp)| {
            let mut uses = Vec::new();
            for (flag, word) in [
                (imp.uses.called, "called"),
                (imp.uses.constructed, "constructed"),
                (imp.uses.build_target, "patched"),
                (imp.uses.referenced, "referenced"),
            ] {
                if flag {
                    uses.push(word);
                }
            }
            let policy = match policy.judge(&imp.module, &imp.name, torchscript) {
                Judgement::Allowed { profile } => format!("allowed ({profile})"),
                Judgement::Trusted => "trusted".into(),
                Judgement::Denied { category, .. } => format!("denied ({})", category.describe()),
                Judgement::Unknown => "unknown".into(),
            };
            ImportInfo {
                name: format!("{}.{}", imp.module, imp.name),
                uses,
                calls: calls_per.get(i).copied().unwrap_or(0),
                first_offset: imp.offset,
                policy,
            }
        })
        .collect();
    PickleInfo {
        location: loc.display(),
        protocol: a.streams.iter().map(|s| s.protocol).max().unwrap_or(0),
        streams: a.streams.len(),
        opcodes: a.opcodes,
        imports,
        calls: a.calls.len(),
        persistent_ids: a.persistent_id_count,
        tensor_like,
        end: match &a.stop {
            Stop::Complete => "complete".into(),
            other => super::judge::stop_reason(other).unwrap_or_default(),
        },
    }
}
