//! Literal values: ints, floats, strings and bytes, built as CPython decodes
//! them, with bounded prefixes kept (or, from a slice, references into it).

use super::{ALWAYS_KEPT_BYTES, Halt, Machine, Step, malformed};
use crate::source::{MAX_TAKE, Source};
use crate::text::{self, Integer, Utf8Check};
use crate::value::{Kind, Node, SMALL, Text, Value};

impl<S: Source> Machine<'_, S> {
    pub(super) fn integer(&self, i: Integer) -> Value {
        match i {
            Integer::Small(v) => Value::Int(v),
            Integer::Big(s) => {
                let s = if s.len() > 64 {
                    format!("<int of {} digits>", s.len())
                } else {
                    s
                };
                Value::node(Node::BigInt(s.into_boxed_str()))
            }
        }
    }

    /// LONG1/LONG4 bytes: little-endian two's complement.
    pub(super) fn long_bytes(&mut self, n: u64) -> Result<Value, Halt> {
        let start = self.src.pos();
        self.note_frame(start, n);
        if n <= 16 {
            let b = self.src.take(n as usize)?;
            let Some(&last) = b.last() else {
                return Ok(Value::Int(0));
            };
            let mut full = [if last & 0x80 != 0 { 0xff } else { 0 }; 16];
            if let Some(dst) = full.get_mut(..b.len()) {
                dst.copy_from_slice(b);
            }
            let v = i128::from_le_bytes(full);
            return Ok(match i64::try_from(v) {
                Ok(v) => Value::Int(v),
                Err(_) => Value::node(Node::BigInt(v.to_string().into_boxed_str())),
            });
        }
        self.src.stream(n, &mut |_| {})?;
        Ok(Value::node(Node::BigInt(
            format!("<int of {n} bytes>").into_boxed_str(),
        )))
    }

    /// Bytes of a new owned string that may be kept.
    pub(super) fn keep_len(&self, n: u64) -> usize {
        let left = self
            .lim
            .max_text_kept_total
            .saturating_sub(self.meter.bytes.get());
        let cap = self.lim.max_capture.min(left.max(ALWAYS_KEPT_BYTES));
        usize::try_from(n).unwrap_or(usize::MAX).min(cap)
    }

    /// A string value from owned bytes (`len` is the whole length).
    pub(crate) fn owned(&self, kind: Kind, mut bytes: Vec<u8>, len: u64, computed: bool) -> Value {
        if !computed
            && bytes.len() as u64 == len
            && let Some(v) = Value::small(kind, &bytes)
        {
            return v;
        }
        bytes.truncate(self.keep_len(bytes.len() as u64));
        Value::node(Node::Text(Text::new(
            kind,
            len,
            bytes,
            computed,
            &self.meter,
        )))
    }

    pub(super) fn counted_blob(&mut self, width: usize, how: As) -> Step {
        let n = self.arg_size(width)?;
        let v = self.blob(n, how)?;
        self.push(v)
    }

    /// A counted string argument of `n` bytes, validated as CPython decodes
    /// it; never more than a bounded prefix is copied.
    pub(super) fn blob(&mut self, n: u64, how: As) -> Result<Value, Halt> {
        let start = self.src.pos();
        self.note_frame(start, n);
        let kind = how.kind();
        if n as usize <= MAX_TAKE && (n as usize <= SMALL || !S::ZERO_COPY) {
            // Inline from a slice, or a short copy from a reader.
            let b = self.src.take(n as usize)?.to_vec();
            return self.short_blob(how, b);
        }
        let keep = if S::ZERO_COPY { 0 } else { self.keep_len(n) };
        let mut prefix = Vec::new();
        let mut utf8 = Utf8Check::default();
        let mut high = 0u64;
        self.src.stream(n, &mut |chunk| {
            match how {
                As::Utf8Str => utf8.feed(chunk),
                As::Latin1Str => high += chunk.iter().filter(|&&b| b >= 0x80).count() as u64,
                As::Bytes | As::ByteArray => {}
            }
            let room = keep - prefix.len();
            prefix.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        })?;
        if how == As::Utf8Str && !utf8.finish() {
            return malformed("'utf-8' codec can't decode the BINUNICODE argument");
        }
        if S::ZERO_COPY && !(how == As::Latin1Str && high > 0) {
            return Ok(Value::Span {
                kind,
                start,
                len: n,
            });
        }
        if S::ZERO_COPY {
            let k = self.keep_len(n);
            prefix = self.src.span(start, k as u64).unwrap_or_default().to_vec();
        }
        match how {
            As::Latin1Str if high > 0 => {
                let mut s = text::latin1_to_utf8(&prefix);
                s.truncate(self.keep_len(s.len() as u64));
                Ok(self.owned(kind, s, n + high, false))
            }
            _ => Ok(self.owned(kind, prefix, n, false)),
        }
    }

    /// A string value from a short argument read whole.
    fn short_blob(&mut self, how: As, b: Vec<u8>) -> Result<Value, Halt> {
        let kind = how.kind();
        match how {
            As::Utf8Str if !text::utf8_surrogatepass(&b) => {
                malformed("'utf-8' codec can't decode the BINUNICODE argument")
            }
            As::Latin1Str if !b.is_ascii() => {
                let s = text::latin1_to_utf8(&b);
                let len = s.len() as u64;
                Ok(self.owned(kind, s, len, false))
            }
            _ => {
                let len = b.len() as u64;
                Ok(self.owned(kind, b, len, false))
            }
        }
    }

    pub(super) fn op_string(&mut self) -> Step {
        let v = self.line_with(|l| match l {
            [q @ (b'\'' | b'"'), mid @ .., last] if last == q => Some(text::escape_decode(mid)),
            _ => None,
        })?;
        let decoded = match v {
            None => return malformed("the STRING opcode argument must be quoted"),
            Some(None) => return malformed("invalid escape in the STRING argument"),
            Some(Some(d)) => d,
        };
        // A `str` under encoding='latin1' (ASCII reads the same everywhere).
        let s = if decoded.is_ascii() {
            decoded
        } else {
            text::latin1_to_utf8(&decoded)
        };
        let len = s.len() as u64;
        let v = self.owned(Kind::Str, s, len, false);
        self.push(v)
    }
}

/// How a counted string argument is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum As {
    Bytes,
    ByteArray,
    /// UTF-8 with `surrogatepass` (BINUNICODE family).
    Utf8Str,
    /// Python 2 `str` (BINSTRING family), decoded as latin-1.
    Latin1Str,
}

impl As {
    pub(super) fn kind(self) -> Kind {
        match self {
            As::Bytes => Kind::Bytes,
            As::ByteArray => Kind::ByteArray,
            As::Utf8Str | As::Latin1Str => Kind::Str,
        }
    }
}
