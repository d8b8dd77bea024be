//! Calls that only name another global, folded into that name before judging.
//!
//! - `getattr(G, 'attr')` on an imported global `G` (or on an attribute already
//!   folded, or on an instance of `G` made by NEWOBJ or `copyreg._reconstructor`)
//!   stands for the global `G.attr`: the file could have imported it by its
//!   dotted name. The folded name is judged like any import, with the uses of
//!   the `getattr` result, so `getattr(OrderedDict, 'fromkeys')` is as safe as
//!   `collections.OrderedDict.fromkeys` and `getattr(os, 'system')` is still a
//!   gadget.
//! - `functools.partial(f, ...)` on an imported (or folded) `f` adds nothing
//!   REDUCE could not do with `f` directly; `f` is judged as called.
//!
//! A fold applies only when the whole picture is known: every call site was
//! recorded, the attribute is a public name, and the folded result is not
//! patched (BUILD) or mutated. The `getattr`/`partial` import itself is
//! dropped only when every one of its uses folded; otherwise it is judged as
//! the gadget it is.

use aigis_pickle::{Analysis, ArgRef, CallKind, Callee, Uses};

/// A name a call's result stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folded {
    pub module: String,
    pub name: String,
    /// Index of the `getattr` call in [`Analysis::calls`].
    pub call: usize,
}

/// What folding found in one analysis.
#[derive(Debug, Default)]
pub struct Folds {
    /// Per call: the name its result stands for (`getattr` folds).
    pub names: Vec<Option<Folded>>,
    /// Per import: every use folded, so it has no finding of its own.
    pub absorbed: Vec<bool>,
    /// Per import: wrapped by a folded `functools.partial`, hence called.
    pub wrapped: Vec<bool>,
    /// Per call: `functools.partial` wraps this folded `getattr` result.
    pub wrapped_results: Vec<bool>,
}

fn is(a: &Analysis, i: usize, module: &str, name: &str) -> bool {
    a.imports
        .get(i)
        .is_some_and(|imp| imp.module == module && imp.name == name)
}

fn is_getattr(a: &Analysis, i: usize) -> bool {
    is(a, i, "builtins", "getattr")
}

fn is_partial(a: &Analysis, i: usize) -> bool {
    is(a, i, "functools", "partial")
}

fn is_reconstructor(a: &Analysis, i: usize) -> bool {
    is(a, i, "copyreg", "_reconstructor")
}

/// A public attribute name: an identifier that does not start with `_`.
fn public_attr(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The result is used as a value or called, never changed in place.
fn unchanged(u: &Uses) -> bool {
    !u.build_target && !u.mutated
}

impl Folds {
    pub fn of(a: &Analysis) -> Folds {
        let mut f = Folds {
            names: vec![None; a.calls.len()],
            absorbed: vec![false; a.imports.len()],
            wrapped: vec![false; a.imports.len()],
            wrapped_results: vec![false; a.calls.len()],
        };
        if a.calls_dropped > 0 {
            return f;
        }
        // Per import: (calls seen, calls folded).
        let mut tally = vec![(0usize, 0usize); a.imports.len()];
        for (c, call) in a.calls.iter().enumerate() {
            let Callee::Import(g) = call.callee else {
                continue;
            };
            let folded = if is_getattr(a, g) {
                let name = f.getattr(a, c);
                let ok = name.is_some();
                if let Some(slot) = f.names.get_mut(c) {
                    *slot = name;
                }
                ok
            } else if is_partial(a, g) {
                f.partial(a, c)
            } else {
                false
            };
            if let Some(t) = tally.get_mut(g) {
                t.0 += 1;
                t.1 += usize::from(folded);
            }
        }
        for (i, imp) in a.imports.iter().enumerate() {
            let u = &imp.uses;
            let (seen, folded) = tally.get(i).copied().unwrap_or_default();
            let only_calls = !u.referenced && !u.build_target && !u.mutated;
            if seen > 0
                && seen == folded
                && only_calls
                && let Some(slot) = f.absorbed.get_mut(i)
            {
                *slot = true;
            }
        }
        f
    }

    /// `getattr(base, 'attr')` with a base that names a global.
    fn getattr(&self, a: &Analysis, c: usize) -> Option<Folded> {
        let call = a.calls.get(c)?;
        if call.kind != CallKind::Reduce
            || call.arg_count != Some(2)
            || !unchanged(&call.result_uses)
        {
            return None;
        }
        let [base, ArgRef::Str(attr)] = call.arg_refs.as_slice() else {
            return None;
        };
        if !public_attr(attr) {
            return None;
        }
        let (module, name) = self.base(a, base)?;
        Some(Folded {
            module,
            name: format!("{name}.{attr}"),
            call: c,
        })
    }

    /// The global a `getattr` base stands for: an import, a folded result,
    /// or an instance of an imported class (attributes of an instance are
    /// looked up on its class).
    fn base(&self, a: &Analysis, base: &ArgRef) -> Option<(String, String)> {
        let import = |i: usize| {
            a.imports
                .get(i)
                .map(|imp| (imp.module.clone(), imp.name.clone()))
        };
        match base {
            ArgRef::Import(i) => import(*i),
            ArgRef::Result(r) => {
                if let Some(Some(f)) = self.names.get(*r) {
                    return Some((f.module.clone(), f.name.clone()));
                }
                let made = a.calls.get(*r)?;
                let Callee::Import(k) = made.callee else {
                    return None;
                };
                match made.kind {
                    CallKind::NewObj | CallKind::NewObjEx => import(k),
                    CallKind::Reduce if is_reconstructor(a, k) => match made.arg_refs.first() {
                        Some(ArgRef::Import(cls)) => import(*cls),
                        _ => None,
                    },
                    _ => None,
                }
            }
            ArgRef::Str(_) | ArgRef::Other => None,
        }
    }

    /// `functools.partial(f, ...)` with `f` an import or a folded name.
    fn partial(&mut self, a: &Analysis, c: usize) -> bool {
        let Some(call) = a.calls.get(c) else {
            return false;
        };
        if !matches!(
            call.kind,
            CallKind::Reduce | CallKind::NewObj | CallKind::NewObjEx
        ) || call.result_uses.mutated
        {
            return false;
        }
        match call.arg_refs.first() {
            Some(ArgRef::Import(i)) => match self.wrapped.get_mut(*i) {
                Some(w) => {
                    *w = true;
                    true
                }
                None => false,
            },
            Some(ArgRef::Result(r)) if matches!(self.names.get(*r), Some(Some(_))) => {
                if let Some(w) = self.wrapped_results.get_mut(*r) {
                    *w = true;
                }
                true
            }
            _ => false,
        }
    }
}
