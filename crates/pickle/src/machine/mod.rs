//! The symbolic unpickler: one `load()` of CPython's `_pickle.c`, opcode by
//! opcode, over symbolic values.
//!
//! Stack, mark stack (as `fence`), memo and frame follow the C unpickler
//! reading from memory (`pickle.loads`). Where CPython raises, the machine
//! halts with the reason; nothing after that point would have run. Calls are
//! recorded, never made: only known pure decoders are evaluated.
//!
//! This file holds the state, the dispatch loop and the literal opcodes;
//! `containers.rs` builds containers, `calls.rs` imports and calls, and
//! `joblib.rs` follows joblib's array reads.

mod calls;
mod containers;
mod joblib;

use std::rc::{Rc, Weak};

use crate::memo::Memo;
use crate::opcode::*;
use crate::record::Recorder;
use crate::source::{MAX_TAKE, Short, Source};
use crate::text::{self, IntArg, Integer, Utf8Check};
use crate::value::{Kind, Meter, Node, PyType, SMALL, Spans, Text, Value, drop_all};
use crate::{AnomalyKind, Limits, Options};

/// Why a load stopped before STOP.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The input ended.
    Truncated,
    /// CPython would raise here.
    Malformed(String),
    /// A named limit was hit.
    Limit(&'static str),
}

pub(crate) type Step = Result<(), Halt>;

pub(crate) fn malformed<T>(reason: impl Into<String>) -> Result<T, Halt> {
    Err(Halt::Malformed(reason.into()))
}

impl From<Short> for Halt {
    fn from(s: Short) -> Halt {
        match s {
            Short::End => Halt::Truncated,
            Short::Boundary => Halt::Malformed("pickle exhausted before end of frame".into()),
            Short::TooLong => Halt::Limit("max_line"),
        }
    }
}

/// Strings up to this many bytes are always kept whole, whatever the budget
/// (module and attribute names must never be cut).
const ALWAYS_KEPT_BYTES: usize = 256;
/// Elements a container always keeps, whatever the global budget (call
/// arguments must stay visible).
const ALWAYS_KEPT_ELEMENTS: usize = 8;

/// What one `Unpickler.load()` starts afresh with.
#[derive(Default)]
pub(crate) struct Load {
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: Memo,
    /// The protocol set by the last PROTO (0 before any).
    proto: u8,
    /// Highest protocol announced.
    pub(crate) max_proto: u8,
    /// No opcode executed yet.
    fresh: bool,
    /// End of the current FRAME.
    frame_end: Option<u64>,
    /// A straddle of the current frame was recorded.
    straddle_noted: bool,
    /// The end a FRAME declared that is not known to exist yet, and the
    /// offset of that FRAME (CPython reads a whole frame at its FRAME).
    promise: Option<(u64, u64)>,
}

impl Load {
    fn new() -> Load {
        Load {
            fresh: true,
            ..Load::default()
        }
    }

    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    /// Every value, for dropping without recursion.
    fn drain(&mut self) -> Vec<Value> {
        let mut all = std::mem::take(&mut self.stack);
        all.extend(self.memo.drain());
        all
    }
}

pub(crate) struct Machine<'o, S> {
    pub(crate) src: S,
    opts: &'o Options<'o>,
    lim: &'o Limits,
    pub(crate) rec: Recorder,
    pub(crate) load: Load,
    meter: Rc<Meter>,
    /// Mutable nodes that received other nodes: every cycle passes one.
    tracked: Vec<Weak<Node>>,
    pub(crate) stream: usize,
    pub(crate) opcodes: u64,
    /// Offset of the opcode being executed.
    pub(crate) op_at: u64,
    /// Offset just past the last STOP.
    pub(crate) stop_end: u64,
    /// Bytes captured into call-site payloads.
    captured: usize,
    /// Work done by evaluated decoders, and whether its limit was reached.
    decoded: usize,
    decode_exhausted: bool,
    /// Inside a nested pickle read by joblib (a plain unpickler).
    nested: bool,
}

impl<'o, S: Source> Machine<'o, S> {
    pub(crate) fn new(src: S, opts: &'o Options<'o>) -> Self {
        Machine {
            src,
            opts,
            lim: &opts.limits,
            rec: Recorder::new(&opts.limits),
            load: Load::new(),
            meter: Rc::new(Meter::default()),
            tracked: Vec::new(),
            stream: 0,
            opcodes: 0,
            op_at: 0,
            stop_end: 0,
            captured: 0,
            decoded: 0,
            decode_exhausted: false,
            nested: false,
        }
    }

    /// Start a fresh `load()`, dropping what the last one left.
    pub(crate) fn reset_load(&mut self) {
        let old = std::mem::replace(&mut self.load, Load::new());
        self.discard(old);
    }

    fn discard(&mut self, mut load: Load) {
        drop_all(load.drain());
        self.break_cycles();
    }

    /// Unlink every tracked mutable node so that cycles free.
    fn break_cycles(&mut self) {
        let mut pending = Vec::new();
        for w in self.tracked.drain(..) {
            if let Some(n) = w.upgrade() {
                n.release_shared(&mut pending);
            }
        }
        drop_all(pending);
    }

    fn track(&mut self, node: &Rc<Node>) {
        // Keep the list proportional to the live tracked nodes.
        if self.tracked.len() >= 1024 && self.tracked.len().is_power_of_two() {
            self.tracked.retain(|w| w.strong_count() > 0);
        }
        self.tracked.push(Rc::downgrade(node));
    }

    /// Run one `load()` to its STOP; returns the loaded value.
    pub(crate) fn run_load(&mut self) -> Result<Value, Halt> {
        let r = self.run_ops();
        if matches!(r, Err(Halt::Truncated)) {
            // Input that ends inside a declared frame fails at the FRAME.
            if let (Some((end, at)), Some(len)) = (self.load.promise, self.src.known_len())
                && end > len
            {
                self.op_at = at;
            }
        }
        r
    }

    fn run_ops(&mut self) -> Result<Value, Halt> {
        loop {
            self.op_at = self.src.pos();
            let op = self.arg_u8()?;
            self.opcodes += 1;
            if self.opcodes > self.lim.max_opcodes {
                return Err(Halt::Limit("max_opcodes"));
            }
            if op == STOP {
                let v = self.pop()?;
                self.stop_end = self.src.pos();
                if let Some((end, at)) = self.load.promise.filter(|p| p.0 > self.stop_end) {
                    let detail = format!("STOP before the end of the frame ending at {end}");
                    self.rec.anomaly(self.op_at, AnomalyKind::Unusual, detail);
                    // Only the last stream may consume what follows STOP.
                    let probe = self.lim.max_set_aside;
                    let there = self
                        .src
                        .has(end - self.stop_end, !self.opts.multi_stream, probe);
                    if there != Some(true) {
                        self.op_at = at;
                        drop_all(vec![v]);
                        // Unconfirmed: a limit, unless nothing ran (then the
                        // stream is no more than truncated junk).
                        let unknown = if self.rec.activity == 0 {
                            Halt::Truncated
                        } else {
                            Halt::Limit("max_set_aside")
                        };
                        return Err(there.map_or(unknown, |_| Halt::Truncated));
                    }
                }
                self.note_ref(&v);
                return Ok(v);
            }
            self.step(op)?;
            self.load.fresh = false;
        }
    }

    fn step(&mut self, op: u8) -> Step {
        match op {
            MARK => {
                self.room()?;
                let n = self.load.stack.len();
                self.load.marks.push(n);
                Ok(())
            }
            POP => self.op_pop(),
            POP_MARK => {
                let m = self.marker()?;
                let rest = self.load.stack.split_off(m);
                drop_all(rest);
                Ok(())
            }
            DUP => {
                let v = self.top()?.clone();
                self.push(v)
            }
            FLOAT => {
                let v = self.nonempty_line_with(text::parse_float)?;
                let v = v.map_or_else(|| malformed("could not convert string to float"), Ok)?;
                self.push(Value::Float(v))
            }
            BINFLOAT => {
                let b = self.arg_array::<8>()?;
                self.push(Value::Float(f64::from_be_bytes(b)))
            }
            INT => {
                let v = self.nonempty_line_with(text::parse_int)?;
                let v = match v {
                    Some(IntArg::Bool(b)) => Value::Bool(b),
                    Some(IntArg::Int(i)) => self.integer(i),
                    None => return malformed("could not convert string to int"),
                };
                self.push(v)
            }
            BININT => {
                let v = i32::from_le_bytes(self.arg_array::<4>()?);
                self.push(Value::Int(i64::from(v)))
            }
            BININT1 => {
                let v = self.arg_u8()?;
                self.push(Value::Int(i64::from(v)))
            }
            BININT2 => {
                let v = u16::from_le_bytes(self.arg_array::<2>()?);
                self.push(Value::Int(i64::from(v)))
            }
            LONG => {
                let v = self.nonempty_line_with(text::parse_long)?;
                let v = v.map_or_else(|| malformed("invalid literal for int() with base 0"), Ok)?;
                let v = self.integer(v);
                self.push(v)
            }
            LONG1 => {
                let n = self.arg_u8()?;
                let v = self.long_bytes(u64::from(n))?;
                self.push(v)
            }
            LONG4 => {
                let n = i32::from_le_bytes(self.arg_array::<4>()?);
                let n = u64::try_from(n)
                    .or_else(|_| malformed("LONG pickle has negative byte count"))?;
                let v = self.long_bytes(n)?;
                self.push(v)
            }
            STRING => self.op_string(),
            BINSTRING => self.counted_blob(4, As::Latin1Str),
            SHORT_BINSTRING => self.counted_blob(1, As::Latin1Str),
            UNICODE => {
                let v = self.line_with(text::raw_unicode_escape)?;
                let v = v.map_or_else(
                    || malformed("'rawunicodeescape' codec can't decode the UNICODE argument"),
                    Ok,
                )?;
                let len = v.len() as u64;
                let v = self.owned(Kind::Str, v, len, false);
                self.push(v)
            }
            SHORT_BINUNICODE => self.counted_blob(1, As::Utf8Str),
            BINUNICODE => self.counted_blob(4, As::Utf8Str),
            BINUNICODE8 => self.counted_blob(8, As::Utf8Str),
            SHORT_BINBYTES => self.counted_blob(1, As::Bytes),
            BINBYTES => self.counted_blob(4, As::Bytes),
            BINBYTES8 => self.counted_blob(8, As::Bytes),
            BYTEARRAY8 => self.counted_blob(8, As::ByteArray),
            NEXT_BUFFER => {
                // CPython raises unless the caller passed `buffers`; a caller
                // that did gets an arbitrary buffer. Keep going, noted.
                self.rec.anomaly(
                    self.op_at,
                    AnomalyKind::Unusual,
                    "NEXT_BUFFER: out-of-band buffer",
                );
                self.push(Value::node(Node::Opaque("out-of-band buffer")))
            }
            READONLY_BUFFER => {
                // `memoryview(top)`: only buffer objects have one.
                match self.top()?.known_type() {
                    Some(t) if !matches!(t, PyType::Bytes | PyType::ByteArray) => malformed(
                        format!("a bytes-like object is required, not '{}'", t.name()),
                    ),
                    _ => Ok(()),
                }
            }
            NONE => self.push(Value::None),
            NEWTRUE => self.push(Value::Bool(true)),
            NEWFALSE => self.push(Value::Bool(false)),
            PUT | BINPUT | LONG_BINPUT | MEMOIZE => self.op_put(op),
            GET | BINGET | LONG_BINGET => self.op_get(op),
            PROTO => self.op_proto(),
            FRAME => self.op_frame(),
            _ => self.step_structural(op),
        }
    }

    fn step_structural(&mut self, op: u8) -> Step {
        match op {
            EMPTY_LIST | EMPTY_TUPLE | EMPTY_DICT | EMPTY_SET => self.op_empty(op),
            APPEND => {
                let x = self.load.stack.len().saturating_sub(1);
                self.do_append(x)
            }
            APPENDS => {
                let m = self.marker()?;
                self.do_append(m)
            }
            LIST | TUPLE | FROZENSET | DICT => self.op_from_mark(op),
            TUPLE1 => self.op_counted_tuple(1),
            TUPLE2 => self.op_counted_tuple(2),
            TUPLE3 => self.op_counted_tuple(3),
            SETITEM => {
                let x = self.load.stack.len().saturating_sub(2);
                if self.load.stack.len() < 2 {
                    return self.underflow();
                }
                self.do_setitems(x)
            }
            SETITEMS => {
                let m = self.marker()?;
                self.do_setitems(m)
            }
            ADDITEMS => self.op_additems(),
            GLOBAL => self.op_global(),
            STACK_GLOBAL => self.op_stack_global(),
            INST => self.op_inst(),
            OBJ => self.op_obj(),
            REDUCE => self.op_reduce(),
            NEWOBJ => self.op_newobj(false),
            NEWOBJ_EX => self.op_newobj(true),
            BUILD => self.op_build(),
            EXT1 | EXT2 | EXT4 => self.op_ext(op),
            PERSID | BINPERSID => self.op_persid(op),
            _ => {
                let shown = if (0x20..=0x7e).contains(&op) && op != b'\'' && op != b'\\' {
                    format!("'{}'", char::from(op))
                } else {
                    format!("'\\x{op:02x}'")
                };
                malformed(format!("invalid load key, {shown}."))
            }
        }
    }

    // ----- stack -----

    fn underflow<T>(&self) -> Result<T, Halt> {
        if self.load.marks.is_empty() {
            malformed("unpickling stack underflow")
        } else {
            malformed("unexpected MARK found")
        }
    }

    fn room(&self) -> Step {
        if self.load.stack.len() + self.load.marks.len() >= self.lim.max_stack {
            return Err(Halt::Limit("max_stack"));
        }
        Ok(())
    }

    pub(crate) fn push(&mut self, v: Value) -> Step {
        self.room()?;
        self.load.stack.push(v);
        Ok(())
    }

    /// `PDATA_POP`: the top value above the fence.
    pub(crate) fn pop(&mut self) -> Result<Value, Halt> {
        if self.load.stack.len() <= self.load.fence() {
            return self.underflow();
        }
        self.load.stack.pop().map_or_else(|| self.underflow(), Ok)
    }

    fn top(&self) -> Result<&Value, Halt> {
        if self.load.stack.len() <= self.load.fence() {
            return self.underflow();
        }
        self.load.stack.last().map_or_else(|| self.underflow(), Ok)
    }

    /// `marker()`: pop the last mark.
    fn marker(&mut self) -> Result<usize, Halt> {
        self.load
            .marks
            .pop()
            .map_or_else(|| malformed("could not find MARK"), Ok)
    }

    /// `load_pop`: pops the mark itself when nothing is above it.
    fn op_pop(&mut self) -> Step {
        let len = self.load.stack.len();
        if self.load.marks.last() == Some(&len) {
            self.load.marks.pop();
            return Ok(());
        }
        let v = self.pop()?;
        drop_all(vec![v]);
        Ok(())
    }

    // ----- reading arguments -----

    /// Note a read of `n` bytes at the current position against the frame.
    fn note_frame(&mut self, start: u64, n: u64) {
        let Some(end) = self.load.frame_end else {
            return;
        };
        if start >= end {
            self.load.frame_end = None;
        } else if start.saturating_add(n) > end && !self.load.straddle_noted {
            self.load.straddle_noted = true;
            let detail = format!(
                "opcode at {} reads past the frame ending at {end}",
                self.op_at
            );
            self.rec
                .anomaly(self.op_at, AnomalyKind::FrameStraddle, detail);
        }
    }

    fn arg_u8(&mut self) -> Result<u8, Halt> {
        Ok(self.arg_array::<1>()?[0])
    }

    fn arg_array<const N: usize>(&mut self) -> Result<[u8; N], Halt> {
        let start = self.src.pos();
        self.note_frame(start, N as u64);
        let b = self.src.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b.get(..N).unwrap_or(&[0; N]));
        Ok(out)
    }

    /// A little-endian unsigned length of `width` bytes, at most i64::MAX as
    /// CPython's `calc_binsize` requires.
    fn arg_size(&mut self, width: usize) -> Result<u64, Halt> {
        let v = match width {
            1 => u64::from(self.arg_u8()?),
            4 => u64::from(u32::from_le_bytes(self.arg_array::<4>()?)),
            _ => u64::from_le_bytes(self.arg_array::<8>()?),
        };
        if v > i64::MAX as u64 {
            return malformed("size exceeds the system's maximum size");
        }
        Ok(v)
    }

    /// Read a text line and parse it (without its `\n`).
    fn line_with<T>(&mut self, parse: impl FnOnce(&[u8]) -> T) -> Result<T, Halt> {
        let start = self.src.pos();
        let (len, out) = {
            let line = self.src.line(self.lim.max_line)?;
            let body = line.get(..line.len().saturating_sub(1)).unwrap_or_default();
            (line.len(), parse(body))
        };
        self.note_frame(start, len as u64);
        Ok(out)
    }

    /// A line that must hold something besides its `\n` (`len < 2` is
    /// `bad_readline` in CPython).
    fn nonempty_line_with<T>(&mut self, parse: impl FnOnce(&[u8]) -> T) -> Result<T, Halt> {
        let out = self.line_with(|l| (!l.is_empty()).then(|| parse(l)))?;
        out.map_or_else(
            || malformed("pickle data was truncated (empty argument line)"),
            Ok,
        )
    }

    // ----- values -----

    fn integer(&self, i: Integer) -> Value {
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
    fn long_bytes(&mut self, n: u64) -> Result<Value, Halt> {
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
    fn keep_len(&self, n: u64) -> usize {
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

    fn counted_blob(&mut self, width: usize, how: As) -> Step {
        let n = self.arg_size(width)?;
        let v = self.blob(n, how)?;
        self.push(v)
    }

    /// A counted string argument of `n` bytes, validated as CPython decodes
    /// it; never more than a bounded prefix is copied.
    fn blob(&mut self, n: u64, how: As) -> Result<Value, Halt> {
        let start = self.src.pos();
        self.note_frame(start, n);
        let kind = how.kind();
        if n as usize <= MAX_TAKE && (n as usize <= SMALL || !S::ZERO_COPY) {
            let b = self.src.take(n as usize)?.to_vec();
            return self.blob_value(how, b, n, start, true);
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

    /// A string value from a whole argument read at `start`.
    fn blob_value(
        &mut self,
        how: As,
        b: Vec<u8>,
        n: u64,
        start: u64,
        _whole: bool,
    ) -> Result<Value, Halt> {
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
            _ if S::ZERO_COPY && b.len() > SMALL => Ok(Value::Span {
                kind,
                start,
                len: n,
            }),
            _ => Ok(self.owned(kind, b, n, false)),
        }
    }

    fn op_string(&mut self) -> Step {
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

    // ----- memo -----

    fn op_put(&mut self, op: u8) -> Step {
        let key = match op {
            PUT => {
                let k = self.nonempty_line_with(text::parse_memo_key)?;
                self.top()?;
                match k {
                    Some(k) if k >= 0 => k as u64,
                    Some(_) => return malformed("negative PUT argument"),
                    None => return malformed("invalid literal for int() with base 10"),
                }
            }
            BINPUT => u64::from(self.arg_u8()?),
            LONG_BINPUT => u64::from(u32::from_le_bytes(self.arg_array::<4>()?)),
            _ => self.load.memo.len() as u64,
        };
        let v = self.top()?.clone();
        if !self.load.memo.put(key, v, self.lim.max_memo) {
            return Err(Halt::Limit("max_memo"));
        }
        Ok(())
    }

    fn op_get(&mut self, op: u8) -> Step {
        let key = match op {
            GET => match self.nonempty_line_with(text::parse_memo_key)? {
                Some(k) => k,
                None => return malformed("invalid literal for int() with base 10"),
            },
            BINGET => i64::from(self.arg_u8()?),
            _ => i64::from(u32::from_le_bytes(self.arg_array::<4>()?)),
        };
        let v = u64::try_from(key)
            .ok()
            .and_then(|k| self.load.memo.get(k))
            .cloned();
        match v {
            Some(v) => self.push(v),
            None => malformed(format!("Memo value not found at index {key}")),
        }
    }

    // ----- protocol and framing -----

    fn op_proto(&mut self) -> Step {
        let p = self.arg_u8()?;
        if p > HIGHEST_PROTOCOL {
            return malformed(format!("unsupported pickle protocol: {p}"));
        }
        if !self.load.fresh {
            let detail = format!("PROTO {p} after the first opcode");
            self.rec.anomaly(self.op_at, AnomalyKind::Unusual, detail);
        }
        self.load.proto = p;
        self.load.max_proto = self.load.max_proto.max(p);
        Ok(())
    }

    fn op_frame(&mut self) -> Step {
        let n = u64::from_le_bytes(self.arg_array::<8>()?);
        if n > i64::MAX as u64 {
            return malformed("FRAME length exceeds system's maximum");
        }
        if self.src.served_rest().is_some() {
            // joblib's pure-Python unpickler holds this frame in memory.
            return malformed("beginning of a new frame before end of current frame");
        }
        let pos = self.src.pos();
        if self.load.frame_end.is_some_and(|e| pos < e) {
            let detail = format!(
                "FRAME at {} inside the frame ending at {}",
                self.op_at,
                self.load.frame_end.unwrap_or(0)
            );
            self.rec
                .anomaly(self.op_at, AnomalyKind::FrameStraddle, detail);
        }
        // Whether the frame's bytes exist is settled when reading reaches the
        // end of the input or STOP (a reader cannot look far ahead).
        let end = pos.saturating_add(n);
        self.load.promise = match self.load.promise {
            Some((e, at)) if e > pos => Some((e.max(end), at)),
            _ => Some((end, self.op_at)),
        };
        self.load.frame_end = Some(end);
        self.load.straddle_noted = false;
        Ok(())
    }

    /// Bytes left in the current frame after the position.
    fn frame_rest(&self) -> u64 {
        if let Some(r) = self.src.served_rest() {
            return r;
        }
        let pos = self.src.pos();
        self.load.frame_end.map_or(0, |e| e.saturating_sub(pos))
    }

    // ----- uses -----

    /// A value consumed as data: an import there is referenced.
    pub(crate) fn note_ref(&mut self, v: &Value) {
        if let Some(i) = v.global()
            && let Some(u) = self.rec.uses(i)
        {
            u.referenced = true;
        }
    }

    pub(crate) fn spans(&self) -> &dyn Spans {
        &self.src
    }
}

impl<S> Drop for Machine<'_, S> {
    fn drop(&mut self) {
        let mut load = std::mem::take(&mut self.load);
        drop_all(load.drain());
        let mut pending = Vec::new();
        for w in self.tracked.drain(..) {
            if let Some(n) = w.upgrade() {
                n.release_shared(&mut pending);
            }
        }
        drop_all(pending);
    }
}

/// How a counted string argument is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum As {
    Bytes,
    ByteArray,
    /// UTF-8 with `surrogatepass` (BINUNICODE family).
    Utf8Str,
    /// Python 2 `str` (BINSTRING family), decoded as latin-1.
    Latin1Str,
}

impl As {
    fn kind(self) -> Kind {
        match self {
            As::Bytes => Kind::Bytes,
            As::ByteArray => Kind::ByteArray,
            As::Utf8Str | As::Latin1Str => Kind::Str,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_CONTAINER_KEPT;
    use crate::source::SliceSource;

    fn machine<'o>(data: &'o [u8], opts: &'o Options<'o>) -> Machine<'o, SliceSource<'o>> {
        Machine::new(SliceSource::new(data), opts)
    }

    #[test]
    fn three_million_ints_keep_a_bounded_list() {
        let mut data = vec![0x80, 4, b']', 0x94];
        for batch in 0..3000u32 {
            data.push(b'(');
            for i in 0..1000u32 {
                data.push(b'J');
                data.extend_from_slice(&(batch * 1000 + i).to_le_bytes());
            }
            data.push(b'e');
        }
        data.push(b'.');
        let opts = Options::default();
        let mut m = machine(&data, &opts);
        let v = m.run_load().unwrap();
        assert_eq!(m.meter.elements.get(), MAX_CONTAINER_KEPT);
        let Some(Node::List(s)) = v.as_node() else {
            panic!()
        };
        let s = s.try_borrow().unwrap();
        assert_eq!((s.total, s.items.len()), (3_000_000, MAX_CONTAINER_KEPT));
        drop(s);
        drop(v);
        m.reset_load();
        assert_eq!(m.meter.elements.get(), 0);
    }

    #[test]
    fn cycles_are_freed_at_the_end_of_a_stream() {
        // L = []; L.append(L); D = {}; D['k'] = D; t = (L, D); L.append(t)
        let data =
            b"\x80\x02]q\x00h\x00a}q\x01h\x01U\x01kh\x01s0h\x00h\x01\x86q\x02h\x00h\x02a0h\x02.";
        let opts = Options::default();
        let mut m = machine(data, &opts);
        let v = m.run_load().unwrap();
        assert!(m.meter.elements.get() > 0);
        drop(v);
        m.reset_load();
        assert_eq!(m.meter.elements.get(), 0);
        assert_eq!(m.meter.bytes.get(), 0);
    }

    #[test]
    fn owned_strings_are_metered_and_returned() {
        let mut data = vec![0x80, 4, b']'];
        for _ in 0..10 {
            data.push(b'X');
            data.extend_from_slice(&300u32.to_le_bytes());
            data.extend(std::iter::repeat_n(b'a', 300));
            data.push(b'a');
        }
        data.push(b'.');
        let opts = Options::default();
        let mut m = Machine::new(crate::source::ReaderSource::new(&data[..]), &opts);
        let v = m.run_load().unwrap();
        assert_eq!(m.meter.bytes.get(), 3000);
        drop(v);
        m.reset_load();
        assert_eq!(m.meter.bytes.get(), 0);
    }
}
