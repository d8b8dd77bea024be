//! The parser-independent facts the detectors judge: calls with their
//! resolved callee and (lazily) summarised arguments, and returned values.
//!
//! Nothing here knows ruff's AST; `syntax` builds these, `detect` reads them.

/// A literal value seen at a call site (directly or through a variable
/// assigned a literal in the same scope).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Bool(bool),
    None,
    Num,
}

/// What the walker knows about one expression, cheaply and boundedly.
#[derive(Clone, Debug, Default)]
pub(crate) struct Value {
    /// The literal, if the expression is (or names) one.
    pub lit: Option<Lit>,
    /// The resolved dotted name if the expression is a name or attribute chain.
    pub dotted: Option<String>,
    /// Resolved dotted names mentioned anywhere inside (bounded).
    pub mentions: Vec<String>,
    /// Resolved callees of calls inside (bounded), e.g. `traceback.format_exc`.
    pub callees: Vec<String>,
    /// Mentions a parameter of the enclosing function or request data.
    pub tainted: bool,
    /// Mentions the variable of an enclosing `except ... as e` handler.
    pub exception: bool,
    /// A string built at run time: an f-string, `+`/`%` with a string, or `'...'.format(...)`.
    pub built_string: bool,
}

impl Value {
    pub fn is_literal(&self) -> bool {
        self.lit.is_some()
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.lit {
            Some(Lit::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.lit {
            Some(Lit::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// Truthy literal (`True`, or a non-zero number is not tracked: only `True`).
    pub fn is_true(&self) -> bool {
        self.as_bool() == Some(true)
    }

    pub fn is_false(&self) -> bool {
        self.as_bool() == Some(false)
    }
}

/// One argument, summarised on first use: most calls are judged by their
/// callee alone, so most arguments are never summarised.
pub(crate) struct Arg<'a> {
    value: std::cell::OnceCell<Value>,
    make: &'a dyn Summarise,
}

/// Builds the [`Value`] of one argument (the adapter implements it).
pub(crate) trait Summarise {
    fn summarise(&self) -> Value;
}

impl<'a> Arg<'a> {
    pub fn new(make: &'a dyn Summarise) -> Self {
        Arg {
            value: std::cell::OnceCell::new(),
            make,
        }
    }

    pub fn get(&self) -> &Value {
        self.value.get_or_init(|| self.make.summarise())
    }
}

/// One call site, its callee resolved through imports and aliases.
pub(crate) struct Call<'a> {
    /// Fully qualified callee, e.g. `torch.load`; instances are written with
    /// `()`: `flask.Flask().run`. Unresolved names stay as written (`df.eval`).
    pub callee: String,
    pub args: Vec<Arg<'a>>,
    /// Keyword arguments by name; `**mapping` is recorded in `splat`.
    pub keywords: Vec<(&'a str, Arg<'a>)>,
    /// The call has `**kwargs` (or `*args`): unknown arguments may be passed.
    pub splat: bool,
    pub span: Span,
}

impl Call<'_> {
    pub fn keyword(&self, name: &str) -> Option<&Value> {
        self.keywords
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.get())
    }

    /// The argument passed by keyword `name` or at position `pos`.
    pub fn arg(&self, pos: usize, name: &str) -> Option<&Value> {
        self.keyword(name).or_else(|| self.positional(pos))
    }

    /// The positional argument at `pos`.
    pub fn positional(&self, pos: usize) -> Option<&Value> {
        self.args.get(pos).map(Arg::get)
    }

    /// Every positional argument, in order.
    pub fn positionals(&self) -> impl Iterator<Item = &Value> {
        self.args.iter().map(Arg::get)
    }

    /// Every keyword argument, in order.
    pub fn keyword_values(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.keywords.iter().map(|(k, v)| (*k, v.get()))
    }
}

/// A `return` statement (or a value handed to a response constructor).
#[derive(Clone, Debug)]
pub(crate) struct Return {
    pub value: Value,
    pub span: Span,
    pub ctx: Context,
}

/// Where in the code a fact was seen.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Context {
    /// The enclosing function is decorated like a web route handler.
    pub in_route: bool,
}

/// Byte offsets into the source, start inclusive, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}
