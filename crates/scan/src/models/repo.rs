//! Model repository folders (the Hugging Face layout).
//!
//! A repository is code as well as weights: `config.json` (and the tokenizer
//! and processor configs) can name Python modules of the repository through
//! `auto_map`, which `from_pretrained(..., trust_remote_code=True)` imports;
//! `tokenizer_config.json` and `chat_template.jinja` carry the chat
//! templates that render every prompt. These files are recognised by name
//! (JSON has no magic), and only when their content has the keys
//! Transformers writes.
//!
//! After every file of a scan is judged, [`summarize`] adds one summary per
//! repository folder: which weight files are in safe formats, which are
//! pickle-based, whether remote code is needed, and a loading recipe.

use super::{Outcome, inconclusive, payload, template};
use crate::rules::models::{
    model_repo_remote_code, model_repo_remote_code_other_repo, model_repo_summary,
    pickle_serialization,
};
use aigis_findings::{FileReport, Finding, Location};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest repository JSON file read.
pub const MAX_JSON: usize = 16 << 20;
/// Bytes of a referenced Python module read for its imports.
pub const MAX_MODULE_READ: u64 = 4 << 20;
/// Classes followed from one `auto_map`.
pub const MAX_REFERENCES: usize = 256;
/// File names listed per group in a summary.
const MAX_LISTED: usize = 8;

/// Format names of the repository files (also what [`summarize`] looks for).
pub const CONFIG_FORMAT: &str = "hf-config";
const TOKENIZER_FORMAT: &str = "hf-tokenizer-config";
const PROCESSOR_FORMAT: &str = "hf-processor-config";
const TEMPLATE_FORMAT: &str = "chat-template";

/// Keys that make a `config.json` a Transformers (or Diffusers) config.
const CONFIG_KEYS: &[&str] = &[
    "model_type",
    "architectures",
    "auto_map",
    "transformers_version",
    "_name_or_path",
    "_class_name",
    "custom_pipelines",
];

/// Weight formats that carry tensors only.
const SAFE_FORMATS: &[&str] = &["safetensors", "gguf", "onnx"];
/// Formats whose configs rebuild objects (judged by their own rules).
const CONFIG_CODE_FORMATS: &[&str] = &["keras", "keras-h5", "tensorflow"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum RepoFile {
    Config,
    Tokenizer,
    Processor,
    Template,
}

fn kind_of(path: &Path) -> Option<RepoFile> {
    let name = path.file_name()?.to_str()?;
    let in_templates_dir = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "additional_chat_templates");
    match name {
        "config.json" => Some(RepoFile::Config),
        "tokenizer_config.json" => Some(RepoFile::Tokenizer),
        "processor_config.json" | "preprocessor_config.json" | "chat_template.json" => {
            Some(RepoFile::Processor)
        }
        "chat_template.jinja" => Some(RepoFile::Template),
        n if in_templates_dir && n.ends_with(".jinja") => Some(RepoFile::Template),
        _ => None,
    }
}

/// Judge a repository file; `None` when `path` is not one (or its content
/// is not what Transformers writes).
pub(crate) fn scan_file(path: &Path, data: &[u8], shown: &str) -> Option<Outcome> {
    let kind = kind_of(path)?;
    let loc = Location::file(shown);
    let mut out = Vec::new();
    if kind == RepoFile::Template {
        let Ok(text) = std::str::from_utf8(data) else {
            out.push(inconclusive(&loc, "chat template is not UTF-8"));
            return Some(outcome(TEMPLATE_FORMAT, out));
        };
        template::check(text, "chat_template", &loc, 0, &mut out);
        return Some(outcome(TEMPLATE_FORMAT, out));
    }
    if data.len() > MAX_JSON {
        // Too big for a config Transformers writes; say so only for the
        // names that are unambiguous.
        if kind == RepoFile::Config {
            return None;
        }
        out.push(inconclusive(
            &loc,
            "repository config is larger than the JSON limit",
        ));
        let format = if kind == RepoFile::Tokenizer {
            TOKENIZER_FORMAT
        } else {
            PROCESSOR_FORMAT
        };
        return Some(outcome(format, out));
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return None;
    };
    let format = match kind {
        RepoFile::Config if CONFIG_KEYS.iter().any(|k| map.contains_key(*k)) => CONFIG_FORMAT,
        RepoFile::Config => return None,
        RepoFile::Tokenizer => TOKENIZER_FORMAT,
        _ => PROCESSOR_FORMAT,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    remote_code(&map, dir, &loc, &mut out);
    chat_templates(map.get("chat_template"), &loc, &mut out);
    Some(outcome(format, out))
}

fn outcome(format: &'static str, findings: Vec<Finding>) -> Outcome {
    Outcome { format, findings }
}

/// `chat_template`: one string, or a list of `{name, template}`.
fn chat_templates(v: Option<&Value>, loc: &Location, out: &mut Vec<Finding>) {
    match v {
        Some(Value::String(t)) => {
            template::check(t, "chat_template", &loc.member("chat_template"), 0, out)
        }
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let name = item
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| i.to_string(), str::to_string);
                if let Some(t) = item.get("template").and_then(Value::as_str) {
                    let key = format!("chat_template.{name}");
                    template::check(t, &key, &loc.member(key.clone()), 0, out);
                }
            }
        }
        _ => {}
    }
}

/// One class an `auto_map` (or custom pipeline) names.
struct Reference {
    /// The key it is registered under (`AutoModelForCausalLM`).
    key: String,
    /// `owner/repo` when the code lives in another repository.
    repo: Option<String>,
    module: String,
    class: String,
}

/// Every class reference of `auto_map` and `custom_pipelines`.
fn references(map: &serde_json::Map<String, Value>) -> Vec<Reference> {
    let mut refs = Vec::new();
    let mut add = |key: &str, text: &str| {
        if refs.len() >= MAX_REFERENCES {
            return;
        }
        let (repo, rest) = match text.split_once("--") {
            Some((r, rest)) => (Some(r.to_string()), rest),
            None => (None, text),
        };
        let (module, class) = rest.rsplit_once('.').unwrap_or((rest, ""));
        refs.push(Reference {
            key: key.to_string(),
            repo,
            module: module.to_string(),
            class: class.to_string(),
        });
    };
    if let Some(Value::Object(auto)) = map.get("auto_map") {
        for (key, v) in auto {
            match v {
                Value::String(t) => add(key, t),
                // Tokenizers: [slow, fast], either may be null.
                Value::Array(items) => {
                    for t in items.iter().filter_map(Value::as_str) {
                        add(key, t);
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(Value::Object(pipes)) = map.get("custom_pipelines") {
        for (task, p) in pipes {
            if let Some(t) = p.get("impl").and_then(Value::as_str) {
                add(&format!("pipeline {task}"), t);
            }
        }
    }
    refs
}

fn remote_code(
    map: &serde_json::Map<String, Value>,
    dir: &Path,
    loc: &Location,
    out: &mut Vec<Finding>,
) {
    let refs = references(map);
    // Local modules, in order, with the keys that use them.
    let mut local: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &refs {
        match &r.repo {
            Some(repo) => out.push(
                Finding::new(
                    &model_repo_remote_code_other_repo::RULE,
                    loc.clone(),
                    format!(
                        "auto_map loads {}.{} from another repository, {repo}, with trust_remote_code=True",
                        r.module, r.class
                    ),
                    &format!("{repo}--{}.{}", r.module, r.class),
                )
                .with_evidence(format!("{} -> {repo}--{}.{}", r.key, r.module, r.class)),
            ),
            None => local
                .entry(r.module.clone())
                .or_default()
                .push(format!("{} -> {}.{}", r.key, r.module, r.class)),
        }
    }
    if local.is_empty() {
        return;
    }
    let mut files = Vec::new();
    let mut evidence = Vec::new();
    for (module, uses) in &local {
        let file = format!("{}.py", module.replace('.', "/"));
        let note = match module_marker(&dir.join(&file)) {
            ModuleState::Missing => " (not in this folder: downloaded from the Hub on load)".into(),
            ModuleState::Marker(m) => format!(" (uses {m})"),
            ModuleState::Plain => String::new(),
        };
        files.push(format!("{file}{note}"));
        evidence.push(format!("{}: {}", file, uses.join(", ")));
    }
    out.push(
        Finding::new(
            &model_repo_remote_code::RULE,
            loc.clone(),
            format!(
                "loading needs trust_remote_code=True, which runs {}",
                files.join(", ")
            ),
            &format!(
                "auto_map\0{}",
                local.keys().cloned().collect::<Vec<_>>().join("\0")
            ),
        )
        .with_evidence(evidence.join("; ")),
    );
}

enum ModuleState {
    Missing,
    Plain,
    Marker(&'static str),
}

/// Is the module file there, and does it reach the system?
fn module_marker(path: &Path) -> ModuleState {
    let Ok(file) = std::fs::File::open(path) else {
        return ModuleState::Missing;
    };
    let mut text = Vec::new();
    if file.take(MAX_MODULE_READ).read_to_end(&mut text).is_err() {
        return ModuleState::Plain;
    }
    match payload::python_marker(&String::from_utf8_lossy(&text)) {
        Some(m) => ModuleState::Marker(m),
        None => ModuleState::Plain,
    }
}

/// Add one summary finding per repository folder (a folder whose
/// `config.json` is a Transformers config) to that config's report.
pub fn summarize(files: &mut [FileReport]) {
    let repos: Vec<(PathBuf, usize)> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.format == CONFIG_FORMAT)
        .filter_map(|(i, f)| Some((Path::new(&f.path).parent()?.to_path_buf(), i)))
        .collect();
    if repos.is_empty() {
        return;
    }
    #[derive(Default)]
    struct Summary {
        safe: Vec<String>,
        pickle: Vec<String>,
        config_code: Vec<String>,
        remote_code: bool,
    }
    let mut sums: Vec<Summary> = repos.iter().map(|_| Summary::default()).collect();
    let index: std::collections::HashMap<&Path, usize> = repos
        .iter()
        .enumerate()
        .map(|(i, (d, _))| (d.as_path(), i))
        .collect();
    for f in files.iter() {
        let path = Path::new(&f.path);
        // The nearest enclosing repository.
        let Some(r) = path.ancestors().skip(1).find_map(|a| index.get(a).copied()) else {
            continue;
        };
        let Some(sum) = sums.get_mut(r) else { continue };
        let rel = repos
            .get(r)
            .and_then(|(d, _)| path.strip_prefix(d).ok())
            .unwrap_or(path)
            .display()
            .to_string();
        let pickled = f.format == "pickle"
            || f.format == "pytorch-legacy"
            || f.findings
                .iter()
                .any(|x| x.rule_id == pickle_serialization::RULE.id);
        if pickled {
            sum.pickle.push(rel);
        } else if SAFE_FORMATS.contains(&f.format.as_str()) {
            sum.safe.push(rel);
        } else if CONFIG_CODE_FORMATS.contains(&f.format.as_str()) {
            sum.config_code.push(rel);
        }
        if f.findings.iter().any(|x| {
            x.rule_id == model_repo_remote_code::RULE.id
                || x.rule_id == model_repo_remote_code_other_repo::RULE.id
        }) {
            sum.remote_code = true;
        }
    }
    for ((dir, idx), sum) in repos.iter().zip(sums) {
        let Some(report) = files.get_mut(*idx) else {
            continue;
        };
        let mut parts = vec![format!(
            "{} safe weight file{}",
            sum.safe.len(),
            plural(sum.safe.len())
        )];
        parts.push(format!("{} pickle-based", sum.pickle.len()));
        if !sum.config_code.is_empty() {
            parts.push(format!("{} Keras/TensorFlow", sum.config_code.len()));
        }
        let mut recipe = Vec::new();
        match (sum.safe.is_empty(), sum.pickle.is_empty()) {
            (false, false) => recipe.push(
                "load with use_safetensors=True so that the pickle files are never read, and remove them from the repository".to_string(),
            ),
            (false, true) => recipe.push("weights are safe formats only: no pickle is read on load".to_string()),
            (true, false) => recipe.push(format!(
                "weights are pickle-based only: convert them (aigis model convert {} model.safetensors) or load with torch.load(weights_only=True)",
                sum.pickle.first().map(String::as_str).unwrap_or("FILE")
            )),
            (true, true) => recipe.push("no weight files in this folder".to_string()),
        }
        recipe.push(if sum.remote_code {
            "needs trust_remote_code=True: review the files AIG180/AIG181 name and pin revision= to a reviewed commit".to_string()
        } else {
            "no custom code: keep trust_remote_code=False".to_string()
        });
        let list = |name: &str, v: &[String]| {
            if v.is_empty() {
                return None;
            }
            let shown: Vec<&str> = v.iter().take(MAX_LISTED).map(String::as_str).collect();
            let more = if v.len() > MAX_LISTED { ", …" } else { "" };
            Some(format!("{name}: {}{more}", shown.join(", ")))
        };
        let evidence: Vec<String> = [
            list("safe", &sum.safe),
            list("pickle-based", &sum.pickle),
            list("Keras/TensorFlow", &sum.config_code),
        ]
        .into_iter()
        .flatten()
        .collect();
        let loc = Location::file(report.path.clone());
        report.findings.push(
            Finding::new(
                &model_repo_summary::RULE,
                loc,
                format!(
                    "model repository {}: {}; {}",
                    dir.display(),
                    parts.join(", "),
                    recipe.join("; ")
                ),
                "summary",
            )
            .with_evidence(evidence.join("; ")),
        );
        report.recompute_verdict();
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: Value) -> Vec<(Option<String>, String, String)> {
        let Value::Object(map) = v else {
            panic!("object")
        };
        references(&map)
            .into_iter()
            .map(|r| (r.repo, r.module, r.class))
            .collect()
    }

    #[test]
    fn auto_map_forms() {
        let got = refs(serde_json::json!({
            "auto_map": {
                "AutoConfig": "configuration_x.XConfig",
                "AutoTokenizer": ["tokenization_x.XTokenizer", null],
                "AutoModel": "org/repo--modeling_x.XModel"
            },
            "custom_pipelines": {"text-classification": {"impl": "pipe.MyPipe"}}
        }));
        let want = [
            (None, "configuration_x", "XConfig"),
            (None, "tokenization_x", "XTokenizer"),
            (Some("org/repo"), "modeling_x", "XModel"),
            (None, "pipe", "MyPipe"),
        ];
        for w in want {
            let w = (w.0.map(str::to_string), w.1.to_string(), w.2.to_string());
            assert!(got.contains(&w), "{w:?} not in {got:?}");
        }
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn only_transformers_configs_are_judged() {
        let p = Path::new("x/config.json");
        assert!(scan_file(p, br#"{"name": "app"}"#, "x/config.json").is_none());
        assert!(scan_file(p, b"not json", "x/config.json").is_none());
        let o = scan_file(p, br#"{"model_type": "bert"}"#, "x/config.json").unwrap();
        assert_eq!(o.format, CONFIG_FORMAT);
        assert!(o.findings.is_empty());
        assert!(scan_file(Path::new("x/other.json"), b"{}", "x").is_none());
    }

    #[test]
    fn summary_names_safe_and_pickle_files() {
        let cfg = FileReport::new("r/config.json", CONFIG_FORMAT, vec![]);
        let st = FileReport::new("r/model.safetensors", "safetensors", vec![]);
        let bin = FileReport::new("r/sub/pytorch_model.bin", "pickle", vec![]);
        let other = FileReport::new("elsewhere/model.bin", "pickle", vec![]);
        let mut files = vec![cfg, st, bin, other];
        summarize(&mut files);
        let f = &files[0].findings[0];
        assert_eq!(f.rule_id, "AIG182");
        assert!(f.message.contains("use_safetensors=True"), "{}", f.message);
        let ev = f.evidence.as_deref().unwrap_or("");
        assert!(ev.contains("model.safetensors") && ev.contains("sub/pytorch_model.bin"));
        assert!(!ev.contains("elsewhere"));
    }
}
