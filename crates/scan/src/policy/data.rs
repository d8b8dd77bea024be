//! The policy data files, compiled into the binary, and their parsers.
//!
//! Format (see `data/pickle/README` in tools/policy): one `module:qualname` per
//! line, `#` comments; deny lines add a category after whitespace.

use super::{Category, DenyEntry};

/// Built-in allowlist profiles, by name.
pub static PROFILES: &[(&str, &str)] = &[
    (
        "builtins",
        include_str!("../../data/pickle/allow/builtins.txt"),
    ),
    (
        "collections",
        include_str!("../../data/pickle/allow/collections.txt"),
    ),
    (
        "pytorch",
        include_str!("../../data/pickle/allow/pytorch.txt"),
    ),
    (
        "torchscript",
        include_str!("../../data/pickle/allow/torchscript.txt"),
    ),
    ("numpy", include_str!("../../data/pickle/allow/numpy.txt")),
    (
        "sklearn",
        include_str!("../../data/pickle/allow/sklearn.txt"),
    ),
    ("scipy", include_str!("../../data/pickle/allow/scipy.txt")),
    ("pandas", include_str!("../../data/pickle/allow/pandas.txt")),
    (
        "xgboost",
        include_str!("../../data/pickle/allow/xgboost.txt"),
    ),
    (
        "lightgbm",
        include_str!("../../data/pickle/allow/lightgbm.txt"),
    ),
    (
        "omegaconf",
        include_str!("../../data/pickle/allow/omegaconf.txt"),
    ),
    ("joblib", include_str!("../../data/pickle/allow/joblib.txt")),
];

pub static DENY: &str = include_str!("../../data/pickle/deny.txt");

/// A line of a data file that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, l)| {
        let l = l.split('#').next().unwrap_or("").trim();
        (!l.is_empty()).then_some((i + 1, l))
    })
}

fn split_global(file: &str, line: usize, s: &str) -> Result<(String, String), ParseError> {
    let err = |reason: &str| ParseError {
        file: file.to_string(),
        line,
        reason: format!("{reason}: '{s}'"),
    };
    let (m, n) = s
        .split_once(':')
        .ok_or_else(|| err("expected module:qualname"))?;
    if m.is_empty() || n.is_empty() || m.contains(char::is_whitespace) {
        return Err(err("empty or malformed module or name"));
    }
    Ok((m.trim_end_matches(".**").to_string(), n.to_string()))
}

/// Parse one allowlist profile into `(module, name)` pairs.
pub fn parse_allow(profile: &str, text: &str) -> Result<Vec<(String, String)>, ParseError> {
    content_lines(text)
        .map(|(line, l)| {
            let (m, n) = split_global(profile, line, l)?;
            if n == "*" && profile != "torchscript" {
                return Err(ParseError {
                    file: profile.to_string(),
                    line,
                    reason: "wildcards are only allowed in the torchscript profile".into(),
                });
            }
            Ok((m, n))
        })
        .collect()
}

/// Parse the denylist.
pub fn parse_deny(text: &str) -> Result<Vec<DenyEntry>, ParseError> {
    content_lines(text)
        .map(|(line, l)| {
            let mut fields = l.split_whitespace();
            let global = fields.next().unwrap_or("");
            let (module, name) = split_global("deny", line, global)?;
            let cat = fields.next().unwrap_or("");
            let category = Category::parse(cat).ok_or_else(|| ParseError {
                file: "deny".into(),
                line,
                reason: format!("unknown category '{cat}'"),
            })?;
            Ok(DenyEntry {
                module,
                name: (name != "*").then_some(name),
                category,
            })
        })
        .collect()
}
