//! `pyproject.toml`: PEP 621 `[project] dependencies` and
//! `optional-dependencies`, PEP 735 `[dependency-groups]`, and Poetry's
//! `[tool.poetry.dependencies]` (plus its groups and dev-dependencies) with
//! `^`/`~` constraints translated to PEP 440.

use super::toml_util::{line, parse};
use super::{clip, dep_from_pep508};
use crate::model::{Dependency, Parsed, Requirement};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize, Default)]
struct Doc {
    #[serde(default)]
    project: Option<Project>,
    #[serde(default, rename = "dependency-groups")]
    groups: BTreeMap<String, Vec<Spanned<toml::Value>>>,
    #[serde(default)]
    tool: Option<Tool>,
}

#[derive(Deserialize, Default)]
struct Project {
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    #[serde(default, rename = "optional-dependencies")]
    optional: BTreeMap<String, Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default)]
struct Tool {
    #[serde(default)]
    poetry: Option<Poetry>,
}

#[derive(Deserialize, Default)]
struct Poetry {
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    group: BTreeMap<String, PoetryGroup>,
}

#[derive(Deserialize, Default)]
struct PoetryGroup {
    #[serde(default)]
    dependencies: BTreeMap<String, Spanned<toml::Value>>,
}

pub(super) fn read(shown: &str, text: &str, out: &mut Parsed) {
    let doc: Doc = match parse(text) {
        Ok(d) => d,
        Err(e) => {
            out.problem(shown, None, format!("not a readable pyproject.toml: {e}"));
            return;
        }
    };
    if let Some(p) = &doc.project {
        for r in p.dependencies.iter().chain(p.optional.values().flatten()) {
            dep_from_pep508(r.get_ref(), shown, line(text, r), out);
        }
    }
    for r in doc.groups.values().flatten() {
        // `{include-group = "..."}` entries name other groups, not packages.
        if let toml::Value::String(s) = r.get_ref() {
            dep_from_pep508(s, shown, line(text, r), out);
        }
    }
    if let Some(poetry) = doc.tool.and_then(|t| t.poetry) {
        let tables = [&poetry.dependencies, &poetry.dev]
            .into_iter()
            .chain(poetry.group.values().map(|g| &g.dependencies));
        for table in tables {
            for (name, value) in table {
                if name.eq_ignore_ascii_case("python") {
                    continue;
                }
                poetry_dep(name, value, shown, text, out);
            }
        }
    }
}

fn poetry_dep(name: &str, value: &Spanned<toml::Value>, shown: &str, text: &str, out: &mut Parsed) {
    let line = line(text, value);
    let requirement = match value.get_ref() {
        toml::Value::String(c) => poetry_constraint(c),
        toml::Value::Table(t) => {
            if let Some(url) = ["git", "url"]
                .iter()
                .find_map(|k| t.get(*k))
                .and_then(|v| v.as_str())
            {
                Requirement::Unresolvable(url.to_string())
            } else if let Some(p) = t.get("path").and_then(|v| v.as_str()) {
                Requirement::Local(p.to_string())
            } else {
                poetry_constraint(t.get("version").and_then(|v| v.as_str()).unwrap_or("*"))
            }
        }
        // A list of constraints per marker: several versions, so a range.
        toml::Value::Array(_) => Requirement::Range(String::new()),
        _ => {
            out.problem(
                shown,
                Some(line),
                format!("{}: unreadable Poetry constraint", clip(name)),
            );
            return;
        }
    };
    out.deps.push(Dependency {
        name: crate::name::normalize(name),
        written: name.to_string(),
        requirement,
        marker: None,
        file: shown.to_string(),
        line,
        via: None,
    });
}

/// A Poetry constraint as a PEP 440 pin or range: `1.2.3` pins, `^1.2` is
/// `>=1.2,<2.0`, `~1.2.3` is `>=1.2.3,<1.3`, `*` is any; anything else is
/// tried as PEP 440 and kept as written.
pub(crate) fn poetry_constraint(c: &str) -> Requirement {
    let c = c.trim();
    if c.is_empty() || c == "*" {
        return Requirement::Range(String::new());
    }
    if crate::version::parse(c).is_some() && !c.contains('*') {
        return Requirement::Pinned(
            crate::version::parse(c)
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
    }
    if let Some(v) = c.strip_prefix('^').or_else(|| c.strip_prefix('~')) {
        let caret = c.starts_with('^');
        let v = v.trim_start_matches('=').trim();
        let parts: Vec<u64> = v.split('.').map_while(|p| p.parse().ok()).collect();
        let upper = if caret {
            // ^: bump the first non-zero component (^0.2.3 is <0.3.0).
            let i = parts
                .iter()
                .position(|&p| p != 0)
                .unwrap_or(parts.len().saturating_sub(1));
            bump(&parts, i)
        } else {
            bump(&parts, if parts.len() >= 2 { 1 } else { 0 })
        };
        if let Some(upper) = upper {
            return Requirement::Range(format!(">={v},<{upper}"));
        }
    }
    super::spec_requirement(c).unwrap_or_else(|_| Requirement::Range(c.to_string()))
}

/// `parts` with component `i` incremented and the rest dropped.
fn bump(parts: &[u64], i: usize) -> Option<String> {
    let mut head: Vec<u64> = parts.get(..=i)?.to_vec();
    let last = head.last_mut()?;
    *last = last.checked_add(1)?;
    Some(
        head.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}
