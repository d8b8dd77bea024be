//! Python-like `repr` of symbolic values, bounded in output and in work.
//!
//! Every value visited writes at least one character and rendering stops at
//! the character budget, so a memo DAG that expands exponentially ("billion
//! laughs") costs no more than the budget. Depth is bounded independently of
//! the depth recorded in nodes (mutation can make that stale).

use std::fmt::Write;

use crate::Import;
use crate::value::{Kind, Node, Spans, TextRef, Value};

/// Nesting rendered before `…` stands for the rest.
const MAX_RENDER_DEPTH: usize = 32;

pub(crate) struct Renderer<'a> {
    spans: &'a dyn Spans,
    imports: &'a [Import],
    out: String,
    /// Characters in `out`.
    chars: usize,
    max: usize,
    full: bool,
}

/// `repr(v)`, at most about `max` characters.
pub(crate) fn render(v: &Value, spans: &dyn Spans, imports: &[Import], max: usize) -> String {
    let mut r = Renderer {
        spans,
        imports,
        out: String::new(),
        chars: 0,
        max,
        full: false,
    };
    r.value(v, 0);
    r.out
}

/// The dotted name of an import, as rendered.
pub(crate) fn import_name(imports: &[Import], i: usize) -> String {
    imports.get(i).map_or_else(
        || "<global>".to_string(),
        |imp| format!("{}.{}", imp.module, imp.name),
    )
}

impl Renderer<'_> {
    /// Append `s`, or as much of it as the budget allows (without walking
    /// the rest of a long `s`).
    fn push(&mut self, s: &str) {
        if self.full {
            return;
        }
        for c in s.chars() {
            if self.chars >= self.max {
                self.out.push('…');
                self.full = true;
                return;
            }
            self.out.push(c);
            self.chars += 1;
        }
    }

    fn push_char(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.push(c.encode_utf8(&mut b));
    }

    fn value(&mut self, v: &Value, depth: usize) {
        if self.full {
            return;
        }
        if depth > MAX_RENDER_DEPTH {
            return self.push("…");
        }
        match v {
            Value::None => self.push("None"),
            Value::Bool(true) => self.push("True"),
            Value::Bool(false) => self.push("False"),
            Value::Int(i) => self.push(&i.to_string()),
            Value::Float(f) => self.push(&py_float_repr(*f)),
            Value::Small { .. } | Value::Span { .. } => match v.text(self.spans) {
                Some(t) => self.text(t),
                None => self.push("<bytes>"),
            },
            Value::Node(n) => self.node(n, depth),
        }
    }

    fn node(&mut self, n: &Node, depth: usize) {
        match n {
            Node::Text(t) => self.text(TextRef {
                kind: t.kind,
                bytes: &t.bytes,
                len: t.len,
            }),
            Node::BigInt(s) => self.push(s),
            Node::Tuple(s) => {
                self.push("(");
                self.items(&s.items, s.total, depth);
                if s.total == 1 {
                    self.push(",");
                }
                self.push(")");
            }
            Node::List(s) => {
                let Ok(s) = s.try_borrow() else {
                    return self.push("[…]");
                };
                self.push("[");
                self.items(&s.items, s.total, depth);
                self.push("]");
            }
            Node::Set(s) => {
                let Ok(s) = s.try_borrow() else {
                    return self.push("{…}");
                };
                if s.total == 0 {
                    return self.push("set()");
                }
                self.push("{");
                self.items(&s.items, s.total, depth);
                self.push("}");
            }
            Node::FrozenSet(s) => {
                if s.total == 0 {
                    return self.push("frozenset()");
                }
                self.push("frozenset({");
                self.items(&s.items, s.total, depth);
                self.push("})");
            }
            Node::Dict(p) => {
                let Ok(p) = p.try_borrow() else {
                    return self.push("{…}");
                };
                self.push("{");
                for (i, (k, v)) in p.items.iter().enumerate() {
                    if self.full {
                        return;
                    }
                    if i > 0 {
                        self.push(", ");
                    }
                    self.value(k, depth + 1);
                    self.push(": ");
                    self.value(v, depth + 1);
                }
                self.more(p.items.len(), p.total);
                self.push("}");
            }
            Node::Global(i) => match self.imports.get(*i) {
                Some(imp) => {
                    self.push(&imp.module);
                    self.push(".");
                    self.push(&imp.name);
                }
                None => self.push("<global>"),
            },
            Node::Result(r) => {
                self.value(&r.callee, depth + 1);
                self.push("(");
                match r.args.as_node() {
                    Some(Node::Tuple(s)) => self.items(&s.items, s.total, depth),
                    _ => {
                        self.push("*");
                        self.value(&r.args, depth + 1);
                    }
                }
                self.push(")");
            }
            Node::Persistent { pid, .. } => {
                self.push("persistent_load(");
                self.value(pid, depth + 1);
                self.push(")");
            }
            Node::Extension(code) => self.push(&format!("<extension {code}>")),
            Node::Opaque(name) => {
                self.push("<");
                self.push(name);
                self.push(">");
            }
        }
    }

    fn items(&mut self, items: &[Value], total: u64, depth: usize) {
        for (i, v) in items.iter().enumerate() {
            if self.full {
                return;
            }
            if i > 0 {
                self.push(", ");
            }
            self.value(v, depth + 1);
        }
        self.more(items.len(), total);
    }

    fn more(&mut self, kept: usize, total: u64) {
        let dropped = total.saturating_sub(kept as u64);
        if dropped > 0 {
            self.push(&format!(
                "{}...(+{dropped})",
                if kept > 0 { ", " } else { "" }
            ));
        }
    }

    fn text(&mut self, t: TextRef<'_>) {
        match t.kind {
            Kind::Str => self.str_repr(t.bytes),
            Kind::Bytes => self.bytes_repr(t.bytes),
            Kind::ByteArray => {
                self.push("bytearray(");
                self.bytes_repr(t.bytes);
                self.push(")");
            }
        }
        if t.len == u64::MAX {
            self.push("...(+more)");
        } else if !t.complete() {
            self.push(&format!(
                "...(+{} bytes)",
                t.len.saturating_sub(t.bytes.len() as u64)
            ));
        }
    }

    /// Python's choice of quotes, judged on the part that can be rendered.
    fn quote_for(&self, bytes: &[u8]) -> u8 {
        let seen = bytes
            .get(..bytes.len().min(self.max.saturating_mul(4)))
            .unwrap_or_default();
        if seen.contains(&b'\'') && !seen.contains(&b'"') {
            b'"'
        } else {
            b'\''
        }
    }

    fn str_repr(&mut self, bytes: &[u8]) {
        let q = self.quote_for(bytes);
        self.push_char(char::from(q));
        for cp in CodePoints(bytes) {
            if self.full {
                return;
            }
            let mut esc = String::new();
            match cp {
                0x5c => esc.push_str("\\\\"),
                0x09 => esc.push_str("\\t"),
                0x0a => esc.push_str("\\n"),
                0x0d => esc.push_str("\\r"),
                c if c == u32::from(q) => {
                    esc.push('\\');
                    esc.push(char::from(q));
                }
                c if !printable(c) => {
                    let _ = match c {
                        0..=0xff => write!(esc, "\\x{c:02x}"),
                        0x100..=0xffff => write!(esc, "\\u{c:04x}"),
                        _ => write!(esc, "\\U{c:08x}"),
                    };
                }
                c => esc.push(char::from_u32(c).unwrap_or('\u{fffd}')),
            }
            self.push(&esc);
        }
        self.push_char(char::from(q));
    }

    fn bytes_repr(&mut self, bytes: &[u8]) {
        let q = self.quote_for(bytes);
        self.push("b");
        self.push_char(char::from(q));
        for &b in bytes {
            if self.full {
                return;
            }
            let mut esc = String::new();
            match b {
                b'\\' => esc.push_str("\\\\"),
                b'\t' => esc.push_str("\\t"),
                b'\n' => esc.push_str("\\n"),
                b'\r' => esc.push_str("\\r"),
                c if c == q => {
                    esc.push('\\');
                    esc.push(char::from(q));
                }
                0x20..=0x7e => esc.push(char::from(b)),
                _ => {
                    let _ = write!(esc, "\\x{b:02x}");
                }
            }
            self.push(&esc);
        }
        self.push_char(char::from(q));
    }
}

/// An approximation of `str.isprintable` for one code point.
fn printable(c: u32) -> bool {
    !matches!(c,
        0..=0x1f | 0x7f..=0xa0 | 0xad | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x206f
        | 0xd800..=0xdfff | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff | 0xfffe | 0xffff)
}

/// Code points of a `str` held as UTF-8 with surrogates; a stray byte is U+FFFD.
struct CodePoints<'a>(&'a [u8]);

impl Iterator for CodePoints<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let (&b0, _) = self.0.split_first()?;
        let (len, init) = match b0 {
            0..=0x7f => (1, u32::from(b0)),
            0xc0..=0xdf => (2, u32::from(b0 & 0x1f)),
            0xe0..=0xef => (3, u32::from(b0 & 0x0f)),
            0xf0..=0xf7 => (4, u32::from(b0 & 0x07)),
            _ => (0, 0),
        };
        let cont = self
            .0
            .get(1..len)
            .filter(|c| c.len() + 1 == len && c.iter().all(|&b| b & 0xc0 == 0x80));
        match cont {
            Some(cont) => {
                self.0 = self.0.get(len..).unwrap_or_default();
                Some(
                    cont.iter()
                        .fold(init, |acc, &b| (acc << 6) | u32::from(b & 0x3f)),
                )
            }
            None => {
                self.0 = self.0.get(1..).unwrap_or_default();
                Some(0xfffd)
            }
        }
    }
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form outside
/// 1e-4 <= |x| < 1e16.
pub(crate) fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len() as i32;
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point >= n {
            format!("{digits}{}.0", "0".repeat((point - n) as usize))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoSpans;
    impl Spans for NoSpans {
        fn span(&self, _: u64, _: u64) -> Option<&[u8]> {
            None
        }
    }

    fn r(v: &Value) -> String {
        render(v, &NoSpans, &[], 200)
    }

    #[test]
    fn floats_like_python() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123456.789, "123456.789"),
            (f64::NAN, "nan"),
            (-0.0, "-0.0"),
            (1e300, "1e+300"),
        ] {
            assert_eq!(py_float_repr(f), s);
        }
    }

    #[test]
    fn strings_like_python() {
        let s = |b: &[u8]| r(&Value::small(Kind::Str, b).unwrap());
        assert_eq!(s(b"echo pwned"), "'echo pwned'");
        assert_eq!(s(b"it's"), "\"it's\"");
        assert_eq!(s(b"a\nb\\"), "'a\\nb\\\\'");
        assert_eq!(s("é\u{7}".as_bytes()), "'é\\x07'");
        assert_eq!(s(&[0xed, 0xa0, 0x80]), "'\\ud800'");
        let b = |x: &[u8]| r(&Value::small(Kind::Bytes, x).unwrap());
        assert_eq!(b(b"\x00ab'"), "b\"\\x00ab'\"");
    }

    #[test]
    fn output_is_bounded() {
        let long = "x".repeat(20);
        let v = Value::small(Kind::Str, long.as_bytes()).unwrap();
        let out = render(&v, &NoSpans, &[], 5);
        assert_eq!(out, "'xxxx…");
    }
}
