//! Accesses in one tag's tokens: attribute and item access, the `attr`
//! filter, string constants (folded across concatenation) and statements
//! that load other templates.

use super::lexer::{Tag, Tok, Token};
use super::{Access, AccessKind};

/// Names after which `[` opens a list literal, not a subscript.
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "else", "elif", "for", "set", "with", "do", "print",
    "return", "call", "filter", "macro", "block", "as", "import", "from", "include", "extends",
];

/// Statements that load other templates.
const LOADERS: &[&str] = &["import", "from", "include", "extends"];

fn op<'s>(t: Option<&Token<'s>>) -> Option<&'s str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Op(o)) => Some(o),
        _ => None,
    }
}

/// Can the token end an operand (so that a following `[` subscripts it)?
fn ends_operand(t: Option<&Token<'_>>) -> bool {
    match t.map(|t| &t.tok) {
        Some(Tok::Name(n)) => !KEYWORDS.contains(n),
        Some(Tok::Str { .. } | Tok::Num) => true,
        Some(Tok::Op(o)) => matches!(*o, ")" | "]" | "}"),
        None => false,
    }
}

/// The constant string expression from `start` to the `close` bracket
/// that ends its group, and the index of that bracket: string literals
/// joined by `~` or `+`, parentheses allowed. `None` at the first token that is anything else, so scans stay
/// short whatever the nesting.
fn constant(toks: &[Token<'_>], start: usize, close: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut want_str = true;
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(start) {
        match (&t.tok, want_str) {
            (Tok::Op("("), true) => depth += 1,
            (Tok::Op(")"), false) if depth > 0 => depth -= 1,
            (Tok::Op(o), false) if depth == 0 && *o == close => return Some((out, i)),
            (Tok::Str { value, .. }, true) => {
                out.push_str(value);
                want_str = false;
            }
            (Tok::Op("~" | "+"), false) => want_str = true,
            _ => return None,
        }
    }
    None
}

/// Most tokens of a subscript looked at to tell a computed name.
const MAX_SUBSCRIPT_TOKENS: usize = 64;

/// Does the subscript starting at `start` build a string from a literal
/// (`x['__ssalc__'|reverse]`, `x['%c%c'|format(95, 95) ~ 'class__']`)?
/// Index arithmetic and plain variables (`x[i - 1]`, `x[key]`) do not.
fn computes_a_name(toks: &[Token<'_>], start: usize) -> bool {
    let (mut literal, mut operation, mut depth) = (false, false, 0usize);
    for t in toks.iter().skip(start).take(MAX_SUBSCRIPT_TOKENS) {
        match &t.tok {
            Tok::Op("(" | "[" | "{") => depth += 1,
            Tok::Op("]") if depth == 0 => break,
            Tok::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
            Tok::Str { .. } => literal = true,
            Tok::Op("|" | "~" | "+" | "%" | "*") => operation = true,
            _ => {}
        }
    }
    literal && operation
}

/// A string literal and the literals concatenated to it: `'a' ~ 'b' + 'c'`.
fn folded(toks: &[Token<'_>], i: usize) -> Option<String> {
    let mut out = String::new();
    let mut j = i;
    loop {
        match toks.get(j).map(|t| &t.tok) {
            Some(Tok::Str { value, .. }) => out.push_str(value),
            _ => return None,
        }
        match (op(toks.get(j + 1)), toks.get(j + 2).map(|t| &t.tok)) {
            (Some("~" | "+"), Some(Tok::Str { .. })) => j += 2,
            _ => return Some(out),
        }
    }
}

/// Is the value after token `i` used further: called, or accessed again?
fn continued(toks: &[Token<'_>], i: usize) -> bool {
    matches!(op(toks.get(i + 1)), Some("(" | "." | "["))
}

pub(super) fn collect(tag: &Tag<'_>, emit: &mut dyn FnMut(Access)) {
    let toks = tag.tokens.as_slice();
    let mut put = |kind, name: String, offset, continued| {
        emit(Access {
            kind,
            name,
            offset,
            tag: tag.span,
            continued,
        })
    };
    if tag.statement
        && let Some(Token {
            tok: Tok::Name(n),
            offset,
        }) = toks.first()
        && LOADERS.contains(n)
    {
        put(AccessKind::Statement, (*n).to_string(), *offset, false);
    }
    for (i, t) in toks.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        match &t.tok {
            Tok::Op(".") => {
                if let Some(Token {
                    tok: Tok::Name(n),
                    offset,
                }) = toks.get(i + 1)
                {
                    put(
                        AccessKind::Attribute,
                        (*n).to_string(),
                        *offset,
                        continued(toks, i + 1),
                    );
                }
            }
            Tok::Op("[") if ends_operand(prev) => {
                let Some(first) = toks.get(i + 1) else {
                    continue;
                };
                if let Some((name, close)) = constant(toks, i + 1, "]") {
                    put(AccessKind::Item, name, first.offset, continued(toks, close));
                } else if computes_a_name(toks, i + 1) {
                    put(
                        AccessKind::DynamicItem,
                        "<computed>".into(),
                        first.offset,
                        false,
                    );
                }
            }
            Tok::Op("|") => {
                let is_attr = matches!(toks.get(i + 1).map(|t| &t.tok), Some(Tok::Name("attr")))
                    && op(toks.get(i + 2)) == Some("(");
                if !is_attr {
                    continue;
                }
                let at = toks.get(i + 3).map_or(t.offset, |f| f.offset);
                match constant(toks, i + 3, ")") {
                    Some((name, close)) => {
                        put(AccessKind::AttrFilter, name, at, continued(toks, close))
                    }
                    None => put(
                        AccessKind::DynamicAttrFilter,
                        "<computed>".into(),
                        at,
                        false,
                    ),
                }
            }
            Tok::Str { value, undecoded } => {
                if *undecoded {
                    put(AccessKind::UndecodedEscape, value.clone(), t.offset, false);
                }
                let continues_chain = matches!(prev.map(|p| &p.tok), Some(Tok::Op("~" | "+")))
                    && matches!(
                        i.checked_sub(2).and_then(|p| toks.get(p)).map(|p| &p.tok),
                        Some(Tok::Str { .. })
                    );
                if !continues_chain && let Some(v) = folded(toks, i) {
                    put(AccessKind::Constant, v, t.offset, false);
                }
            }
            _ => {}
        }
    }
}
