//! Jinja templates (chat templates in GGUF and tokenizer configs): a lexer,
//! and the accesses a template makes — attributes (`x.name`), constant
//! items (`x['name']`, folded across `~`/`+` concatenation), the `attr`
//! filter (constant or computed name), identifier-like string constants
//! and `{% import %}`-style statements.
//!
//! This is the structure that sandbox escapes need (CVE-2024-34359:
//! `().__class__.__base__.__subclasses__()`, `cycler.__init__.__globals__`):
//! names in output text, comments or raw blocks are not accesses, and a
//! name spelled with escapes or split across a concatenation is decoded.
//! Which names are dangerous is the caller's policy: it passes a predicate,
//! and only accesses it selects are kept (at most [`MAX_ACCESSES`]).
//!
//! A small lexer of our own rather than a template engine's parser: it
//! reads templates that use extension tags (`{% generation %}`) as real
//! Jinja2 does, and it never renders anything.

mod access;
mod lexer;

#[cfg(test)]
mod tests;

pub use lexer::{Lexer, Tag, Tok, Token};

/// Longest template analysed.
pub const MAX_TEMPLATE_LEN: usize = 1 << 20;
/// Most accesses kept; the rest are counted in `omitted`.
pub const MAX_ACCESSES: usize = 1024;

/// Why a template could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexError {
    /// A tag, comment, raw block or string literal with no end.
    #[error("unterminated {what} starting at byte {offset}")]
    Unterminated { what: &'static str, offset: usize },
    /// A character that no Jinja token starts with.
    #[error("unexpected character {ch:?} at byte {offset}")]
    UnexpectedChar { ch: char, offset: usize },
    /// A `\x`, `\u` or `\U` escape that Python refuses.
    #[error("invalid escape in a string literal at byte {offset}")]
    BadEscape { offset: usize },
    /// The template is longer than [`MAX_TEMPLATE_LEN`].
    #[error("template of {len} bytes is over the limit of {limit}")]
    TooLong { len: usize, limit: usize },
}

/// How a name is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// `x.name`
    Attribute,
    /// `x['name']`, `x['na' ~ 'me']`
    Item,
    /// `x|attr('name')`
    AttrFilter,
    /// `x|attr(expr)` with a computed name (the name is `<computed>`).
    DynamicAttrFilter,
    /// `x[expr]` where `expr` builds a string from literals with filters or
    /// operators (`x['__ssalc__'|reverse]`); the name is `<computed>`.
    DynamicItem,
    /// An identifier-like string constant anywhere in a tag (it can reach an
    /// attribute through `map(attribute=...)`, `selectattr`, a variable...).
    Constant,
    /// A string literal with an escape that is left undecoded (`\N{...}`).
    UndecodedEscape,
    /// A statement that loads other templates: `import`, `from`, `include`, `extends`.
    Statement,
}

/// One access the predicate selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub kind: AccessKind,
    pub name: String,
    /// Byte offset of the name (or its literal) in the template.
    pub offset: usize,
    /// Byte span of the enclosing tag.
    pub tag: (usize, usize),
    /// The value reached is used further: called (`.popen(`) or accessed
    /// again (`.os.`, `['os'][`).
    pub continued: bool,
}

/// What a template does, as far as the predicate cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    pub accesses: Vec<Access>,
    /// Selected accesses beyond [`MAX_ACCESSES`].
    pub omitted: usize,
    pub tags: usize,
}

/// Analyse `src`, keeping the accesses for which `select(kind, name)` holds.
pub fn analyze(src: &str, select: &dyn Fn(AccessKind, &str) -> bool) -> Result<Analysis, LexError> {
    if src.len() > MAX_TEMPLATE_LEN {
        return Err(LexError::TooLong {
            len: src.len(),
            limit: MAX_TEMPLATE_LEN,
        });
    }
    let mut out = Analysis::default();
    let mut lexer = Lexer::new(src);
    while let Some(tag) = lexer.next_tag()? {
        out.tags += 1;
        access::collect(&tag, &mut |a: Access| {
            if !select(a.kind, &a.name) {
                return;
            }
            if out.accesses.len() < MAX_ACCESSES {
                out.accesses.push(a);
            } else {
                out.omitted += 1;
            }
        });
    }
    Ok(out)
}

/// 1-based line and column (in characters) of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
