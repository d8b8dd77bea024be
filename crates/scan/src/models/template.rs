//! Chat templates (Jinja): judged on the accesses the template makes, as
//! tokenized by `aigis_formats::jinja` — never rendered. Python internals
//! and process helpers reached from a template are sandbox escapes
//! (CVE-2024-34359); computed names, private attributes and template loads
//! are suspicious. One finding per rule and name, with the first place.

use super::inconclusive;
use crate::rules::models::{chat_template_sandbox_escape, chat_template_suspicious_access};
use aigis_findings::{Finding, Location, Rule};
use aigis_formats::jinja::{self, Access, AccessKind};

/// Python attributes that lead from any object to classes, modules,
/// globals, builtins, frames or code: no chat template needs them.
const INTERNALS: &[&str] = &[
    "__class__",
    "__mro__",
    "__base__",
    "__bases__",
    "__subclasses__",
    "__globals__",
    "__builtins__",
    "__init__",
    "__import__",
    "__getattribute__",
    "__getattr__",
    "__dict__",
    "__code__",
    "__closure__",
    "__func__",
    "__self__",
    "__module__",
    "__reduce__",
    "__reduce_ex__",
    "__loader__",
    "__spec__",
    "__call__",
    "__getitem__",
    "func_globals",
    "func_code",
    "f_globals",
    "f_locals",
    "f_builtins",
    "f_back",
    "gi_frame",
    "gi_code",
    "cr_frame",
    "ag_frame",
    "tb_frame",
    "co_code",
    "mro",
    "_TemplateReference__context",
];

/// Module and function names that run code or commands when reached and
/// then used (called or accessed further: `x.os.popen(...)`). Bare, unused
/// accesses (`ns.system`) are left alone: templates name their own variables.
const EXECUTORS: &[&str] = &[
    "os",
    "sys",
    "subprocess",
    "popen",
    "system",
    "spawn",
    "spawnv",
    "execv",
    "execl",
    "Popen",
    "check_output",
    "check_call",
    "getoutput",
    "eval",
    "exec",
    "compile",
    "import_module",
    "importlib",
    "load_module",
    "builtins",
    "modules",
    "getattr",
    "setattr",
    "globals",
    "locals",
];

/// Distinct accesses named in one finding's message.
const MAX_LISTED: usize = 12;

fn is_dunder(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

/// The rule an access fires, if any.
fn rule_for(kind: AccessKind, name: &str, continued: bool) -> Option<&'static Rule> {
    use AccessKind as K;
    let escape = Some(&chat_template_sandbox_escape::RULE);
    let suspicious = Some(&chat_template_suspicious_access::RULE);
    match kind {
        K::Attribute | K::Item | K::AttrFilter => {
            if INTERNALS.contains(&name) || is_dunder(name) {
                escape
            } else if EXECUTORS.contains(&name) {
                if continued { escape } else { None }
            } else if name.starts_with('_') {
                suspicious
            } else {
                None
            }
        }
        K::Constant => (INTERNALS.contains(&name) || is_dunder(name))
            .then_some(&chat_template_sandbox_escape::RULE),
        K::DynamicAttrFilter | K::DynamicItem | K::UndecodedEscape | K::Statement => suspicious,
    }
}

fn describe(a: &Access) -> String {
    let n = &a.name;
    match a.kind {
        AccessKind::Attribute => format!("`.{n}`"),
        AccessKind::Item => format!("`['{n}']`"),
        AccessKind::AttrFilter => format!("`attr('{n}')`"),
        AccessKind::DynamicAttrFilter => "`attr(...)` of a computed name".into(),
        AccessKind::DynamicItem => "`[...]` of a name built from a string".into(),
        AccessKind::Constant => format!("the string '{n}'"),
        AccessKind::UndecodedEscape => "a string with a `\\N{...}` escape".into(),
        AccessKind::Statement => format!("`{{% {n} %}}` of another template"),
    }
}

/// The tag text around an access, on one line, at most 200 characters.
fn snippet(src: &str, a: &Access) -> String {
    let text = src.get(a.tag.0..a.tag.1).unwrap_or("");
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(200).collect();
    if out.len() < flat.len() {
        out.push('…');
    }
    out
}

/// Judge the template `src` stored under `key` at absolute offset `base`
/// of the file at `loc`.
pub(crate) fn check(src: &str, key: &str, loc: &Location, base: u64, out: &mut Vec<Finding>) {
    let select = |kind: AccessKind, name: &str| {
        // Keep executor names even when unused: `continued` decides later.
        rule_for(kind, name, true).is_some()
    };
    let analysis = match jinja::analyze(src, &select) {
        Ok(a) => a,
        Err(e) => {
            out.push(inconclusive(
                &loc.clone().at_offset(base),
                &format!("chat template '{key}' cannot be tokenized: {e}"),
            ));
            return;
        }
    };
    // A constant that is also the name of an item or `attr` access is that access.
    let accessed: Vec<usize> = analysis
        .accesses
        .iter()
        .filter(|a| a.kind != AccessKind::Constant)
        .map(|a| a.offset)
        .collect();
    // One finding per rule: every distinct access, the first one located.
    let mut by_rule: Vec<(&'static Rule, &Access, Vec<String>)> = Vec::new();
    for a in &analysis.accesses {
        let Some(rule) = rule_for(a.kind, &a.name, a.continued) else {
            continue;
        };
        if a.kind == AccessKind::Constant && accessed.contains(&a.offset) {
            continue;
        }
        let what = describe(a);
        match by_rule.iter_mut().find(|(r, _, _)| r.id == rule.id) {
            Some((_, _, list)) if !list.contains(&what) => list.push(what),
            Some(_) => {}
            None => by_rule.push((rule, a, vec![what])),
        }
    }
    for (rule, first, list) in by_rule {
        let (line, col) = jinja::line_col(src, first.offset);
        let what = if rule.id == chat_template_sandbox_escape::RULE.id {
            "reaches Python internals or process execution through"
        } else {
            "hides or widens what it can reach with"
        };
        let shown: Vec<&str> = list.iter().take(MAX_LISTED).map(String::as_str).collect();
        let more = if list.len() > MAX_LISTED { ", …" } else { "" };
        out.push(
            Finding::new(
                rule,
                loc.clone().at_offset(base + first.offset as u64),
                format!("chat template '{key}' {what} {}{more}", shown.join(", ")),
                &format!("{key}\0{}", list.join("\0")),
            )
            .with_evidence(format!(
                "line {line}, column {col}: {}",
                snippet(src, first)
            )),
        );
    }
}
