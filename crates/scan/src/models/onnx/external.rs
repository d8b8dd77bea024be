//! External data: tensors whose bytes live in another file, named relative
//! to the model's directory. A location that leaves that directory — by
//! being absolute, by `..`, or through a symlink on disk — is a traversal;
//! one that is missing or too short for its range is unresolved. The disk
//! is only consulted for a model that is itself a file (not an archive
//! member), and nothing is read from the data files but their metadata.

use super::walk::Walk;
use crate::models::inspect::ExternalInfo;
use crate::rules::models::{onnx_external_data_traversal, onnx_external_data_unresolved};
use aigis_findings::{Finding, Location};
use aigis_formats::onnx::{declared_bytes, external_data, is_external, text};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Tensor names shown per location.
const EXAMPLE_TENSORS: usize = 3;

/// What is wrong with a location.
enum Problem {
    Escapes(String),
    Unresolved(String),
}

/// The tensors that name one location.
#[derive(Default)]
struct Uses {
    tensors: Vec<String>,
    /// `offset + length` furthest into the file, when known.
    end: u64,
    bytes: u64,
    problems: Vec<String>,
}

/// Check every external tensor of `walk`; returns the inspect listing.
pub(super) fn check(walk: &Walk<'_>, loc: &Location, out: &mut Vec<Finding>) -> Vec<ExternalInfo> {
    let mut by_location: BTreeMap<String, Uses> = BTreeMap::new();
    for t in walk.tensors.iter().filter(|t| is_external(t.tensor)) {
        let e = external_data(t.tensor);
        let uses = by_location
            .entry(e.location.clone().unwrap_or_default())
            .or_default();
        let name = text(&t.tensor.name).into_owned();
        let length = e.length.or_else(|| declared_bytes(t.tensor)).unwrap_or(0);
        let offset = e.offset.unwrap_or(0);
        uses.end = uses.end.max(offset.saturating_add(length));
        uses.bytes = uses.bytes.saturating_add(length);
        uses.problems
            .extend(e.problems.iter().map(|p| format!("tensor '{name}': {p}")));
        uses.tensors.push(name);
    }
    let model_dir = model_dir(loc);
    let mut refs = Vec::new();
    for (location, uses) in by_location {
        let problem = judge(&location, &uses, model_dir.as_deref());
        let status = match &problem {
            None if model_dir.is_none() && !loc.members.is_empty() => {
                "not checked (inside a container)".to_string()
            }
            None if model_dir.is_none() => "not checked (model not on disk)".to_string(),
            None => "ok".to_string(),
            Some(Problem::Escapes(why) | Problem::Unresolved(why)) => why.clone(),
        };
        if let Some(p) = problem {
            out.push(finding(p, &location, &uses, loc));
        }
        refs.push(ExternalInfo {
            location,
            tensors: uses.tensors.len(),
            bytes: uses.bytes,
            status,
        });
    }
    refs
}

fn finding(p: Problem, location: &str, uses: &Uses, loc: &Location) -> Finding {
    let mut names: Vec<String> = uses
        .tensors
        .iter()
        .take(EXAMPLE_TENSORS)
        .map(|n| format!("'{n}'"))
        .collect();
    if uses.tensors.len() > EXAMPLE_TENSORS {
        names.push(format!("and {} more", uses.tensors.len() - EXAMPLE_TENSORS));
    }
    let who = super::ops::plural(uses.tensors.len(), "tensor");
    let evidence = format!("location {location:?} read by {}", names.join(", "));
    let f = match p {
        Problem::Escapes(why) => Finding::new(
            &onnx_external_data_traversal::RULE,
            loc.clone(),
            format!("{who} read external data from {location:?}, which {why}"),
            location,
        ),
        Problem::Unresolved(why) => Finding::new(
            &onnx_external_data_unresolved::RULE,
            loc.clone(),
            format!("{who} read external data from {location:?}: {why}"),
            location,
        ),
    };
    f.with_evidence(evidence)
}

/// The directory of a model that is a file on disk.
fn model_dir(loc: &Location) -> Option<PathBuf> {
    let path = Path::new(&loc.path);
    if !loc.members.is_empty() || !path.is_file() {
        return None;
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    dir.canonicalize().ok()
}

fn judge(location: &str, uses: &Uses, dir: Option<&Path>) -> Option<Problem> {
    if let Some(why) = lexical_escape(location) {
        return Some(Problem::Escapes(why.to_string()));
    }
    if location.is_empty() {
        return Some(Problem::Unresolved("no location is given".into()));
    }
    if let Some(p) = uses.problems.first() {
        return Some(Problem::Unresolved(p.clone()));
    }
    let dir = dir?;
    let path = dir.join(location);
    if std::fs::symlink_metadata(&path).is_err() {
        return Some(Problem::Unresolved("no such file next to the model".into()));
    }
    match path.canonicalize() {
        Ok(real) if !real.starts_with(dir) => {
            return Some(Problem::Escapes(format!(
                "is a symlink to {}, outside the model's directory",
                real.display()
            )));
        }
        Ok(_) => {}
        Err(_) => return Some(Problem::Unresolved("a dangling symlink".into())),
    }
    let size = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m.len(),
        _ => return Some(Problem::Unresolved("not a regular file".into())),
    };
    (uses.end > size).then(|| {
        Problem::Unresolved(format!(
            "the tensors read up to byte {} of a {size}-byte file",
            uses.end
        ))
    })
}

/// Why a location leaves the model's directory without looking at the disk.
fn lexical_escape(location: &str) -> Option<&'static str> {
    let b = location.as_bytes();
    if location.starts_with('/') || location.starts_with('\\') {
        return Some("is an absolute path");
    }
    if matches!(b, [d, b':', ..] if d.is_ascii_alphabetic()) {
        return Some("is a Windows drive path");
    }
    if location.contains('\0') {
        return Some("contains a NUL byte (the path a loader opens is cut there)");
    }
    let parent = location.split(['/', '\\']).any(|part| part == "..");
    if parent
        || Path::new(location)
            .components()
            .any(|c| matches!(c, Component::ParentDir))
    {
        return Some("climbs out with '..'");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_escapes() {
        for l in [
            "/etc/passwd",
            "\\\\server\\share\\w",
            "C:\\w.bin",
            "c:w.bin",
            "../../etc/passwd",
            "a/../../b",
            "a\\..\\b",
            "w.bin\0.txt",
        ] {
            assert!(lexical_escape(l).is_some(), "{l}");
        }
        for l in ["model.onnx.data", "weights/w.bin", "..w.bin", "a..b/c"] {
            assert!(lexical_escape(l).is_none(), "{l}");
        }
    }
}
