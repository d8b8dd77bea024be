//! Dependency file readers: the file kind from its name, then one reader per
//! format. Readers never fail: what they cannot read becomes a [`Problem`]
//! (the file is then inconclusive), with the line where known.

mod conda;
mod locks;
mod pyproject;
mod requirements;
mod toml_util;

use crate::model::{FileKind, Parsed};
use std::path::Path;

/// Largest dependency file read, including `-r` includes.
pub const MAX_FILE_BYTES: usize = 16 << 20;
/// Most dependencies taken from one file (with its includes).
pub const MAX_DEPS: usize = 100_000;

/// Reads an included file (`-r other.txt`); `Err` carries the reason.
pub type Loader<'a> = &'a dyn Fn(&Path) -> Result<Vec<u8>, String>;

/// A loader for real files, bounded by [`MAX_FILE_BYTES`].
pub fn fs_loader(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    if data.len() > MAX_FILE_BYTES {
        return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
    }
    Ok(data)
}

/// The kind of dependency file `path` is, from its name (and parent
/// directory for `requirements/*.txt`); `None` for anything else.
pub fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase);
    let kind = match name.as_str() {
        "pyproject.toml" => FileKind::Pyproject,
        "poetry.lock" => FileKind::PoetryLock,
        "uv.lock" => FileKind::UvLock,
        "pipfile.lock" => FileKind::PipfileLock,
        "pdm.lock" => FileKind::PdmLock,
        "pylock.toml" => FileKind::Pylock,
        "conda.yml" | "conda.yaml" => FileKind::CondaEnv,
        n if n.starts_with("pylock.") && n.ends_with(".toml") => FileKind::Pylock,
        n if n.starts_with("environment") && (n.ends_with(".yml") || n.ends_with(".yaml")) => {
            FileKind::CondaEnv
        }
        n if n.ends_with(".txt")
            && (n.contains("requirements")
                || n.starts_with("constraints")
                || parent.as_deref() == Some("requirements")) =>
        {
            FileKind::Requirements
        }
        _ => return None,
    };
    Some(kind)
}

/// Read `data`, a file of `kind` at `path` (shown as `shown`).
/// `loader` reads `-r`/`-c` includes of requirements files.
pub fn read(kind: FileKind, path: &Path, shown: &str, data: &[u8], loader: Loader<'_>) -> Parsed {
    let mut out = Parsed::new(kind);
    let Ok(text) = std::str::from_utf8(data) else {
        out.problem(shown, None, "not valid UTF-8");
        return out;
    };
    if data.len() > MAX_FILE_BYTES {
        out.problem(shown, None, format!("larger than {MAX_FILE_BYTES} bytes"));
        return out;
    }
    match kind {
        FileKind::Requirements => requirements::read(path, shown, text, loader, &mut out),
        FileKind::Pyproject => pyproject::read(shown, text, &mut out),
        FileKind::PoetryLock => locks::poetry(shown, text, &mut out),
        FileKind::UvLock => locks::uv(shown, text, &mut out),
        FileKind::PdmLock => locks::pdm(shown, text, &mut out),
        FileKind::Pylock => locks::pylock(shown, text, &mut out),
        FileKind::PipfileLock => locks::pipfile(shown, text, &mut out),
        FileKind::CondaEnv => conda::read(shown, text, &mut out),
    }
    if out.deps.len() > MAX_DEPS {
        out.deps.truncate(MAX_DEPS);
        out.problem(
            shown,
            None,
            format!("more than {MAX_DEPS} dependencies; the rest were not read"),
        );
    }
    out
}

/// One PEP 508 requirement (`name[extra] >=1.0 ; marker`, or `name @ url`)
/// split into its parts, the way requirements files, PEP 621 and Pipfile
/// entries write it.
pub(crate) struct Pep508<'a> {
    pub name: &'a str,
    /// The specifier text (parentheses removed); empty is "any".
    pub spec: &'a str,
    pub url: Option<&'a str>,
    pub marker: Option<&'a str>,
}

/// Split a PEP 508 line; `None` when it does not start with a valid name.
pub(crate) fn split_pep508(line: &str) -> Option<Pep508<'_>> {
    let line = line.trim();
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = line.get(..end)?;
    if !crate::name::is_valid(name) {
        return None;
    }
    let mut rest = line.get(end..)?.trim_start();
    if rest.starts_with('[') {
        let close = rest.find(']')?;
        rest = rest.get(close + 1..)?.trim_start();
    }
    if let Some(after) = rest.strip_prefix('@') {
        // `name @ url ; marker`: the marker needs whitespace before `;`.
        let after = after.trim();
        let (url, marker) = match after.find(" ;").or_else(|| after.find("\t;")) {
            Some(i) => (after.get(..i)?, after.get(i + 2..).map(str::trim)),
            None => (after, None),
        };
        return Some(Pep508 {
            name,
            spec: "",
            url: Some(url.trim()),
            marker,
        });
    }
    let (spec, marker) = match rest.find(';') {
        Some(i) => (rest.get(..i)?, rest.get(i + 1..).map(str::trim)),
        None => (rest, None),
    };
    let spec = spec.trim();
    let spec = spec
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(spec)
        .trim();
    Some(Pep508 {
        name,
        spec,
        url: None,
        marker: marker.filter(|m| !m.is_empty()),
    })
}

/// A dependency from a PEP 508 string found at `line` of `file`.
pub(crate) fn dep_from_pep508(req: &str, file: &str, line: u32, out: &mut Parsed) {
    let Some(p) = split_pep508(req) else {
        out.problem(
            file,
            Some(line),
            format!("not a PEP 508 requirement: {}", clip(req)),
        );
        return;
    };
    let requirement = match p.url {
        Some(url) => crate::model::Requirement::Unresolvable(url.to_string()),
        None => match spec_requirement(p.spec) {
            Ok(r) => r,
            Err(e) => {
                out.problem(
                    file,
                    Some(line),
                    format!("{}: bad version specifier '{}': {e}", p.name, clip(p.spec)),
                );
                return;
            }
        },
    };
    out.deps.push(crate::model::Dependency {
        name: crate::name::normalize(p.name),
        written: p.name.to_string(),
        requirement,
        marker: p.marker.map(str::to_string),
        file: file.to_string(),
        line,
        via: None,
    });
}

/// A specifier string as a pin or a range.
pub(crate) fn spec_requirement(spec: &str) -> Result<crate::model::Requirement, String> {
    let specs = crate::version::parse_specifiers(spec)?;
    Ok(match crate::version::pinned(&specs) {
        Some(v) => crate::model::Requirement::Pinned(v.to_string()),
        None => crate::model::Requirement::Range(spec.trim().to_string()),
    })
}

/// `s` cut to 120 characters for messages.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(120).collect();
    if s.chars().nth(120).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;
