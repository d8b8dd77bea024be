//! Lock files: `poetry.lock`, `uv.lock`, `pdm.lock` and `pylock.toml`
//! (PEP 751) through one TOML shape, and `Pipfile.lock` (JSON). Every entry
//! pins a version; entries from git, URLs or local directories are
//! unresolvable or local instead of looked up as PyPI releases.

use super::clip;
use super::toml_util::{line, parse};
use crate::model::{Dependency, Parsed, Requirement};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The common shape: `[[package]]` (poetry, uv, pdm) or `[[packages]]` (PEP 751).
#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    package: Vec<Package>,
    #[serde(default)]
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    #[serde(default)]
    version: Option<String>,
    /// poetry: `{type = "git", url = ...}`; uv: `{registry = ...}`, `{git = ...}`,
    /// `{editable = "."}`, `{virtual = "."}`, `{directory = ...}`, `{url = ...}`, `{path = ...}`.
    #[serde(default)]
    source: Option<toml::Value>,
    /// PEP 751 non-index sources.
    #[serde(default)]
    vcs: Option<toml::Value>,
    #[serde(default)]
    directory: Option<toml::Value>,
    #[serde(default)]
    archive: Option<toml::Value>,
}

pub(super) fn poetry(shown: &str, text: &str, out: &mut Parsed) {
    toml_lock(shown, text, out);
}
pub(super) fn uv(shown: &str, text: &str, out: &mut Parsed) {
    toml_lock(shown, text, out);
}
pub(super) fn pdm(shown: &str, text: &str, out: &mut Parsed) {
    toml_lock(shown, text, out);
}
pub(super) fn pylock(shown: &str, text: &str, out: &mut Parsed) {
    toml_lock(shown, text, out);
}

fn toml_lock(shown: &str, text: &str, out: &mut Parsed) {
    let doc: Doc = match parse(text) {
        Ok(d) => d,
        Err(e) => {
            out.problem(
                shown,
                None,
                format!("not a readable {} file: {e}", out.kind.as_str()),
            );
            return;
        }
    };
    for p in doc.package.iter().chain(&doc.packages) {
        let ln = line(text, &p.name);
        let name = p.name.get_ref();
        if !crate::name::is_valid(name) {
            out.problem(
                shown,
                Some(ln),
                format!("invalid package name '{}'", clip(name)),
            );
            continue;
        }
        let requirement = match non_index_source(p) {
            Some(r) => r,
            None => match p.version.as_deref().map(|v| (v, crate::version::parse(v))) {
                Some((_, Some(v))) => Requirement::Pinned(v.to_string()),
                Some((v, None)) => {
                    out.problem(
                        shown,
                        Some(ln),
                        format!("{name}: version '{}' is not PEP 440", clip(v)),
                    );
                    continue;
                }
                None => Requirement::Unresolvable("no version in the lock file".into()),
            },
        };
        out.deps.push(Dependency {
            name: crate::name::normalize(name),
            written: name.clone(),
            requirement,
            marker: None,
            file: shown.to_string(),
            line: ln,
            via: None,
        });
    }
}

/// A git/URL/path source (not a PyPI release), if the entry has one.
fn non_index_source(p: &Package) -> Option<Requirement> {
    if let Some(v) = &p.vcs {
        return Some(Requirement::Unresolvable(describe(v)));
    }
    if let Some(v) = &p.archive {
        return Some(Requirement::Unresolvable(describe(v)));
    }
    if let Some(v) = &p.directory {
        return Some(Requirement::Local(describe(v)));
    }
    let t = p.source.as_ref()?.as_table()?;
    let get = |k: &str| t.get(k).and_then(|v| v.as_str());
    // poetry: `type = "git" | "url" | "file" | "directory" | "legacy"`.
    match get("type") {
        Some("git" | "url" | "file") => {
            return Some(Requirement::Unresolvable(
                get("url").unwrap_or("").to_string(),
            ));
        }
        Some("directory") => return Some(Requirement::Local(get("url").unwrap_or("").to_string())),
        _ => {}
    }
    for k in ["git", "url"] {
        if let Some(u) = get(k) {
            return Some(Requirement::Unresolvable(u.to_string()));
        }
    }
    for k in ["editable", "virtual", "directory", "path"] {
        if let Some(u) = get(k) {
            return Some(Requirement::Local(u.to_string()));
        }
    }
    None
}

fn describe(v: &toml::Value) -> String {
    let t = v.as_table();
    let s = ["url", "path"]
        .iter()
        .find_map(|k| t.and_then(|t| t.get(*k)).and_then(|v| v.as_str()));
    s.map(str::to_string)
        .unwrap_or_else(|| clip(&v.to_string()))
}

#[derive(Deserialize)]
struct Pipfile {
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    git: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    markers: Option<String>,
}

/// `Pipfile.lock`: JSON, so lines are found by looking for each `"name": {` key.
pub(super) fn pipfile(shown: &str, text: &str, out: &mut Parsed) {
    let doc: Pipfile = match serde_json::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            out.problem(
                shown,
                Some(u32::try_from(e.line()).unwrap_or(0)),
                format!("not a readable Pipfile.lock: {e}"),
            );
            return;
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    for (section, entries) in [("default", &doc.default), ("develop", &doc.develop)] {
        let start = lines
            .iter()
            .position(|l| l.contains(&format!("\"{section}\"")))
            .unwrap_or(0);
        for (name, e) in entries {
            let key = format!("\"{name}\"");
            let ln = lines
                .iter()
                .enumerate()
                .skip(start)
                .find(|(_, l)| l.trim_start().starts_with(&key))
                .map_or(1, |(i, _)| u32::try_from(i + 1).unwrap_or(1));
            let requirement = if let Some(g) = &e.git {
                Requirement::Unresolvable(g.clone())
            } else if let Some(p) = e.path.as_ref().or(e.file.as_ref()) {
                Requirement::Local(p.clone())
            } else {
                match super::spec_requirement(e.version.as_deref().unwrap_or("")) {
                    Ok(r) => r,
                    Err(err) => {
                        out.problem(
                            shown,
                            Some(ln),
                            format!("{}: bad version: {err}", clip(name)),
                        );
                        continue;
                    }
                }
            };
            out.deps.push(Dependency {
                name: crate::name::normalize(name),
                written: name.clone(),
                requirement,
                marker: e.markers.clone(),
                file: shown.to_string(),
                line: ln,
                via: None,
            });
        }
    }
}
