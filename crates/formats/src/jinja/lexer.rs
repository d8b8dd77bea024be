//! A Jinja2 lexer with the default delimiters: template data is skipped,
//! comments and `{% raw %}` blocks too; inside `{{ }}` and `{% %}` it yields
//! names, numbers, string literals (decoded the way Jinja2 decodes them,
//! Python escapes included) and operators, one tag at a time.
//!
//! Like Jinja2, a closing delimiter only ends a tag outside brackets, and
//! a delimiter inside a string literal is part of the string. Memory is
//! bounded by the largest tag: tokens are handed out per tag.

use super::LexError;

/// One token inside a tag.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok<'s> {
    Name(&'s str),
    /// A decoded string literal; `undecoded` when it holds an escape this
    /// lexer cannot decode (`\N{...}`), so its true value is unknown.
    Str {
        value: String,
        undecoded: bool,
    },
    Num,
    Op(&'s str),
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Token<'s> {
    pub tok: Tok<'s>,
    pub offset: usize,
}

/// A `{{ }}` or `{% %}` tag: its kind, span and tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag<'s> {
    /// A statement (`{% %}`) rather than an expression (`{{ }}`).
    pub statement: bool,
    /// Byte span of the whole tag, delimiters included.
    pub span: (usize, usize),
    pub tokens: Vec<Token<'s>>,
}

/// Two-character operators, tried before single characters.
const OPS2: &[&str] = &["**", "//", "==", "!=", "<=", ">="];
const OPS1: &str = "+-*/%~<>=|.,:;()[]{}!";

pub struct Lexer<'s> {
    src: &'s str,
    pos: usize,
}

impl<'s> Lexer<'s> {
    pub fn new(src: &'s str) -> Self {
        Lexer { src, pos: 0 }
    }

    fn rest(&self) -> &'s str {
        self.src.get(self.pos..).unwrap_or("")
    }

    /// The next tag, `None` at the end of the template.
    pub fn next_tag(&mut self) -> Result<Option<Tag<'s>>, LexError> {
        loop {
            let rest = self.rest();
            let Some(i) = rest.find('{') else {
                self.pos = self.src.len();
                return Ok(None);
            };
            let start = self.pos + i;
            let after = rest.get(i + 1..).unwrap_or("");
            self.pos = start + 1;
            match after.as_bytes().first() {
                Some(b'#') => self.skip_comment(start)?,
                Some(b'{') => return self.tag(start, false).map(Some),
                Some(b'%') => {
                    let tag = self.tag(start, true)?;
                    if is_raw(&tag) {
                        self.skip_raw(start)?;
                        continue;
                    }
                    return Ok(Some(tag));
                }
                _ => {}
            }
        }
    }

    fn skip_comment(&mut self, start: usize) -> Result<(), LexError> {
        match self.rest().find("#}") {
            Some(i) => {
                self.pos += i + 2;
                Ok(())
            }
            None => Err(LexError::Unterminated {
                what: "comment",
                offset: start,
            }),
        }
    }

    /// Skip to the end of `{% endraw %}`.
    fn skip_raw(&mut self, start: usize) -> Result<(), LexError> {
        loop {
            let rest = self.rest();
            let Some(i) = rest.find("{%") else {
                return Err(LexError::Unterminated {
                    what: "raw block",
                    offset: start,
                });
            };
            let at = self.pos + i;
            self.pos = at + 2;
            let tail = self.rest().trim_start_matches(['-', '+']).trim_start();
            if let Some(t) = tail.strip_prefix("endraw") {
                let t = t.trim_start();
                let t = t.strip_prefix('-').unwrap_or(t);
                if t.starts_with("%}") {
                    self.pos = self.src.len() - t.len() + 2;
                    return Ok(());
                }
            }
        }
    }

    /// Lex one tag; `self.pos` is just after its `{`.
    fn tag(&mut self, start: usize, statement: bool) -> Result<Tag<'s>, LexError> {
        self.pos = start + 2;
        if matches!(self.rest().as_bytes().first(), Some(b'-' | b'+')) {
            self.pos += 1;
        }
        let close = if statement { "%}" } else { "}}" };
        let mut tokens = Vec::new();
        let mut depth = 0usize;
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                return Err(LexError::Unterminated {
                    what: if statement {
                        "statement tag"
                    } else {
                        "expression tag"
                    },
                    offset: start,
                });
            }
            if depth == 0 {
                for modifier in ["", "-", "+"] {
                    if trimmed
                        .get(modifier.len()..)
                        .is_some_and(|t| t.starts_with(close))
                        && trimmed.starts_with(modifier)
                    {
                        self.pos += modifier.len() + 2;
                        return Ok(Tag {
                            statement,
                            span: (start, self.pos),
                            tokens,
                        });
                    }
                }
            }
            let tok = self.token(trimmed)?;
            if let Tok::Op(op) = tok.tok {
                match op {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            tokens.push(tok);
        }
    }

    fn token(&mut self, s: &'s str) -> Result<Token<'s>, LexError> {
        let offset = self.pos;
        let first = s.chars().next().unwrap_or(' ');
        let (tok, len) = if first == '\'' || first == '"' {
            let (value, undecoded, len) = string(s, first, offset)?;
            (Tok::Str { value, undecoded }, len)
        } else if first.is_ascii_digit() {
            (Tok::Num, number_len(s))
        } else if first.is_alphabetic() || first == '_' {
            let len = s
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(s.len());
            (Tok::Name(s.get(..len).unwrap_or("")), len)
        } else if let Some(op) = OPS2.iter().find(|op| s.starts_with(**op)) {
            (Tok::Op(op), 2)
        } else if OPS1.contains(first) {
            (Tok::Op(s.get(..1).unwrap_or("")), 1)
        } else {
            return Err(LexError::UnexpectedChar { ch: first, offset });
        };
        self.pos += len;
        Ok(Token { tok, offset })
    }
}

fn is_raw(tag: &Tag<'_>) -> bool {
    matches!(
        tag.tokens.as_slice(),
        [Token {
            tok: Tok::Name("raw"),
            ..
        }]
    )
}

/// Length of a number literal: digits and underscores, a fraction, an exponent.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |from: usize| {
        b.get(from..).map_or(0, |r| {
            r.iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count()
        })
    };
    let mut n = digits(0);
    if b.get(n) == Some(&b'.') && b.get(n + 1).is_some_and(u8::is_ascii_digit) {
        n += 1 + digits(n + 1);
    }
    if matches!(b.get(n.wrapping_sub(1)), Some(b'e' | b'E'))
        && matches!(b.get(n), Some(b'+' | b'-'))
    {
        n += 1 + digits(n + 1);
    }
    n
}

/// A string literal starting at `s` with quote `q`: the decoded value,
/// whether an escape was left undecoded, and the literal's length.
fn string(s: &str, q: char, offset: usize) -> Result<(String, bool, usize), LexError> {
    let mut out = String::new();
    let mut undecoded = false;
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == q {
            return Ok((out, undecoded, i + c.len_utf8()));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        let simple = match e {
            '\n' => Some(None),
            '\\' | '\'' | '"' => Some(Some(e)),
            'a' => Some(Some('\x07')),
            'b' => Some(Some('\x08')),
            'f' => Some(Some('\x0c')),
            'n' => Some(Some('\n')),
            'r' => Some(Some('\r')),
            't' => Some(Some('\t')),
            'v' => Some(Some('\x0b')),
            _ => None,
        };
        if let Some(c) = simple {
            out.extend(c);
            continue;
        }
        let hex_len = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        if hex_len > 0 {
            let digits: String = (0..hex_len)
                .filter_map(|_| {
                    chars
                        .next_if(|(_, c)| c.is_ascii_hexdigit())
                        .map(|(_, c)| c)
                })
                .collect();
            match u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
            {
                Some(c) if digits.len() == hex_len => out.push(c),
                // Python refuses a short or out-of-range escape: so does Jinja2.
                _ => return Err(LexError::BadEscape { offset: offset + i }),
            }
        } else if e.is_digit(8) {
            let mut v = e.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                match chars.next_if(|(_, c)| c.is_digit(8)) {
                    Some((_, d)) => v = v * 8 + d.to_digit(8).unwrap_or(0),
                    None => break,
                }
            }
            out.extend(char::from_u32(v));
        } else if e == 'N' {
            undecoded = true;
            out.push_str("\\N");
        } else {
            out.push('\\');
            out.push(e);
        }
    }
    Err(LexError::Unterminated {
        what: "string literal",
        offset,
    })
}
