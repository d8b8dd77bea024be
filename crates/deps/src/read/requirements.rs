//! pip requirements files: logical lines (backslash continuations joined,
//! comments stripped), `-r`/`-c` includes relative to the including file
//! (bounded depth and count, cycle-safe), `--hash` options dropped, markers
//! kept, and URL, VCS, archive and editable lines reported as unresolvable or
//! local instead of guessed.

use super::{Loader, clip, dep_from_pep508};
use crate::model::{Dependency, Parsed, Requirement};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Deepest chain of `-r`/`-c` includes followed.
pub const MAX_INCLUDE_DEPTH: usize = 8;
/// Most files read through includes from one top-level file.
pub const MAX_INCLUDED_FILES: usize = 64;
/// Longest logical line (after joining continuations).
pub const MAX_LINE_BYTES: usize = 64 << 10;

/// Options that take a value and say nothing about dependencies.
const VALUE_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "--config-settings",
    "--global-option",
];

struct State<'a> {
    loader: Loader<'a>,
    seen: HashSet<PathBuf>,
    files: usize,
}

pub(super) fn read(path: &Path, shown: &str, text: &str, loader: Loader<'_>, out: &mut Parsed) {
    let mut st = State {
        loader,
        seen: HashSet::new(),
        files: 0,
    };
    st.seen.insert(identity(path));
    read_one(&mut st, path, shown, text, 0, None, out);
}

/// Logical lines: (first physical line number, text without comment).
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i).unwrap_or(u32::MAX - 1).saturating_add(1);
        if cur.is_empty() {
            start = n;
        }
        let line = strip_comment(raw);
        if let Some(body) = line.strip_suffix('\\') {
            if cur.len() + body.len() <= MAX_LINE_BYTES {
                cur.push_str(body);
                cur.push(' ');
            }
            continue;
        }
        if cur.len() + line.len() <= MAX_LINE_BYTES {
            cur.push_str(line);
        }
        if !cur.trim().is_empty() {
            out.push((start, std::mem::take(&mut cur)));
        }
        cur.clear();
    }
    if !cur.trim().is_empty() {
        out.push((start, cur));
    }
    out
}

/// pip strips `#` comments at line start or after whitespace.
fn strip_comment(line: &str) -> &str {
    let line = line.trim_end_matches('\r');
    if line.trim_start().starts_with('#') {
        return "";
    }
    let b = line.as_bytes();
    let cut = (1..b.len()).find(|&i| {
        b.get(i) == Some(&b'#') && b.get(i - 1).is_some_and(|c| c.is_ascii_whitespace())
    });
    match cut {
        Some(i) => line.get(..i).unwrap_or(line).trim_end(),
        None => line.trim_end(),
    }
}

fn read_one(
    st: &mut State<'_>,
    path: &Path,
    shown: &str,
    text: &str,
    depth: usize,
    via: Option<u32>,
    out: &mut Parsed,
) {
    for (line, logical) in logical_lines(text) {
        let l = logical.trim();
        if let Some((opt, value)) = include_option(l) {
            include(st, path, shown, opt, value, line, depth, via, out);
            continue;
        }
        if let Some(rest) = l
            .strip_prefix("-e")
            .or_else(|| l.strip_prefix("--editable"))
        {
            let target = rest.trim_start_matches('=').trim();
            push_unpinned_target(target, shown, line, via, out);
            continue;
        }
        if l.starts_with('-') {
            // Other options (`--index-url`, `--require-hashes`, ...) carry no dependency.
            let first = l
                .split(|c: char| c.is_whitespace() || c == '=')
                .next()
                .unwrap_or("");
            if !VALUE_OPTIONS.contains(&first) && !is_flag(first) {
                out.problem(
                    shown,
                    Some(line),
                    format!("unknown pip option {}", clip(first)),
                );
            }
            continue;
        }
        let req = drop_options(l);
        let pep508_url = super::split_pep508(req).is_some_and(|p| p.url.is_some());
        if !pep508_url && looks_like_target(req) {
            push_unpinned_target(req, shown, line, via, out);
            continue;
        }
        let before = out.deps.len();
        dep_from_pep508(req, shown, line, out);
        if let Some(d) = out.deps.get_mut(before..) {
            for d in d {
                d.via = via;
            }
        }
    }
}

/// One requirement line outside a requirements file (a conda `pip:` entry).
pub(super) fn read_line(l: &str, shown: &str, line: u32, out: &mut Parsed) {
    let l = l.trim();
    if let Some(rest) = l
        .strip_prefix("-e")
        .or_else(|| l.strip_prefix("--editable"))
    {
        push_unpinned_target(rest.trim_start_matches('=').trim(), shown, line, None, out);
    } else if l.starts_with('-') {
        out.problem(
            shown,
            Some(line),
            format!("pip option not followed here: {}", clip(l)),
        );
    } else {
        let req = drop_options(l);
        let pep508_url = super::split_pep508(req).is_some_and(|p| p.url.is_some());
        if !pep508_url && looks_like_target(req) {
            push_unpinned_target(req, shown, line, None, out);
        } else {
            dep_from_pep508(req, shown, line, out);
        }
    }
}

/// Flags without a value that pip accepts in requirements files.
fn is_flag(opt: &str) -> bool {
    matches!(
        opt,
        "--pre" | "--require-hashes" | "--prefer-binary" | "--no-index" | "--no-deps"
    )
}

/// `-r FILE`, `--requirement=FILE`, `-c FILE`, `--constraint FILE`.
fn include_option(l: &str) -> Option<(&str, &str)> {
    for opt in ["--requirement", "--constraint", "-r", "-c"] {
        if let Some(rest) = l.strip_prefix(opt) {
            let value = rest.strip_prefix('=').unwrap_or(rest);
            if rest.is_empty() || !(rest.starts_with([' ', '\t', '=']) || opt.len() == 2) {
                continue;
            }
            return Some((opt, value.trim()));
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn include(
    st: &mut State<'_>,
    path: &Path,
    shown: &str,
    opt: &str,
    value: &str,
    line: u32,
    depth: usize,
    via: Option<u32>,
    out: &mut Parsed,
) {
    if value.contains("://") {
        out.problem(
            shown,
            Some(line),
            format!("{opt} {}: remote includes are not fetched", clip(value)),
        );
        return;
    }
    if depth + 1 > MAX_INCLUDE_DEPTH || st.files >= MAX_INCLUDED_FILES {
        out.problem(shown, Some(line), format!("{opt} {}: include limit reached ({MAX_INCLUDE_DEPTH} deep, {MAX_INCLUDED_FILES} files)", clip(value)));
        return;
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    let target = dir.join(value);
    let shown_dir = Path::new(shown).parent().unwrap_or(Path::new(""));
    let target_shown = shown_dir.join(value).display().to_string();
    if !st.seen.insert(identity(&target)) {
        // Already read (a cycle or a diamond): its dependencies are in.
        return;
    }
    st.files += 1;
    let data = match (st.loader)(&target) {
        Ok(d) => d,
        Err(e) => {
            out.problem(
                shown,
                Some(line),
                format!("{opt} {}: cannot read: {e}", clip(value)),
            );
            return;
        }
    };
    let Ok(text) = std::str::from_utf8(&data) else {
        out.problem(
            shown,
            Some(line),
            format!("{opt} {}: not valid UTF-8", clip(value)),
        );
        return;
    };
    // Dependencies of included files are reported at the top-level include line.
    read_one(
        st,
        &target,
        &target_shown,
        text,
        depth + 1,
        via.or(Some(line)),
        out,
    );
}

/// What makes two include paths the same file: the canonical path when the
/// file exists, else the path with `.` and `..` resolved lexically.
fn identity(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Remove per-requirement options (`--hash=...`, `--config-settings ...`).
fn drop_options(l: &str) -> &str {
    match l.find(" --").or_else(|| l.find("\t--")) {
        Some(i) => l.get(..i).unwrap_or(l).trim(),
        None => l,
    }
}

/// A URL, VCS reference, archive or path rather than a PEP 508 name.
fn looks_like_target(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git+")
        || lower.starts_with("hg+")
        || lower.starts_with("svn+")
        || lower.starts_with("bzr+")
        || lower.starts_with('.')
        || lower.starts_with('/')
        || lower.starts_with('~')
        || lower.ends_with(".whl")
        || lower.ends_with(".tar.gz")
        || lower.ends_with(".zip")
}

/// An editable, URL or path line: local paths are the project's own code,
/// anything remote cannot be looked up.
fn push_unpinned_target(target: &str, shown: &str, line: u32, via: Option<u32>, out: &mut Parsed) {
    let target = drop_options(target);
    let lower = target.to_ascii_lowercase();
    let remote = lower.contains("://") || lower.contains('+') && lower.contains('@');
    let written = egg_name(target).unwrap_or_else(|| target.to_string());
    let requirement = if remote || lower.ends_with(".whl") || lower.ends_with(".tar.gz") {
        Requirement::Unresolvable(target.to_string())
    } else {
        Requirement::Local(target.to_string())
    };
    out.deps.push(Dependency {
        name: crate::name::normalize(&written),
        written,
        requirement,
        marker: None,
        file: shown.to_string(),
        line,
        via,
    });
}

/// `#egg=name` of a VCS URL, or a PEP 508 `name @ url`.
fn egg_name(target: &str) -> Option<String> {
    if let Some(i) = target.find("#egg=") {
        let rest = target.get(i + 5..)?;
        let end = rest.find(['&', ' ']).unwrap_or(rest.len());
        return rest.get(..end).map(str::to_string);
    }
    None
}
