//! Turning ruff expressions into resolved names and value summaries.
//!
//! Part of the adapter: the only other module besides `syntax` that sees
//! ruff's AST. Every walk here is bounded by a named limit.

use crate::limits::{MAX_MENTIONS, MAX_SUMMARY_DEPTH};
use crate::model::{Lit, Value};
use crate::scope::{Binding, Scopes, join};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, UnaryOp};

/// Attribute links followed when resolving one name.
const MAX_CHAIN: usize = 64;

/// The resolved dotted name of a name, attribute chain or call chain:
/// `t.load` -> `torch.load`, `Flask(__name__).run` -> `flask.Flask().run`.
pub(crate) fn resolve(scopes: &Scopes, expr: &Expr) -> Option<String> {
    let mut links: Vec<&str> = Vec::new();
    let mut cur = expr;
    let base = loop {
        if links.len() > MAX_CHAIN {
            return None;
        }
        match cur {
            Expr::Attribute(a) => {
                links.push(a.attr.as_str());
                cur = &a.value;
            }
            Expr::Call(c) => {
                links.push("()");
                cur = &c.func;
            }
            Expr::Name(n) => break base_name(scopes, n.id.as_str()),
            _ => return None,
        }
    };
    let mut name = base;
    for link in links.iter().rev() {
        if *link == "()" {
            name.push_str("()");
        } else {
            name = join(&name, link);
        }
    }
    Some(name)
}

fn base_name(scopes: &Scopes, id: &str) -> String {
    match scopes.lookup(id) {
        Some(Binding::Qualified(q)) => q.clone(),
        _ => id.to_string(),
    }
}

/// The literal an expression is, directly or through a name assigned one.
pub(crate) fn literal(scopes: &Scopes, expr: &Expr) -> Option<Lit> {
    match expr {
        Expr::StringLiteral(s) => Some(Lit::Str(s.value.to_str().to_string())),
        Expr::BooleanLiteral(b) => Some(Lit::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Lit::None),
        Expr::NumberLiteral(_) => Some(Lit::Num),
        Expr::UnaryOp(u) if u.op == UnaryOp::USub && u.operand.is_number_literal_expr() => {
            Some(Lit::Num)
        }
        Expr::Name(n) => match scopes.lookup(n.id.as_str()) {
            Some(Binding::Literal(l)) => Some(l.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `expr` mentions a parameter of the enclosing function or request
/// data: [`summarise`]'s `tainted`, without building the rest of the summary
/// (an assignment only needs this).
pub(crate) fn tainted(scopes: &Scopes, expr: &Expr) -> bool {
    let mut c = Collector {
        scopes,
        value: Value::default(),
        depth: 0,
        taint_only: true,
        seen: 0,
    };
    c.visit_expr(expr);
    c.value.tainted
}

/// A bounded summary of one expression: literal, name, mentions, callees, taint.
pub(crate) fn summarise(scopes: &Scopes, expr: &Expr) -> Value {
    let mut c = Collector {
        taint_only: false,
        seen: 0,
        scopes,
        value: Value {
            lit: literal(scopes, expr),
            dotted: match expr {
                Expr::Name(_) | Expr::Attribute(_) => resolve(scopes, expr),
                _ => None,
            },
            ..Value::default()
        },
        depth: 0,
    };
    c.value.built_string = is_built_string(expr);
    c.visit_expr(expr);
    c.value
}

fn is_string(expr: &Expr) -> bool {
    matches!(expr, Expr::StringLiteral(_) | Expr::FString(_))
}

/// An f-string with holes, `"a" + x`, `"%s" % x` or `"{}".format(x)`.
fn is_built_string(expr: &Expr) -> bool {
    match expr {
        Expr::FString(_) => true,
        Expr::BinOp(b) => is_string(&b.left) || is_string(&b.right) || is_built_string(&b.left),
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Attribute(a) => a.attr.as_str() == "format" && is_string(&a.value),
            _ => false,
        },
        _ => false,
    }
}

struct Collector<'s> {
    scopes: &'s Scopes,
    value: Value,
    depth: usize,
    /// Only `tainted` is wanted: names are checked, not kept.
    taint_only: bool,
    /// Mentions seen (kept or not), bounded by [`MAX_MENTIONS`] either way.
    seen: usize,
}

impl Collector<'_> {
    fn mention(&mut self, name: &str) {
        if is_request_data(name) {
            self.value.tainted = true;
        }
        if self.seen < MAX_MENTIONS {
            self.seen += 1;
            if !self.taint_only {
                self.value.mentions.push(name.to_string());
            }
        }
    }

    /// Done early: the walk only looks for taint, and it has been found.
    fn done(&self) -> bool {
        self.seen >= MAX_MENTIONS || (self.taint_only && self.value.tainted)
    }
}

/// Flask's `request`, or any name `request` (FastAPI/Starlette handlers).
fn is_request_data(name: &str) -> bool {
    name == "request" || name.starts_with("request.") || name.starts_with("flask.request")
}

impl<'a> Visitor<'a> for Collector<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= MAX_SUMMARY_DEPTH || self.done() {
            return;
        }
        self.depth += 1;
        match expr {
            Expr::Name(n) => {
                match self.scopes.lookup(n.id.as_str()) {
                    Some(Binding::Param) => self.value.tainted = true,
                    Some(Binding::Exception) => self.value.exception = true,
                    _ => {}
                }
                match self.scopes.lookup(n.id.as_str()) {
                    Some(Binding::Qualified(q)) => {
                        let q = q.as_str();
                        self.mention(q);
                    }
                    _ => self.mention(n.id.as_str()),
                }
            }
            Expr::Attribute(_) => {
                if let Some(d) = resolve(self.scopes, expr) {
                    self.mention(&d);
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Call(call) => {
                if !self.taint_only
                    && let Some(d) = resolve(self.scopes, &call.func)
                    && self.value.callees.len() < MAX_MENTIONS
                {
                    self.value.callees.push(d);
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.depth -= 1;
    }
}
