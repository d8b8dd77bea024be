//! Name resolution: what each local name stands for, per module and per
//! function, so that `t.load` after `import torch as t` is judged as
//! `torch.load`.
//!
//! Flow-insensitive and deliberately simple: the last binding seen in walk
//! order wins; a function sees its own bindings, then its enclosing ones.

use crate::limits::{MAX_BINDINGS_PER_SCOPE, MAX_NAME_LEN};
use crate::model::Lit;
use foldhash::HashMap;

/// What a local name is bound to.
#[derive(Clone, Debug)]
pub(crate) enum Binding {
    /// A module or an object imported or aliased, fully qualified.
    Qualified(String),
    /// A literal assigned in this scope.
    Literal(Lit),
    /// A function parameter (caller-controlled data).
    Param,
    /// The exception of an `except ... as name` handler.
    Exception,
    /// Anything else: shadows outer bindings of the same name.
    Unknown,
}

#[derive(Debug, Default)]
struct Scope {
    /// foldhash: several times faster than SipHash on short names (lookups
    /// are the walk's hot path) and still seeded per process, so a hostile
    /// file cannot plan collisions.
    names: HashMap<String, Binding>,
    in_route: bool,
}

/// The stack of scopes: module at the bottom, functions above it.
#[derive(Debug)]
pub(crate) struct Scopes {
    stack: Vec<Scope>,
}

impl Scopes {
    pub fn new() -> Self {
        Scopes {
            stack: vec![Scope::default()],
        }
    }

    pub fn push_function(&mut self, params: Vec<String>, in_route: bool) {
        let mut scope = Scope {
            in_route,
            ..Scope::default()
        };
        for p in params {
            scope.names.insert(p, Binding::Param);
        }
        self.stack.push(scope);
    }

    pub fn pop_function(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    pub fn in_route(&self) -> bool {
        self.stack.last().is_some_and(|s| s.in_route)
    }

    pub fn bind(&mut self, name: &str, binding: Binding) {
        if let Some(scope) = self.stack.last_mut() {
            if scope.names.len() >= MAX_BINDINGS_PER_SCOPE && !scope.names.contains_key(name) {
                return;
            }
            scope.names.insert(name.to_string(), binding);
        }
    }

    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        self.stack.iter().rev().find_map(|s| s.names.get(name))
    }

    /// `import a.b.c` binds `a`; `import a.b.c as x` binds `x` to `a.b.c`.
    pub fn import(&mut self, module: &str, asname: Option<&str>) {
        match asname {
            Some(alias) => self.bind(alias, Binding::Qualified(module.to_string())),
            None => {
                let top = module.split('.').next().unwrap_or(module);
                self.bind(top, Binding::Qualified(top.to_string()));
            }
        }
    }

    /// `from m import n as x` binds `x` (or `n`) to `m.n`.
    pub fn import_from(&mut self, module: &str, name: &str, asname: Option<&str>) {
        if name == "*" {
            return;
        }
        let qualified = join(module, name);
        self.bind(asname.unwrap_or(name), Binding::Qualified(qualified));
    }
}

/// Ends a dotted name cut at [`MAX_NAME_LEN`].
const TRUNCATED: char = '\u{2026}';

/// `a` + `.` + `b`, capped at [`MAX_NAME_LEN`] so that hostile attribute
/// chains cannot make names grow without bound.
pub(crate) fn join(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len() + 1);
    s.push_str(a);
    if !a.is_empty() {
        s.push('.');
    }
    s.push_str(b);
    if s.len() > MAX_NAME_LEN {
        // Cut, and marked as cut: a shortened name must not end in a
        // different (and matchable) last segment than the one written, which
        // the prefilter relies on.
        let mut cut = MAX_NAME_LEN - TRUNCATED.len_utf8();
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push(TRUNCATED);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_and_functions_see_outer_names() {
        let mut s = Scopes::new();
        s.import("torch", Some("t"));
        s.import("xml.etree.ElementTree", None);
        s.import_from("pickle", "loads", Some("l"));
        s.push_function(vec!["path".into()], true);
        assert!(matches!(s.lookup("t"), Some(Binding::Qualified(q)) if q == "torch"));
        assert!(matches!(s.lookup("xml"), Some(Binding::Qualified(q)) if q == "xml"));
        assert!(matches!(s.lookup("l"), Some(Binding::Qualified(q)) if q == "pickle.loads"));
        assert!(matches!(s.lookup("path"), Some(Binding::Param)));
        assert!(s.in_route());
        s.pop_function();
        assert!(s.lookup("path").is_none());
    }
}
