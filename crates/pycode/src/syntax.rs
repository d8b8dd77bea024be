//! The adapter over `ruff_python_parser`: parses a module (with error
//! recovery) and walks it once, turning calls and returns into the
//! parser-independent calls and returns of `model`, judged by `detect`
//! as the walk meets them.
//!
//! It tracks imports, aliases, literal assignments, instances
//! (`app = Flask(...)`), `with ... as x`, function parameters and `except`
//! variables in [`Scopes`]. The walk is bounded by [`MAX_WALK_DEPTH`].

use crate::detect::{self, Hit};
use crate::limits::MAX_WALK_DEPTH;
use crate::model::{Arg, Call, Context, Return, Span, Summarise, Value};
use crate::resolve::{literal, resolve, summarise, tainted};
use crate::scope::{Binding, Scopes};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, ExceptHandler, Expr, PySourceType, Stmt};
use ruff_text_size::Ranged;

/// Decorator methods that make a function a web route handler
/// (`@app.route`, `@app.get`, `@router.post`, ...).
pub(crate) const ROUTE_DECORATORS: &[&str] = &[
    "route",
    "get",
    "post",
    "put",
    "delete",
    "patch",
    "api_route",
    "websocket",
];

/// The detectors' hits in one module and the first syntax error, if any.
pub(crate) struct Walked {
    pub hits: Vec<Hit>,
    /// Byte offset and message of the first syntax error.
    pub error: Option<(usize, String)>,
}

pub(crate) fn parse_and_walk(source: &str) -> Walked {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let error = parsed
        .errors()
        .first()
        .map(|e| (e.location.start().to_usize(), e.error.to_string()));
    let mut walker = Walker {
        scopes: Scopes::new(),
        hits: Vec::new(),
        depth: 0,
    };
    walker.visit_body(&parsed.syntax().body);
    Walked {
        hits: walker.hits,
        error,
    }
}

struct Walker {
    scopes: Scopes,
    hits: Vec<Hit>,
    depth: usize,
}

fn span(node: &impl Ranged) -> Span {
    let r = node.range();
    Span {
        start: r.start().to_usize(),
        end: r.end().to_usize(),
    }
}

impl Walker {
    fn ctx(&self) -> Context {
        Context {
            in_route: self.scopes.in_route(),
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(i) => self.import(i),
            Stmt::ImportFrom(i) => self.import_from(i),
            Stmt::FunctionDef(f) => self.function(f),
            Stmt::Assign(a) => {
                visitor::walk_stmt(self, stmt);
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    let b = self.binding_of(&a.value);
                    self.scopes.bind(n.id.as_str(), b);
                }
            }
            Stmt::AnnAssign(a) => {
                visitor::walk_stmt(self, stmt);
                if let (Expr::Name(n), Some(v)) = (a.target.as_ref(), a.value.as_deref()) {
                    let b = self.binding_of(v);
                    self.scopes.bind(n.id.as_str(), b);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(Expr::Name(n)) = item.optional_vars.as_deref() {
                        let b = self.binding_of(&item.context_expr);
                        self.scopes.bind(n.id.as_str(), b);
                    }
                }
                self.visit_body(&w.body);
            }
            Stmt::For(f) => {
                // A loop variable shadows what the name held before (e.g. an `except ... as e`).
                if let Expr::Name(n) = f.target.as_ref() {
                    self.scopes.bind(n.id.as_str(), Binding::Unknown);
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Return(r) => {
                // Only route handlers' returns are judged.
                if let Some(v) = r.value.as_deref()
                    && self.scopes.in_route()
                {
                    let value = summarise(&self.scopes, v);
                    let ret = Return {
                        value,
                        span: span(r),
                        ctx: self.ctx(),
                    };
                    detect::check_return(&ret, &mut self.hits);
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn import(&mut self, i: &ast::StmtImport) {
        for a in &i.names {
            let asname = a.asname.as_ref().map(|n| n.as_str());
            self.scopes.import(a.name.as_str(), asname);
        }
    }

    fn import_from(&mut self, i: &ast::StmtImportFrom) {
        let module = i.module.as_ref().map_or("", |m| m.as_str());
        for a in &i.names {
            let asname = a.asname.as_ref().map(|n| n.as_str());
            self.scopes.import_from(module, a.name.as_str(), asname);
        }
    }

    fn function(&mut self, f: &ast::StmtFunctionDef) {
        for d in &f.decorator_list {
            self.visit_decorator(d);
        }
        let in_route = f.decorator_list.iter().any(|d| is_route(&d.expression));
        let params = f
            .parameters
            .iter()
            .map(|p| p.name().as_str().to_string())
            .filter(|p| p != "self" && p != "cls")
            .collect();
        self.scopes.push_function(params, in_route);
        self.visit_body(&f.body);
        self.scopes.pop_function();
    }

    /// What a name assigned `value` stands for afterwards.
    fn binding_of(&self, value: &Expr) -> Binding {
        if let Some(l) = literal(&self.scopes, value) {
            return Binding::Literal(l);
        }
        match value {
            Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_) => {
                if let Some(q) = resolve(&self.scopes, value) {
                    if !matches!(value, Expr::Call(_)) && tainted(&self.scopes, value) {
                        return Binding::Param;
                    }
                    return Binding::Qualified(q);
                }
            }
            _ => {}
        }
        if tainted(&self.scopes, value) {
            Binding::Param
        } else {
            Binding::Unknown
        }
    }

    fn call(&mut self, c: &ast::ExprCall) {
        let Some(callee) = resolve(&self.scopes, &c.func) else {
            return;
        };
        let scopes = &self.scopes;
        let mut splat = false;
        let mut pending = Vec::with_capacity(c.arguments.args.len());
        for a in &c.arguments.args {
            if a.is_starred_expr() {
                splat = true;
            } else {
                pending.push(Pending { scopes, expr: a });
            }
        }
        let mut named = Vec::with_capacity(c.arguments.keywords.len());
        for k in &c.arguments.keywords {
            match &k.arg {
                Some(id) => named.push((
                    id.as_str(),
                    Pending {
                        scopes,
                        expr: &k.value,
                    },
                )),
                None => splat = true,
            }
        }
        let call = Call {
            callee,
            args: pending.iter().map(|p| Arg::new(p)).collect(),
            keywords: named.iter().map(|(k, p)| (*k, Arg::new(p))).collect(),
            splat,
            span: span(c),
        };
        detect::check_call(&call, &mut self.hits);
    }
}

/// An argument expression waiting to be summarised in the scopes of its call.
struct Pending<'s> {
    scopes: &'s Scopes,
    expr: &'s Expr,
}

impl Summarise for Pending<'_> {
    fn summarise(&self) -> Value {
        summarise(self.scopes, self.expr)
    }
}

fn is_route(decorator: &Expr) -> bool {
    match decorator {
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Attribute(a) => ROUTE_DECORATORS.contains(&a.attr.as_str()),
            _ => false,
        },
        _ => false,
    }
}

impl<'a> Visitor<'a> for Walker {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth >= MAX_WALK_DEPTH {
            return;
        }
        self.depth += 1;
        self.stmt(stmt);
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= MAX_WALK_DEPTH {
            return;
        }
        self.depth += 1;
        if let Expr::Call(c) = expr {
            self.call(c);
        }
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }

    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        if let Some(name) = &h.name {
            self.scopes.bind(name.as_str(), Binding::Exception);
        }
        visitor::walk_except_handler(self, handler);
    }
}
