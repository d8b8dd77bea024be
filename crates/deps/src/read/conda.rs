//! Conda `environment.yml`: conda match specs (`pytorch=2.1.0`,
//! `numpy>=1.24`, `conda-forge::py-xgboost==1.7.6=cuda*`) mapped to PyPI
//! names, and the `pip:` block read as requirement lines. YAML is parsed by
//! `serde-saphyr` under a budget; lines are found by walking the text in
//! document order.

use super::clip;
use crate::model::{Dependency, Parsed, Requirement};
use crate::name::{CondaName, conda_to_pypi};
use serde::Deserialize;

/// Deepest YAML nesting accepted.
pub const MAX_YAML_DEPTH: usize = 32;
/// Most YAML parser events (nodes, scalars, ...) accepted.
pub const MAX_YAML_EVENTS: usize = 1_000_000;
/// Most alias references accepted (billion-laughs guard).
pub const MAX_YAML_ALIASES: usize = 64;

#[derive(Deserialize)]
struct Env {
    #[serde(default)]
    dependencies: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    Spec(String),
    Pip { pip: Vec<String> },
    Other(serde::de::IgnoredAny),
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_YAML_DEPTH,
            max_events: MAX_YAML_EVENTS,
            max_aliases: MAX_YAML_ALIASES,
            max_documents: 1,
        },
    }
}

pub(super) fn read(shown: &str, text: &str, out: &mut Parsed) {
    let env: Env = match serde_saphyr::from_str_with_options(text, options()) {
        Ok(e) => e,
        Err(e) => {
            let msg = e.to_string();
            out.problem(
                shown,
                None,
                format!(
                    "not a readable conda environment: {}",
                    clip(msg.lines().next().unwrap_or(""))
                ),
            );
            return;
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut cursor = lines
        .iter()
        .position(|l| l.trim_start().starts_with("dependencies"))
        .unwrap_or(0);
    for entry in &env.dependencies {
        match entry {
            Entry::Spec(s) => {
                let ln = find_line(&lines, &mut cursor, s);
                conda_spec(s, shown, ln, out);
            }
            Entry::Pip { pip } => {
                for s in pip {
                    let ln = find_line(&lines, &mut cursor, s);
                    super::requirements::read_line(s, shown, ln, out);
                }
            }
            Entry::Other(_) => {}
        }
    }
}

/// The 1-based line of list item `item` at or after `cursor`, moving it on.
fn find_line(lines: &[&str], cursor: &mut usize, item: &str) -> u32 {
    let found = lines.iter().enumerate().skip(*cursor).find(|(_, l)| {
        let t = l.trim_start().trim_start_matches('-').trim();
        let t = t.trim_matches(|c| c == '"' || c == '\'');
        t == item
            || t.starts_with(item)
                && t.get(item.len()..)
                    .is_some_and(|r| r.trim_start().starts_with('#'))
    });
    match found {
        Some((i, _)) => {
            *cursor = i + 1;
            u32::try_from(i + 1).unwrap_or(u32::MAX)
        }
        None => u32::try_from(*cursor + 1).unwrap_or(u32::MAX),
    }
}

/// A conda match spec: `[channel::]name[ op version[=build]]`.
fn conda_spec(spec: &str, shown: &str, line: u32, out: &mut Parsed) {
    let s = spec.trim();
    let s = s.rsplit_once("::").map_or(s, |(_, n)| n);
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let (name, rest) = (
        s.get(..end).unwrap_or(""),
        s.get(end..).unwrap_or("").trim(),
    );
    if !crate::name::is_valid(name) {
        out.problem(
            shown,
            Some(line),
            format!("not a conda match spec: {}", clip(spec)),
        );
        return;
    }
    let pypi = match conda_to_pypi(name) {
        CondaName::Ignored => return,
        CondaName::Pypi("") => crate::name::normalize(name),
        CondaName::Pypi(n) => n.to_string(),
    };
    let requirement = conda_version(rest);
    out.deps.push(Dependency {
        name: pypi,
        written: name.to_string(),
        requirement,
        marker: None,
        file: shown.to_string(),
        line,
        via: None,
    });
}

/// Conda's version part: `=1.2.3` and `==1.2.3` (and `1.2.3 build`) pin;
/// `=1.2` is conda's prefix match, i.e. `==1.2.*`; anything else is a range.
fn conda_version(rest: &str) -> Requirement {
    let rest = rest.trim();
    if rest.is_empty() {
        return Requirement::Range(String::new());
    }
    // Drop the build string: `=1.2.3=py310_0`, `1.2.3 py310_0`.
    let (exact, body) = if let Some(v) = rest.strip_prefix("==") {
        (true, v)
    } else if let Some(v) = rest.strip_prefix('=') {
        (false, v)
    } else if rest.starts_with(|c: char| c.is_ascii_digit()) {
        (false, rest)
    } else {
        return super::spec_requirement(rest)
            .unwrap_or_else(|_| Requirement::Range(rest.to_string()));
    };
    let version = body
        .split(['=', ' '])
        .next()
        .unwrap_or("")
        .trim_end_matches(".*")
        .trim_end_matches('*');
    let Some(v) = crate::version::parse(version) else {
        return Requirement::Range(rest.to_string());
    };
    if exact || v.release().len() >= 3 {
        Requirement::Pinned(v.to_string())
    } else {
        Requirement::Range(format!("=={v}.*"))
    }
}
