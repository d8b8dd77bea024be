//! A bounded parser for the Python-literal subset that `.npy` headers use,
//! standing in for numpy's `ast.literal_eval`.
//!
//! Accepts dicts, lists, tuples (with Python's rule that `(x)` is just `x`),
//! strings (both quotes, `u`/`b`/`r` prefixes, escapes, adjacent literals
//! concatenated), integers (signs, underscores, `0x`/`0o`/`0b`, and the
//! Python 2 `L` suffix that numpy still filters out of old headers), `True`,
//! `False`, `None`, and `#` comments. Nesting depth and node count are
//! capped so that no header, however long, costs more than linear time and
//! bounded memory. It evaluates nothing: names other than the three
//! constants are syntax errors.

use super::{MAX_LITERAL_DEPTH, MAX_LITERAL_NODES, NpyError};

/// A parsed literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    List(Vec<Value>),
    Tuple(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

/// What parsing noticed besides the value.
#[derive(Debug, Default)]
pub(super) struct Notes {
    /// An integer carried a Python 2 `L` suffix.
    pub long_suffix: bool,
}

pub(super) fn parse(text: &str) -> Result<(Value, Notes), NpyError> {
    let mut p = Parser {
        chars: text.char_indices().peekable(),
        nodes: 0,
        notes: Notes::default(),
    };
    let value = p.value(0)?;
    p.skip_space();
    if let Some(&(at, c)) = p.chars.peek() {
        return Err(syntax(at, format!("unexpected {c:?} after the literal")));
    }
    Ok((value, p.notes))
}

fn syntax(offset: usize, message: impl Into<String>) -> NpyError {
    NpyError::Syntax {
        offset,
        message: message.into(),
    }
}

struct Parser<'t> {
    chars: std::iter::Peekable<std::str::CharIndices<'t>>,
    nodes: usize,
    notes: Notes,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while let Some(&(_, c)) = self.chars.peek() {
            if c == '#' {
                while self.chars.next_if(|&(_, c)| c != '\n').is_some() {}
            } else if c.is_whitespace() || c == '\\' {
                // A backslash outside a string is a line continuation.
                self.chars.next();
            } else {
                break;
            }
        }
    }

    fn offset(&mut self) -> usize {
        self.chars.peek().map_or(usize::MAX, |&(at, _)| at)
    }

    fn value(&mut self, depth: usize) -> Result<Value, NpyError> {
        if depth > MAX_LITERAL_DEPTH {
            return Err(NpyError::TooDeep {
                limit: MAX_LITERAL_DEPTH,
            });
        }
        self.nodes += 1;
        if self.nodes > MAX_LITERAL_NODES {
            return Err(NpyError::TooManyNodes {
                limit: MAX_LITERAL_NODES,
            });
        }
        self.skip_space();
        let at = self.offset();
        let Some(&(_, c)) = self.chars.peek() else {
            return Err(syntax(at, "unexpected end of header"));
        };
        match c {
            '{' => self.dict(depth),
            '[' => self
                .sequence(depth, ']')
                .map(|(items, _)| Value::List(items)),
            '(' => self.parenthesised(depth),
            '\'' | '"' => self.strings(),
            '-' | '+' | '0'..='9' => self.integer(),
            c if c.is_alphabetic() || c == '_' => self.word(),
            c => Err(syntax(at, format!("unexpected {c:?}"))),
        }
    }

    fn expect(&mut self, want: char) -> Result<(), NpyError> {
        self.skip_space();
        let at = self.offset();
        match self.chars.next() {
            Some((_, c)) if c == want => Ok(()),
            Some((_, c)) => Err(syntax(at, format!("expected {want:?}, found {c:?}"))),
            None => Err(syntax(at, format!("expected {want:?}, found the end"))),
        }
    }

    /// True (and consumed) if the next non-space char is `c`.
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        self.chars.next_if(|&(_, n)| n == c).is_some()
    }

    fn dict(&mut self, depth: usize) -> Result<Value, NpyError> {
        self.expect('{')?;
        let mut pairs = Vec::new();
        loop {
            if self.eat('}') {
                return Ok(Value::Dict(pairs));
            }
            let key = self.value(depth + 1)?;
            self.expect(':')?;
            let value = self.value(depth + 1)?;
            pairs.push((key, value));
            if !self.eat(',') {
                self.expect('}')?;
                return Ok(Value::Dict(pairs));
            }
        }
    }

    /// Items up to `close`; also says whether a comma was seen.
    fn sequence(&mut self, depth: usize, close: char) -> Result<(Vec<Value>, bool), NpyError> {
        self.chars.next();
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            if self.eat(close) {
                return Ok((items, comma));
            }
            items.push(self.value(depth + 1)?);
            if self.eat(',') {
                comma = true;
            } else {
                self.expect(close)?;
                return Ok((items, comma));
            }
        }
    }

    fn parenthesised(&mut self, depth: usize) -> Result<Value, NpyError> {
        let at = self.offset();
        let (mut items, comma) = self.sequence(depth, ')')?;
        match (items.len(), comma) {
            (1, false) => items.pop().ok_or_else(|| syntax(at, "empty parentheses")),
            _ => Ok(Value::Tuple(items)),
        }
    }

    fn word(&mut self) -> Result<Value, NpyError> {
        let at = self.offset();
        let mut word = String::new();
        while let Some((_, c)) = self
            .chars
            .next_if(|&(_, c)| c.is_alphanumeric() || c == '_')
        {
            word.push(c);
            if word.len() > 8 {
                break;
            }
        }
        match word.as_str() {
            "True" => Ok(Value::Bool(true)),
            "False" => Ok(Value::Bool(false)),
            "None" => Ok(Value::None),
            "u" | "U" | "b" | "B" | "r" | "R" | "br" | "rb" | "Br" | "bR" | "BR" | "rB" | "Rb"
            | "RB"
                if matches!(self.chars.peek(), Some((_, '\'' | '"'))) =>
            {
                let raw = word.contains(['r', 'R']);
                self.strings_after_prefix(raw)
            }
            _ => Err(syntax(at, format!("name {word:?} is not a literal"))),
        }
    }

    /// One or more adjacent string literals, concatenated as Python does.
    fn strings(&mut self) -> Result<Value, NpyError> {
        self.strings_after_prefix(false)
    }

    fn strings_after_prefix(&mut self, raw: bool) -> Result<Value, NpyError> {
        let mut out = self.string(raw)?;
        loop {
            self.skip_space();
            match self.chars.peek() {
                Some((_, '\'' | '"')) => out.push_str(&self.string(false)?),
                _ => return Ok(Value::Str(out)),
            }
        }
    }

    fn string(&mut self, raw: bool) -> Result<String, NpyError> {
        let at = self.offset();
        let Some((_, quote)) = self.chars.next() else {
            return Err(syntax(at, "expected a string"));
        };
        let mut out = String::new();
        loop {
            match self.chars.next() {
                None | Some((_, '\n')) => return Err(syntax(at, "unterminated string")),
                Some((_, c)) if c == quote => return Ok(out),
                Some((_, '\\')) if raw => {
                    out.push('\\');
                    if let Some((_, c)) = self.chars.next() {
                        out.push(c);
                    }
                }
                Some((esc_at, '\\')) => self.escape(esc_at, &mut out)?,
                Some((_, c)) => out.push(c),
            }
        }
    }

    fn escape(&mut self, at: usize, out: &mut String) -> Result<(), NpyError> {
        let Some((_, c)) = self.chars.next() else {
            return Err(syntax(at, "unterminated escape"));
        };
        let simple = match c {
            '\n' => return Ok(()),
            '\\' | '\'' | '"' => Some(c),
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            return Ok(());
        }
        let digits = match c {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            '0'..='7' => {
                // Up to three octal digits, the first already read.
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.chars.next_if(|&(_, d)| d.is_digit(8)) {
                        Some((_, d)) => v = v * 8 + d.to_digit(8).unwrap_or(0),
                        None => break,
                    }
                }
                out.push(char::from_u32(v).ok_or_else(|| syntax(at, "bad octal escape"))?);
                return Ok(());
            }
            _ => {
                // Python keeps unknown escapes verbatim.
                out.push('\\');
                out.push(c);
                return Ok(());
            }
        };
        let mut v: u32 = 0;
        for _ in 0..digits {
            let d = self
                .chars
                .next()
                .and_then(|(_, d)| d.to_digit(16))
                .ok_or_else(|| syntax(at, "bad hex escape"))?;
            v = v
                .checked_mul(16)
                .and_then(|v| v.checked_add(d))
                .unwrap_or(u32::MAX);
        }
        out.push(char::from_u32(v).ok_or_else(|| syntax(at, "escape is not a character"))?);
        Ok(())
    }

    fn integer(&mut self) -> Result<Value, NpyError> {
        let at = self.offset();
        let mut negative = false;
        while let Some((_, sign)) = self.chars.next_if(|&(_, c)| c == '-' || c == '+') {
            negative ^= sign == '-';
            self.skip_space();
        }
        let mut text = String::new();
        while let Some((_, c)) = self
            .chars
            .next_if(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
        {
            if text.len() > 160 {
                return Err(syntax(at, "integer literal too long"));
            }
            text.push(c);
        }
        if let Some(stripped) = text.strip_suffix(['L', 'l']) {
            self.notes.long_suffix = true;
            text = stripped.to_string();
        }
        let digits: String = text.chars().filter(|&c| c != '_').collect();
        let lower = digits.to_ascii_lowercase();
        let (radix, body) = match lower.get(..2) {
            Some("0x") => (16, lower.get(2..).unwrap_or("")),
            Some("0o") => (8, lower.get(2..).unwrap_or("")),
            Some("0b") => (2, lower.get(2..).unwrap_or("")),
            _ => (10, lower.as_str()),
        };
        if body.starts_with(['+', '-']) {
            return Err(syntax(at, format!("not an integer: {text:?}")));
        }
        // Python ints are unbounded; past i128 the exact value no longer
        // matters, since any shape that large is over every limit.
        let magnitude = match i128::from_str_radix(body, radix) {
            Ok(m) => m,
            Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => i128::MAX,
            Err(_) => return Err(syntax(at, format!("not an integer: {text:?}"))),
        };
        Ok(Value::Int(if negative { -magnitude } else { magnitude }))
    }
}
