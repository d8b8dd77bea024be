//! Keras 3 `.keras` archives: the model config judged without Keras.
//!
//! A `.keras` file is a zip of `config.json` (the model as nested
//! `{module, class_name, config, registered_name}` objects), `metadata.json`
//! and `model.weights.h5`. Keras rebuilds the model by importing every
//! `module` and calling what `class_name` names, so the config is code:
//!
//! - names outside Keras' namespaces are custom code (AIG160) or, when the
//!   pickle policy's denylist knows them, gadgets (AIG163); Keras' own
//!   download / nested-load / unsafe-mode functions are gadgets too;
//! - Lambda functions are marshalled bytecode: decoded statically, their
//!   names and constants are listed (AIG161) and judged (AIG162);
//! - `TorchModuleWrapper` embeds a `torch.save` pickle: it is decoded and
//!   scanned like any PyTorch file (AIG164 plus what that scan finds);
//! - code shipped as archive members is reported (AIG165).
//!
//! [`scan_config`] judges a parsed config and is shared with other carriers
//! of Keras configs (HDF5 `model_config`).

use super::inspect::{KerasInfo, KerasObject, LambdaInfo, MAX_KERAS_OBJECTS};
use super::{ModelScanner, inconclusive};
use crate::policy::Judgement;
use crate::rules::models::{
    keras_dangerous_callable, keras_embedded_code, keras_external_callable, keras_lambda_dangerous,
    keras_lambda_layer, keras_torch_module_wrapper,
};
use aigis_findings::{Finding, Location};
use aigis_formats::marshal;
use aigis_formats::zip::Archive;
use base64::Engine;
use serde_json::Value;

/// Largest `config.json` read.
pub const MAX_CONFIG: u64 = 64 << 20;
/// JSON values visited in one config.
pub const MAX_NODES: usize = 2_000_000;
/// Base64 text decoded for one embedded payload (Lambda code, wrapped module).
pub const MAX_EMBEDDED: usize = 512 << 20;

/// Module prefixes that are Keras' own (and its official libraries').
const KERAS_NAMESPACES: &[&str] = &[
    "keras",
    "tf_keras",
    "tensorflow.keras",
    "tensorflow.python.keras",
    "keras_hub",
    "keras_nlp",
    "keras_cv",
];

/// Keras functions that act on the host when a config names them.
const KERAS_GADGETS: &[(&str, &str)] = &[
    // CVE-2025-8747: writes downloaded files where the config says.
    ("get_file", "downloads a file to a path the config chooses"),
    // CVE-2025-9905/9906: turns safe mode off from inside the config.
    (
        "enable_unsafe_deserialization",
        "turns Keras safe mode off for the rest of the load",
    ),
    ("load_model", "loads a nested model from a path or URL"),
    (
        "load_weights",
        "loads weights from a path the config chooses",
    ),
    ("save_model", "writes files while loading"),
    ("save", "writes files while loading"),
    ("func_load", "unmarshals Python bytecode"),
];

/// Names in Lambda bytecode that mean commands, imports, code or I/O.
const DANGEROUS_CODE_NAMES: &[&str] = &[
    "os",
    "posix",
    "nt",
    "system",
    "popen",
    "spawn",
    "spawnv",
    "execv",
    "execve",
    "subprocess",
    "Popen",
    "check_output",
    "check_call",
    "getoutput",
    "getstatusoutput",
    "pty",
    "eval",
    "exec",
    "execfile",
    "compile",
    "__import__",
    "importlib",
    "import_module",
    "__builtins__",
    "builtins",
    "__globals__",
    "__subclasses__",
    "__code__",
    "open",
    "socket",
    "urllib",
    "urlopen",
    "urlretrieve",
    "requests",
    "shutil",
    "rmtree",
    "ctypes",
    "CDLL",
    "marshal",
    "pickle",
    "breakpoint",
    "webbrowser",
];

/// `.keras` archive: `config.json` at the root, with `metadata.json` or the
/// weights file beside it.
pub fn is_keras(archive: &Archive<'_>) -> bool {
    let has = |n: &str| archive.entries().iter().any(|e| e.name == n);
    has("config.json") && (has("metadata.json") || has("model.weights.h5"))
}

/// Scan the Keras-specific parts of a `.keras` archive (members are scanned
/// by the caller like any zip's).
pub fn scan_archive(
    s: &ModelScanner<'_>,
    archive: &Archive<'_>,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    for e in archive.entries() {
        let head = super::containers::member_head(archive, e).unwrap_or_default();
        if let Some(what) = code_member(&e.name, &head) {
            out.push(
                Finding::new(
                    &keras_embedded_code::RULE,
                    loc.member(e.name.clone()),
                    format!("{} is {what}", e.name),
                    &e.name,
                )
                .with_evidence(format!("{} ({} bytes)", e.name, e.uncompressed_size)),
            );
        }
    }
    let Some(entry) = archive.entries().iter().find(|e| e.name == "config.json") else {
        return;
    };
    let cloc = loc.member("config.json");
    if entry.uncompressed_size > MAX_CONFIG {
        out.push(inconclusive(
            &cloc,
            "config.json is larger than the config limit",
        ));
        return;
    }
    let text = match archive.read(entry, MAX_CONFIG) {
        Ok(t) => t,
        Err(e) => {
            out.push(inconclusive(
                &cloc,
                &format!("config.json cannot be read: {e}"),
            ));
            return;
        }
    };
    match serde_json::from_slice::<Value>(&text) {
        Ok(v) => scan_config(s, &v, &cloc, depth, out),
        Err(e) => out.push(inconclusive(
            &cloc,
            &format!("config.json is not valid JSON: {e}"),
        )),
    }
}

/// What a member is when it is code.
fn code_member(name: &str, head: &[u8]) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let by_name = [
        (".py", "Python source"),
        (".pyc", "Python bytecode"),
        (".so", "a native library"),
        (".dll", "a native library"),
        (".dylib", "a native library"),
        (".exe", "an executable"),
        (".sh", "a shell script"),
        (".bat", "a batch script"),
    ];
    if let Some((_, what)) = by_name.iter().find(|(ext, _)| lower.ends_with(ext)) {
        return Some(what);
    }
    match head {
        [0x7f, b'E', b'L', b'F', ..] => Some("an ELF executable"),
        [b'M', b'Z', ..] => Some("a Windows executable"),
        [0xcf, 0xfa, 0xed, 0xfe, ..] | [0xce, 0xfa, 0xed, 0xfe, ..] => Some("a Mach-O executable"),
        [b'#', b'!', ..] => Some("a script"),
        _ => None,
    }
}

fn in_keras(module: &str) -> bool {
    KERAS_NAMESPACES.iter().any(|ns| {
        module == *ns
            || module
                .strip_prefix(ns)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Judge every object of a Keras config.
pub fn scan_config(
    s: &ModelScanner<'_>,
    root: &Value,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    s.record_with(|ins| {
        ins.keras.push(KerasInfo {
            location: loc.display(),
            ..KerasInfo::default()
        });
    });
    // (value, JSON path, name of the innermost enclosing named object)
    let mut stack: Vec<(&Value, String, &str)> = vec![(root, "config".to_string(), "")];
    let mut visited = 0usize;
    while let Some((v, path, outer)) = stack.pop() {
        visited += 1;
        if visited > MAX_NODES {
            out.push(inconclusive(
                loc,
                "Keras config has more values than the node limit",
            ));
            return;
        }
        match v {
            Value::Object(map) => {
                let named = map
                    .get("config")
                    .and_then(|c| c.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or(outer);
                if map.get("class_name").and_then(Value::as_str).is_some() {
                    judge_object(s, map, &path, named, loc, depth, out);
                }
                for (k, child) in map.iter().rev() {
                    if matches!(child, Value::Object(_) | Value::Array(_)) {
                        stack.push((child, format!("{path}.{k}"), named));
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate().rev() {
                    if matches!(child, Value::Object(_) | Value::Array(_)) {
                        stack.push((child, format!("{path}[{i}]"), outer));
                    }
                }
            }
            _ => {}
        }
    }
}

type Map = serde_json::Map<String, Value>;

fn judge_object(
    s: &ModelScanner<'_>,
    map: &Map,
    path: &str,
    layer: &str,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    let class = map.get("class_name").and_then(Value::as_str).unwrap_or("");
    let module = map.get("module").and_then(Value::as_str);
    let registered = map.get("registered_name").and_then(Value::as_str);
    let config = map.get("config");
    s.record_with(|ins| {
        if let Some(k) = ins.keras.last_mut() {
            if k.objects.len() < MAX_KERAS_OBJECTS {
                k.objects.push(KerasObject {
                    path: path.to_string(),
                    class_name: class.to_string(),
                    module: module.map(str::to_string),
                    name: layer.to_string(),
                });
            } else {
                k.objects_dropped += 1;
            }
        }
    });
    match class {
        "__lambda__" => {
            // Keras 3 Lambda layers write `config.code`; serialize_keras_object
            // of a bare lambda writes `config.value` = [code, defaults, closure].
            let value = config.and_then(|c| c.get("code").or_else(|| c.get("value")));
            lambda(s, value, layer, path, loc, out);
            return;
        }
        "Lambda" => {
            let c = config.and_then(Value::as_object);
            let ftype = c
                .and_then(|c| c.get("function_type"))
                .and_then(Value::as_str);
            let function = c.and_then(|c| c.get("function"));
            match (ftype, function) {
                // tf.keras: [code_b64, defaults, closure] with function_type "lambda".
                (Some("lambda"), Some(f)) => lambda(s, Some(f), layer, path, loc, out),
                // tf.keras: a named function in `module`.
                (Some("function"), Some(Value::String(f))) => {
                    let m = c
                        .and_then(|c| c.get("module"))
                        .and_then(Value::as_str)
                        .unwrap_or("__main__");
                    callable(s, m, f, &format!("{path}.config.function"), loc, out);
                }
                _ => {}
            }
        }
        "TorchModuleWrapper" => {
            torch_wrapper(s, config, layer, path, loc, depth, out);
        }
        _ => {}
    }
    if class.starts_with("__") && class.ends_with("__") {
        // Keras' own encodings of Python values (__tuple__, __numpy__, ...).
        return;
    }
    let name = if class == "function" {
        config.and_then(Value::as_str).unwrap_or(class)
    } else {
        class
    };
    match (module, registered) {
        (Some(m), _) => callable(s, m, name, path, loc, out),
        (None, Some(r)) if !r.is_empty() && r != class && r != "function" => {
            // A registered custom object: `package>Name`.
            let (pkg, n) = r.split_once('>').unwrap_or((r, class));
            if !in_keras(pkg) {
                callable(s, pkg, n, path, loc, out);
            }
        }
        _ => {}
    }
}

/// A `module` + name the config makes Keras import and call.
fn callable(
    s: &ModelScanner<'_>,
    module: &str,
    name: &str,
    path: &str,
    loc: &Location,
    out: &mut Vec<Finding>,
) {
    let key = format!("{module}.{name}");
    let evidence = format!("{path}: module '{module}', name '{name}'");
    if in_keras(module) {
        if let Some((_, why)) = KERAS_GADGETS.iter().find(|(g, _)| *g == name) {
            out.push(
                Finding::new(
                    &keras_dangerous_callable::RULE,
                    loc.clone(),
                    format!("the config makes Keras call {key}, which {why}"),
                    &key,
                )
                .with_evidence(evidence),
            );
        }
        return;
    }
    match s.policy.judge(module, name, false) {
        Judgement::Trusted => {}
        Judgement::Denied { category, .. } => out.push(
            Finding::new(
                &keras_dangerous_callable::RULE,
                loc.clone(),
                format!(
                    "the config makes Keras import {key}: a known gadget that {}",
                    category.describe()
                ),
                &key,
            )
            .with_evidence(evidence),
        ),
        Judgement::Allowed { .. } | Judgement::Unknown => out.push(
            Finding::new(
                &keras_external_callable::RULE,
                loc.clone(),
                format!("the config makes Keras import {key}, outside Keras"),
                &key,
            )
            .with_evidence(evidence),
        ),
    }
}

/// Base64 text as bytes (newlines allowed, as Keras writes them).
fn unbase64(text: &str) -> Option<Vec<u8>> {
    if text.len() > MAX_EMBEDDED {
        return None;
    }
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

/// A Lambda function: `[code_b64, defaults, closure]` or the code string.
fn lambda(
    s: &ModelScanner<'_>,
    value: Option<&Value>,
    layer: &str,
    path: &str,
    loc: &Location,
    out: &mut Vec<Finding>,
) {
    let code_text = match value {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        _ => None,
    };
    let label = if layer.is_empty() { "(unnamed)" } else { layer };
    let key = format!("lambda:{path}");
    let Some(text) = code_text else {
        out.push(
            Finding::new(
                &keras_lambda_layer::RULE,
                loc.clone(),
                format!("Lambda layer '{label}' carries a function aigis cannot read"),
                &key,
            )
            .with_evidence(format!("{path}: no bytecode string")),
        );
        return;
    };
    let decoded = unbase64(text).ok_or_else(|| "not base64".to_string());
    let code = decoded.and_then(|b| marshal::read_code(&b).map_err(|e| e.to_string()));
    let code = match code {
        Ok((_, c)) => c,
        Err(e) => {
            record_lambda(
                s,
                path,
                label,
                format!("unreadable: {e}"),
                Vec::new(),
                Vec::new(),
            );
            out.push(
                Finding::new(
                    &keras_lambda_layer::RULE,
                    loc.clone(),
                    format!("Lambda layer '{label}' carries bytecode aigis cannot decode: {e}"),
                    &key,
                )
                .with_evidence(format!("{path}: {} base64 characters", text.len())),
            );
            out.push(inconclusive(
                loc,
                &format!("Lambda layer '{label}' bytecode cannot be decoded: {e}"),
            ));
            return;
        }
    };
    let names = code.all_names();
    let strings = code.all_strings();
    record_lambda(
        s,
        path,
        label,
        code.name.clone(),
        names.clone(),
        strings.clone(),
    );
    let mut bad: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .chain(strings.iter().map(String::as_str))
        .filter(|n| DANGEROUS_CODE_NAMES.contains(n))
        .collect();
    bad.dedup();
    let evidence = format!(
        "{path}: bytecode of {} using names {:?}; constants {:?}",
        code.name,
        names,
        strings.iter().map(|s| clip(s, 120)).collect::<Vec<_>>()
    );
    let (rule, msg) = if bad.is_empty() {
        (
            &keras_lambda_layer::RULE,
            format!("Lambda layer '{label}' carries Python bytecode that runs on load"),
        )
    } else {
        (
            &keras_lambda_dangerous::RULE,
            format!("Lambda layer '{label}' bytecode uses {}", bad.join(", ")),
        )
    };
    out.push(Finding::new(rule, loc.clone(), msg, &key).with_evidence(evidence));
}

fn record_lambda(
    s: &ModelScanner<'_>,
    path: &str,
    layer: &str,
    code: String,
    names: Vec<String>,
    constants: Vec<String>,
) {
    s.record_with(|ins| {
        if let Some(k) = ins.keras.last_mut() {
            k.lambdas.push(LambdaInfo {
                path: path.to_string(),
                layer: layer.to_string(),
                code,
                names,
                constants,
            });
        }
    });
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max).collect();
    format!("{head}…")
}

/// `TorchModuleWrapper`: `config.module` is base64 of `torch.save(module)`.
fn torch_wrapper(
    s: &ModelScanner<'_>,
    config: Option<&Value>,
    layer: &str,
    path: &str,
    loc: &Location,
    depth: u32,
    out: &mut Vec<Finding>,
) {
    let text = config.and_then(|c| c.get("module")).and_then(Value::as_str);
    let key = format!("torch-wrapper:{path}");
    let Some(text) = text else {
        return;
    };
    let Some(bytes) = unbase64(text) else {
        out.push(inconclusive(
            loc,
            &format!("TorchModuleWrapper '{layer}' payload is not base64"),
        ));
        return;
    };
    out.push(
        Finding::new(
            &keras_torch_module_wrapper::RULE,
            loc.clone(),
            format!(
                "TorchModuleWrapper '{layer}' embeds a pickled PyTorch module ({} bytes) loaded with full unpickling",
                bytes.len()
            ),
            &key,
        )
        .with_evidence(format!("{path}.config.module")),
    );
    let inner = loc.member(format!("<{path}.config.module>"));
    if s.scan_blob(&bytes, &inner, depth + 1, false, out).is_none() {
        out.push(inconclusive(
            &inner,
            "TorchModuleWrapper payload is not a format aigis can analyse",
        ));
    }
}

#[cfg(test)]
mod tests;
