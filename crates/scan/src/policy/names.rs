//! Resolution of dotted qualified names.
//!
//! Since protocol 4, `find_class` walks a dotted name attribute by attribute, so
//! `argparse` + `_os.system` is `os.system` (argparse imports os as `_os`). The
//! scanner cannot import modules to see what an attribute is, so it tries every
//! reading a gadget could hide behind: the module extended by leading name
//! components, and any component taken as a module alias (with leading
//! underscores stripped, as in `_os`, `_subprocess`).

/// Every `(module, name)` reading of `module` + dotted `name`, the literal one first.
pub fn candidates(module: &str, name: &str) -> Vec<(String, String)> {
    let mut out = vec![(module.to_string(), name.to_string())];
    let parts: Vec<&str> = name.split('.').collect();
    for i in 1..parts.len() {
        let (head, tail) = parts.split_at(i);
        let tail = tail.join(".");
        out.push((format!("{module}.{}", head.join(".")), tail.clone()));
        if let Some(alias) = head.last() {
            let bare = alias.trim_start_matches('_');
            if !bare.is_empty() {
                out.push((bare.to_string(), tail));
            }
        }
    }
    out
}

/// Attributes that reach a module's globals, the builtins or code objects.
const DANGEROUS_DUNDERS: &[&str] = &[
    "__globals__",
    "__builtins__",
    "__dict__",
    "__subclasses__",
    "__code__",
    "__closure__",
    "__import__",
    "__loader__",
    "__getattribute__",
    "__func__",
    "__self__",
];

/// Does a dotted name walk through dunder attributes (`__globals__`,
/// `__builtins__`, `X.__class__.y`, ...)? No pickle writer emits such names:
/// they are how sandbox escapes reach arbitrary objects. A final dunder such as
/// `copyreg.__newobj__` is a plain module attribute and is left to the lists.
pub fn has_dunder_walk(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    let last = parts.len().saturating_sub(1);
    parts.iter().enumerate().any(|(i, p)| {
        let dunder = p.len() > 4 && p.starts_with("__") && p.ends_with("__");
        DANGEROUS_DUNDERS.contains(p) || (dunder && i < last)
    })
}
